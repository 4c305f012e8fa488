package templates

// CIFAR are CLIP's 18 prompt templates for CIFAR-10 and CIFAR-100 (CLIP's data/prompts.md),
// "cifar_template" in the paper's code.
var CIFAR = []string{
	"a photo of a {}.",
	"a blurry photo of a {}.",
	"a black and white photo of a {}.",
	"a low contrast photo of a {}.",
	"a high contrast photo of a {}.",
	"a bad photo of a {}.",
	"a good photo of a {}.",
	"a photo of a small {}.",
	"a photo of a big {}.",
	"a photo of the {}.",
	"a blurry photo of the {}.",
	"a black and white photo of the {}.",
	"a low contrast photo of the {}.",
	"a high contrast photo of the {}.",
	"a bad photo of the {}.",
	"a good photo of the {}.",
	"a photo of the small {}.",
	"a photo of the big {}.",
}

// Digit are the prompt templates of the digit task. MNIST, all its shifts, UCIDigits and FontDigits
// share them, as the paper's ImageNet shifts share ImageNet's templates: the zero-shot head is built once
// from the in-distribution task and evaluated on every shift. The list mixes styles (photo, handwriting,
// sketch, low resolution) as CLIP's template ensembles do.
var Digit = []string{
	"a photo of the number {}.",
	"a photo of the digit {}.",
	"an image of the number {}.",
	"a handwritten {}.",
	"a handwritten digit {}.",
	"a drawing of the digit {}.",
	"a sketch of the digit {}.",
	"a printed digit {}.",
	"a blurry photo of the number {}.",
	"a low resolution photo of the digit {}.",
	"the number {}.",
	"a {}.",
}

// Fashion are the prompt templates of Fashion-MNIST.
var Fashion = []string{
	"a photo of a {}.",
	"a photo of the {}.",
	"a black and white photo of a {}.",
	"a low resolution photo of a {}.",
	"a photo of a {}, a type of clothing.",
	"a product photo of a {}.",
	"an image of a {}.",
	"a {}.",
}

// Letter are the prompt templates of the rendered-letter dataset.
var Letter = []string{
	"the letter {}.",
	"a photo of the letter {}.",
	"a printed letter {}.",
	"a drawing of the letter {}.",
	"an image of the letter {}.",
}

// IWildCam are the paper code's two templates for iWildCam's animal species (iwildcam_template).
var IWildCam = []string{
	"a photo of {}.",
	"{} in the wild.",
}

// FMoW are the paper code's 16 templates for FMoW's satellite-image categories (fmow_template). The class names
// are WILDS' own, with underscores ("airport_hangar"): most templates take them as they are, as the paper's
// code does; the two with ArticlePlaceholder take them with spaces after "a" or "an".
var FMoW = []string{
	"satellite photo of a {}.",
	"aerial photo of a {}.",
	"satellite photo of {an}.",
	"aerial photo of {an}.",
	"satellite photo of a {} in asia.",
	"aerial photo of a {} in asia.",
	"satellite photo of a {} in africa.",
	"aerial photo of a {} in africa.",
	"satellite photo of a {} in the americas.",
	"aerial photo of a {} in the americas.",
	"satellite photo of a {} in europe.",
	"aerial photo of a {} in europe.",
	"satellite photo of a {} in oceania.",
	"aerial photo of a {} in oceania.",
	"a photo of a {}.",
	"{}.",
}
