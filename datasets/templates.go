package datasets

// DigitTemplates are the prompt templates of the digit task. MNIST, all its shifts, UCIDigits and FontDigits
// share them, as the paper's ImageNet shifts share ImageNet's templates: the zero-shot head is built once
// from the in-distribution task and evaluated on every shift. The list mixes styles (photo, handwriting,
// sketch, low resolution) as CLIP's template ensembles do.
var DigitTemplates = []string{
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

// FashionTemplates are the prompt templates of Fashion-MNIST.
var FashionTemplates = []string{
	"a photo of a {}.",
	"a photo of the {}.",
	"a black and white photo of a {}.",
	"a low resolution photo of a {}.",
	"a photo of a {}, a type of clothing.",
	"a product photo of a {}.",
	"an image of a {}.",
	"a {}.",
}

// LetterTemplates are the prompt templates of the rendered-letter dataset.
var LetterTemplates = []string{
	"the letter {}.",
	"a photo of the letter {}.",
	"a printed letter {}.",
	"a drawing of the letter {}.",
	"an image of the letter {}.",
}
