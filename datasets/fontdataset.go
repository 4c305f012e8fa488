package datasets

import (
	"fmt"
	"image"

	"github.com/gowiseft/wiseft/internal/detrand"
	"github.com/gowiseft/wiseft/templates"
)

// FontDatasetConfig describes a dataset of text rendered from fonts.
type FontDatasetConfig struct {
	// Name is the dataset's name; with Seed it also seeds the renditions.
	Name string
	// ClassNames and Templates are the dataset's class names and prompt templates.
	ClassNames, Templates []string
	// Texts lists, per class, the strings that may be rendered for it (one is picked at random per example),
	// e.g. {"7"} for the digit seven or {"a", "A"} for the letter a.
	Texts [][]string
	// Fonts are the fonts to draw from; those lacking a glyph of some text are dropped.
	Fonts []*Font
	// Len is the number of examples; example i has label i mod len(ClassNames).
	Len int
	// Width and Height are the image size (28x28 when zero).
	Width, Height int
	// Style is the random variation of the renditions.
	Style RenderStyle
	// Seed selects the renditions.
	Seed uint64
}

// FontDataset is text rendered from fonts on demand: example i shows a text of class i mod #classes in a font,
// size, offset, rotation, slant and stroke drawn from a random source seeded by (Seed, Name, i) alone, so
// examples are deterministic and safe to compute concurrently.
type FontDataset struct {
	cfg   FontDatasetConfig
	fonts []*Font
	salt  uint64
}

// NewFontDataset checks cfg and makes the dataset.
func NewFontDataset(cfg FontDatasetConfig) (*FontDataset, error) {
	if len(cfg.ClassNames) == 0 || len(cfg.Texts) != len(cfg.ClassNames) {
		return nil, fmt.Errorf("datasets: %s: %d classes but %d text lists", cfg.Name, len(cfg.ClassNames), len(cfg.Texts))
	}
	for c, ts := range cfg.Texts {
		if len(ts) == 0 {
			return nil, fmt.Errorf("datasets: %s: no text for class %q", cfg.Name, cfg.ClassNames[c])
		}
	}
	if cfg.Len < 0 {
		return nil, fmt.Errorf("datasets: %s: negative length", cfg.Name)
	}
	if cfg.Width == 0 && cfg.Height == 0 {
		cfg.Width, cfg.Height = 28, 28
	}
	var fonts []*Font
	for _, f := range cfg.Fonts {
		ok := true
		for _, ts := range cfg.Texts {
			for _, t := range ts {
				ok = ok && f.Covers(t)
			}
		}
		if ok {
			fonts = append(fonts, f)
		}
	}
	if len(fonts) == 0 {
		return nil, fmt.Errorf("datasets: %s: none of the %d fonts renders all the texts", cfg.Name, len(cfg.Fonts))
	}
	return &FontDataset{cfg: cfg, fonts: fonts, salt: detrand.Mix64(cfg.Seed ^ hashString("font/"+cfg.Name))}, nil
}

// Name is the dataset's name.
func (d *FontDataset) Name() string { return d.cfg.Name }

// ClassNames are the class names.
func (d *FontDataset) ClassNames() []string { return d.cfg.ClassNames }

// Templates are the prompt templates.
func (d *FontDataset) Templates() []string { return d.cfg.Templates }

// Len is the number of examples.
func (d *FontDataset) Len() int { return d.cfg.Len }

// Fonts are the fonts the renditions are drawn from.
func (d *FontDataset) Fonts() []*Font { return d.fonts }

// Example renders example i as a white-on-black *image.Gray.
func (d *FontDataset) Example(i int) (image.Image, int, error) {
	img, label, _, err := d.Rendition(i)
	return img, label, err
}

// Rendition renders example i and also returns the font used.
func (d *FontDataset) Rendition(i int) (*image.Gray, int, *Font, error) {
	if i < 0 || i >= d.cfg.Len {
		return nil, 0, nil, indexError(d.cfg.Name, i, d.cfg.Len)
	}
	label := i % len(d.cfg.ClassNames)
	r := exampleRNG(d.salt, i)
	f := d.fonts[r.IntN(len(d.fonts))]
	texts := d.cfg.Texts[label]
	text := texts[r.IntN(len(texts))]
	img, err := RenderText(f, text, d.cfg.Width, d.cfg.Height, d.cfg.Style, r)
	if err != nil {
		return nil, 0, nil, err
	}
	return img, label, f, nil
}

// fontsForSplit returns the pretraining fonts for Train and the held-out fonts for Test.
func fontsForSplit(split Split) ([]*Font, error) {
	all, err := AvailableFonts()
	if err != nil {
		return nil, err
	}
	if split == Train {
		return PretrainingFonts(all), nil
	}
	return HeldOutFonts(all), nil
}

// digitTexts are the texts of the ten digit classes.
var digitTexts = func() [][]string {
	out := make([][]string, 10)
	for i := range out {
		out[i] = []string{DigitNumerals[i]}
	}
	return out
}()

// letterTexts are the texts of the 26 letter classes: lower and upper case.
var letterTexts = func() [][]string {
	out := make([][]string, 26)
	for i := range out {
		out[i] = []string{string(rune('a' + i)), string(rune('A' + i))}
	}
	return out
}()

// OpenFontDigits makes FontDigits: the digits 0-9 rendered 28x28 in DigitStyle, from the held-out fonts
// for Test (10,000 examples, an evaluation shift) or the pretraining fonts for Train (60,000).
func OpenFontDigits(opts Options) (Dataset, error) {
	opts = opts.withDefaults()
	fonts, err := fontsForSplit(opts.Split)
	if err != nil {
		return nil, err
	}
	n := 10000
	if opts.Split == Train {
		n = 60000
	}
	return NewFontDataset(FontDatasetConfig{
		Name: "FontDigits", ClassNames: DigitClassNames, Templates: templates.Digit, Texts: digitTexts,
		Fonts: fonts, Len: n, Style: DigitStyle, Seed: opts.Seed,
	})
}

// OpenFontLetters makes FontLetters: the letters a-z (lower or upper case at random) rendered 28x28 in
// DigitStyle, from the pretraining fonts for Train (52,000 examples) or the held-out fonts for Test (10,400).
func OpenFontLetters(opts Options) (Dataset, error) {
	opts = opts.withDefaults()
	fonts, err := fontsForSplit(opts.Split)
	if err != nil {
		return nil, err
	}
	n := 400 * 26
	if opts.Split == Train {
		n = 2000 * 26
	}
	return NewFontDataset(FontDatasetConfig{
		Name: "FontLetters", ClassNames: LetterClassNames, Templates: templates.Letter, Texts: letterTexts,
		Fonts: fonts, Len: n, Style: DigitStyle, Seed: opts.Seed,
	})
}
