package realdata

import "github.com/gowiseft/wiseft/wiseft/templates"

// CIFARTemplates are CLIP's 18 prompt templates for CIFAR-10 and CIFAR-100 (CLIP's data/prompts.md), registered
// with the templates package as "cifar_template".
var CIFARTemplates = []string{
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

// imagenetTemplates are the templates of the ImageNet family: OpenAI's 80 ImageNet templates, shared by every
// shift as in the paper.
func imagenetTemplates() []string { return templates.OpenAIImageNet }

func init() {
	if err := templates.Register("cifar_template", CIFARTemplates); err != nil {
		panic(err) // a programming error in the list above
	}
}
