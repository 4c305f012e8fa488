// Package templates holds every prompt template set the project knows, by the names --template takes: OpenAI's 80
// ImageNet templates, the paper code's simple, iWildCam and FMoW templates, CLIP's CIFAR templates and the shipped
// world's digit, clothing and letter templates. Each template contains "{}" where the class name goes, or
// ArticlePlaceholder where it goes after "a" or "an". It imports nothing of the
// project, so datasets, the method and the command line all read templates from here.
//
//	ts, err := templates.Get("openai_imagenet_template")
//	prompts := templates.Fill(ts, "golden retriever") // 80 prompts
package templates

import (
	"fmt"
	"sort"
	"strings"
)

// OpenAIImageNet are the 80 prompt templates OpenAI used for zero-shot ImageNet (openai_imagenet_template in the
// paper's code).
var OpenAIImageNet = []string{
	"a bad photo of a {}.",
	"a photo of many {}.",
	"a sculpture of a {}.",
	"a photo of the hard to see {}.",
	"a low resolution photo of the {}.",
	"a rendering of a {}.",
	"graffiti of a {}.",
	"a bad photo of the {}.",
	"a cropped photo of the {}.",
	"a tattoo of a {}.",
	"the embroidered {}.",
	"a photo of a hard to see {}.",
	"a bright photo of a {}.",
	"a photo of a clean {}.",
	"a photo of a dirty {}.",
	"a dark photo of the {}.",
	"a drawing of a {}.",
	"a photo of my {}.",
	"the plastic {}.",
	"a photo of the cool {}.",
	"a close-up photo of a {}.",
	"a black and white photo of the {}.",
	"a painting of the {}.",
	"a painting of a {}.",
	"a pixelated photo of the {}.",
	"a sculpture of the {}.",
	"a bright photo of the {}.",
	"a cropped photo of a {}.",
	"a plastic {}.",
	"a photo of the dirty {}.",
	"a jpeg corrupted photo of a {}.",
	"a blurry photo of the {}.",
	"a photo of the {}.",
	"a good photo of the {}.",
	"a rendering of the {}.",
	"a {} in a video game.",
	"a photo of one {}.",
	"a doodle of a {}.",
	"a close-up photo of the {}.",
	"a photo of a {}.",
	"the origami {}.",
	"the {} in a video game.",
	"a sketch of a {}.",
	"a doodle of the {}.",
	"a origami {}.",
	"a low resolution photo of a {}.",
	"the toy {}.",
	"a rendition of the {}.",
	"a photo of the clean {}.",
	"a photo of a large {}.",
	"a rendition of a {}.",
	"a photo of a nice {}.",
	"a photo of a weird {}.",
	"a blurry photo of a {}.",
	"a cartoon {}.",
	"art of a {}.",
	"a sketch of the {}.",
	"a embroidered {}.",
	"a pixelated photo of a {}.",
	"itap of the {}.",
	"a jpeg corrupted photo of the {}.",
	"a good photo of a {}.",
	"a plushie {}.",
	"a photo of the nice {}.",
	"a photo of the small {}.",
	"a photo of the weird {}.",
	"the cartoon {}.",
	"art of the {}.",
	"a drawing of the {}.",
	"a photo of the large {}.",
	"a black and white photo of a {}.",
	"the plushie {}.",
	"a dark photo of a {}.",
	"itap of a {}.",
	"graffiti of the {}.",
	"a toy {}.",
	"itap of my {}.",
	"a photo of a cool {}.",
	"a photo of a small {}.",
	"a tattoo of the {}.",
}

// Simple is the single template of the paper's code (simple_template).
var Simple = []string{"a photo of a {}."}

// registry names every template set for Get, as the paper's code names its own (src/templates).
var registry = map[string][]string{
	"openai_imagenet_template": OpenAIImageNet,
	"simple_template":          Simple,
	"cifar_template":           CIFAR,
	"digit_template":           Digit,
	"fashion_template":         Fashion,
	"letter_template":          Letter,
	"iwildcam_template":        IWildCam,
	"fmow_template":            FMoW,
}

// ArticlePlaceholder in a template stands for the class name with underscores read as spaces, after "a" or "an"
// by its first letter ("an airport hangar", "a barn"): the paper code's append_proper_article, which its FMoW
// templates use.
const ArticlePlaceholder = "{an}"

// Get returns a named template set; an unknown name is an error listing the known ones.
func Get(name string) ([]string, error) {
	ts, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown template set %q; known: %s", name, strings.Join(Names(), ", "))
	}
	return ts, nil
}

// Names lists the named template sets, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Fill puts className into every template: as it is for "{}", with its article for ArticlePlaceholder.
func Fill(ts []string, className string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		t = strings.ReplaceAll(t, ArticlePlaceholder, WithArticle(className))
		out[i] = strings.ReplaceAll(t, "{}", className)
	}
	return out
}

// WithArticle is the class name with underscores read as spaces after "an" when it starts with a lower-case
// vowel and "a" otherwise, as the paper code's append_proper_article writes it ("airport_hangar" gives "an airport
// hangar"; "Oak" gives "a Oak", since only a, e, i, o, u count).
func WithArticle(className string) string {
	name := strings.ReplaceAll(className, "_", " ")
	if name != "" && strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}
