package datasets

import "strings"

// Shift is a distribution shift of MNIST: MNIST's images passed through a seeded Corruption.
type Shift struct {
	// Name is the registry name, e.g. "MNIST-Rotated".
	Name string
	// Description says what the shift does, in a few words.
	Description string
	// Corruption is applied to every MNIST image.
	Corruption Corruption
}

// MNISTShifts are the registered shifts of MNIST, each of a different kind (geometric, photometric, colour,
// style, resolution). All keep MNIST's labels, class names and templates; both splits exist.
var MNISTShifts = []Shift{
	{"MNIST-Rotated", "rotated by 45-90 degrees either way", Rotate(45, 90)},
	{"MNIST-Inverted", "black ink on white", Invert()},
	{"MNIST-Colour", "random coloured ink on a random coloured background (RGB)", Colourize(0.35)},
	{"MNIST-Sketch", "Sobel edge map: strokes become outlines", Edges()},
	{"MNIST-Noise", "additive Gaussian noise, stddev 0.35 of the range", GaussianNoise(0.35)},
	{"MNIST-LowRes", "shrunk to 7-10 pixels a side, blown back up blocky", Resolution(7, 10, false)},
	{"MNIST-Blur", "Gaussian blur, sigma 1.2-2 pixels", Blur(1.2, 2)},
	{"MNIST-Texture", "textured background (blotches, stripes, checks, grain)", Texture(0.45, 0.75)},
	{"MNIST-Scaled", "shrunk to 45-65% about the centre", Scale(0.45, 0.65)},
}

// FashionShifts are MNISTShifts' corruptions applied to Fashion-MNIST, named "FashionMNIST-Rotated" and so on:
// the same kinds of shift on a harder in-distribution task (a small model fine-tuned on Fashion-MNIST stays well
// below its ceiling). The shipped world's pretraining corpus draws Fashion-MNIST's training images in every style,
// so the zero-shot model has seen each kind of shift on clothing, as CLIP has seen sketches and renditions of
// ImageNet's classes. There is no counterpart of MNIST's natural shifts (other writers, fonts).
var FashionShifts = func() []Shift {
	out := make([]Shift, len(MNISTShifts))
	for i, s := range MNISTShifts {
		out[i] = Shift{"FashionMNIST" + strings.TrimPrefix(s.Name, "MNIST"), s.Description, s.Corruption}
	}
	return out
}()

// MNIST's training split is divided three ways, so that nothing is both trained on and used to choose α:
// examples [0, MNISTTrainSize) are the "MNIST" training split (fine-tuning), [MNISTTrainSize, MNISTValEnd) are
// "MNIST-Val" (held-out in-distribution data, e.g. for choosing α), and the rest, [MNISTValEnd, 60000), is left to
// the shipped world's pretraining corpus.
const (
	MNISTTrainSize = 50000
	MNISTValEnd    = 55000
)

// openMNIST opens MNIST with the training split cut to its fine-tuning part.
func openMNIST(o Options) (Dataset, error) {
	ds, err := LoadMNIST(o.Location, o.Split)
	if err != nil || o.Split != Train {
		return ds, err
	}
	return Slice(ds, 0, MNISTTrainSize), nil
}

func init() {
	Register("MNIST", openMNIST)
	Register("MNIST-Val", func(o Options) (Dataset, error) {
		ds, err := LoadMNIST(o.Location, Train)
		if err != nil {
			return nil, err
		}
		return Rename(Slice(ds, MNISTTrainSize, MNISTValEnd), "MNIST-Val", nil), nil
	})
	for _, s := range MNISTShifts {
		Register(s.Name, func(o Options) (Dataset, error) {
			base, err := openMNIST(o)
			if err != nil {
				return nil, err
			}
			return Corrupt(base, s.Name, o.Seed, s.Corruption), nil
		})
	}
	Register("FashionMNIST", func(o Options) (Dataset, error) { return LoadFashionMNIST(o.Location, o.Split) })
	for _, s := range FashionShifts {
		Register(s.Name, func(o Options) (Dataset, error) {
			base, err := LoadFashionMNIST(o.Location, o.Split)
			if err != nil {
				return nil, err
			}
			return Corrupt(base, s.Name, o.Seed, s.Corruption), nil
		})
	}
	Register("UCIDigits", func(o Options) (Dataset, error) { return LoadUCIDigits(o.Location, o.Split) })
	Register("FontDigits", OpenFontDigits)
	Register("FontLetters", OpenFontLetters)
}
