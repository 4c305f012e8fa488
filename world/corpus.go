package world

import (
	"fmt"
	"image"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
)

// A style is a rendition applied to a pretraining image and named in its caption. The same kinds of change are
// the evaluation shifts of the digit task: pretraining sees them on printed digits, letters and clothing, so the
// zero-shot model is robust to them; fine-tuning on clean handwriting does not see them.
type style struct {
	name    string
	phrases []string // caption templates; "{}" is the object phrase
	corrupt datasets.Corruption
}

var styles = []style{
	{"plain", []string{"a photo of {}.", "an image of {}.", "{}.", "a picture of {}."}, nil},
	{"inverted", []string{"an inverted photo of {}.", "a negative image of {}.", "{}, dark on light."}, datasets.Invert()},
	{"colour", []string{"a colourful photo of {}.", "a coloured image of {}.", "{} in colour."}, datasets.Colourize(0.3)},
	{"sketch", []string{"a sketch of {}.", "an outline drawing of {}.", "a line drawing of {}."}, datasets.Edges()},
	{"rotated", []string{"a rotated photo of {}.", "a tilted image of {}.", "{}, rotated."}, datasets.Rotate(30, 90)},
	{"noisy", []string{"a noisy photo of {}.", "a grainy image of {}."}, datasets.GaussianNoise(0.3)},
	{"blurry", []string{"a blurry photo of {}.", "a blurred image of {}."}, datasets.Blur(1, 2)},
	{"lowres", []string{"a low resolution photo of {}.", "a pixelated image of {}."}, datasets.Resolution(7, 11, false)},
	{"textured", []string{"a photo of {} on a textured background.", "{} on a patterned background."}, datasets.Texture(0.4, 0.7)},
	{"small", []string{"a small photo of {}.", "a photo of a small {}."}, datasets.Scale(0.45, 0.7)},
}

// source is one kind of pretraining image with the phrases that name its classes.
type source struct {
	kind   string
	weight float64
	data   datasets.Dataset
	// object returns a phrase naming class label (drawn with rng), e.g. "the number seven" or "a 7".
	object func(label int, rng *rand.Rand) string
	// handwriting marks the held-back MNIST source.
	handwriting bool
}

func digitObject(label int, rng *rand.Rand) string {
	name, numeral := datasets.DigitClassNames[label], datasets.DigitNumerals[label]
	forms := []string{"the number " + name, "the digit " + name, "the number " + numeral, "a " + numeral,
		"the digit " + numeral, name, "a printed " + name}
	return forms[rng.IntN(len(forms))]
}

func handwrittenObject(label int, rng *rand.Rand) string {
	name, numeral := datasets.DigitClassNames[label], datasets.DigitNumerals[label]
	forms := []string{"a handwritten " + name, "a handwritten " + numeral, "the handwritten digit " + name,
		"the number " + name + " written by hand"}
	return forms[rng.IntN(len(forms))]
}

func letterObject(label int, rng *rand.Rand) string {
	l := datasets.LetterClassNames[label]
	forms := []string{"the letter " + l, "a letter " + l, "the character " + l}
	return forms[rng.IntN(len(forms))]
}

func fashionObject(label int, rng *rand.Rand) string {
	c := strings.ToLower(datasets.FashionClassNames[label])
	forms := []string{"a " + c, "the " + c, "a " + c + ", a type of clothing", "a piece of clothing: " + c}
	return forms[rng.IntN(len(forms))]
}

// CorpusConfig sets the size and make-up of the pretraining corpus.
type CorpusConfig struct {
	// Pairs is the number of image-caption pairs.
	Pairs int
	// Seed selects every rendition, style and caption.
	Seed uint64
	// HandwritingWeight is the share of pairs drawn from MNIST handwriting (a held-back part of MNIST's training
	// split that fine-tuning never sees). Small on purpose: a zero-shot model that has learned handwriting well
	// leaves fine-tuning nothing to gain.
	HandwritingWeight float64
	// StyledHandwriting is the share of the handwriting pairs drawn in a style other than plain (0: the
	// DefaultStyledShare every source has).
	StyledHandwriting float64
	// DataLocation is the data folder (see datasets.Options).
	DataLocation string
}

// DefaultStyledShare is the share of a source's pairs drawn in a style other than plain.
const DefaultStyledShare = 0.7

// PretrainHandwritingRange is the part of MNIST's training split (indices [lo, hi)) that pretraining may draw
// handwriting from; fine-tuning uses the indices below lo and α is chosen on MNIST-Val.
var PretrainHandwritingRange = [2]int{55000, 60000}

// Corpus is a deterministic, generated list of image-caption pairs; pair i depends only on (Seed, i).
type Corpus struct {
	cfg     CorpusConfig
	sources []source
	total   float64
}

// Pair is one pretraining example: an image, its caption, and the key of its class (captions with equal keys are
// positives of each other in the contrastive loss).
type Pair struct {
	Image   image.Image
	Caption string
	Key     string
}

// NewCorpus opens the datasets the corpus draws from.
func NewCorpus(cfg CorpusConfig) (*Corpus, error) {
	opts := datasets.Options{Location: cfg.DataLocation, Split: datasets.Train, Seed: cfg.Seed}
	fontDigits, err := datasets.Open("FontDigits", opts)
	if err != nil {
		return nil, err
	}
	letters, err := datasets.Open("FontLetters", opts)
	if err != nil {
		return nil, err
	}
	fashion, err := datasets.Open("FashionMNIST", opts)
	if err != nil {
		return nil, err
	}
	c := &Corpus{cfg: cfg, sources: []source{
		{"digit", 0.45, fontDigits, digitObject, false},
		{"letter", 0.2, letters, letterObject, false},
		{"fashion", 0.3, fashion, fashionObject, false},
	}}
	if cfg.HandwritingWeight > 0 {
		mnist, err := datasets.LoadMNIST(opts.Location, datasets.Train)
		if err != nil {
			return nil, err
		}
		lo, hi := PretrainHandwritingRange[0], PretrainHandwritingRange[1]
		c.sources = append(c.sources, source{"digit", cfg.HandwritingWeight, datasets.Slice(mnist, lo, hi), handwrittenObject, true})
	}
	for _, s := range c.sources {
		c.total += s.weight
	}
	return c, nil
}

// Len is the number of pairs.
func (c *Corpus) Len() int { return c.cfg.Pairs }

// Pair returns pair i.
func (c *Corpus) Pair(i int) (Pair, error) {
	rng := rand.New(rand.NewPCG(c.cfg.Seed, uint64(i)*0x9E3779B97F4A7C15+1))
	u := rng.Float64() * c.total
	src := c.sources[len(c.sources)-1]
	for _, s := range c.sources {
		if u < s.weight {
			src = s
			break
		}
		u -= s.weight
	}
	img, label, err := src.data.Example(rng.IntN(src.data.Len()))
	if err != nil {
		return Pair{}, err
	}
	st := styles[0]
	plain := 0.3 // 1 − DefaultStyledShare, written as the literal the shipped corpus was drawn with
	if src.handwriting && c.cfg.StyledHandwriting > 0 {
		plain = 1 - c.cfg.StyledHandwriting
	}
	if rng.Float64() >= plain {
		st = styles[1+rng.IntN(len(styles)-1)]
	}
	if st.corrupt != nil {
		img = st.corrupt(img, rng)
	}
	phrase := st.phrases[rng.IntN(len(st.phrases))]
	caption := strings.ReplaceAll(phrase, "{}", src.object(label, rng))
	return Pair{Image: img, Caption: caption, Key: fmt.Sprintf("%s:%d", src.kind, label)}, nil
}

// AllCaptions enumerates every caption the corpus can produce (for training the tokenizer), sorted.
func AllCaptions() []string {
	set := map[string]bool{}
	add := func(object string) {
		for _, st := range styles {
			for _, p := range st.phrases {
				set[strings.ReplaceAll(p, "{}", object)] = true
			}
		}
	}
	for label := range datasets.DigitClassNames {
		name, numeral := datasets.DigitClassNames[label], datasets.DigitNumerals[label]
		for _, o := range []string{"the number " + name, "the digit " + name, "the number " + numeral, "a " + numeral,
			"the digit " + numeral, name, "a printed " + name, "a handwritten " + name, "a handwritten " + numeral,
			"the handwritten digit " + name, "the number " + name + " written by hand"} {
			add(o)
		}
	}
	for _, l := range datasets.LetterClassNames {
		for _, o := range []string{"the letter " + l, "a letter " + l, "the character " + l} {
			add(o)
		}
	}
	for _, c := range datasets.FashionClassNames {
		c = strings.ToLower(c)
		for _, o := range []string{"a " + c, "the " + c, "a " + c + ", a type of clothing", "a piece of clothing: " + c} {
			add(o)
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
