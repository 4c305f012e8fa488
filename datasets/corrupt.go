package datasets

import (
	"hash/fnv"
	"image"
	"math/rand/v2"

	"github.com/gowiseft/wiseft/internal/detrand"
)

// Corruption changes an image, drawing whatever random parameters it needs from r. It must not modify img,
// and must depend on nothing but img and r, so that a corrupted dataset is deterministic.
type Corruption func(img image.Image, r *rand.Rand) image.Image

// Chain applies corruptions in order, all drawing from the same random source.
func Chain(cs ...Corruption) Corruption {
	return func(img image.Image, r *rand.Rand) image.Image {
		for _, c := range cs {
			img = c(img, r)
		}
		return img
	}
}

// planeOp turns an operation on float planes into a Corruption.
func planeOp(f func(p *planes, r *rand.Rand) *planes) Corruption {
	return func(img image.Image, r *rand.Rand) image.Image {
		return f(toPlanes(img), r).image()
	}
}

// corrupted is a Dataset whose examples are another's, passed through a seeded Corruption.
type corrupted struct {
	base      Dataset
	name      string
	templates []string
	salt      uint64
	c         Corruption
}

// Corrupt returns a dataset named name whose example i is base's example i passed through c, with a random
// source determined by (seed, name, i) alone: the result is deterministic, independent of the order of calls
// and safe for concurrent use (each call has its own source). Labels, class names and templates are base's.
func Corrupt(base Dataset, name string, seed uint64, c Corruption) Dataset {
	return &corrupted{base: base, name: name, templates: base.Templates(), salt: detrand.Mix64(seed ^ hashString(name)), c: c}
}

// Name is the corrupted dataset's name.
func (d *corrupted) Name() string { return d.name }

// ClassNames are the base dataset's class names.
func (d *corrupted) ClassNames() []string { return d.base.ClassNames() }

// Templates are the base dataset's templates.
func (d *corrupted) Templates() []string { return d.templates }

// Len is the base dataset's length.
func (d *corrupted) Len() int { return d.base.Len() }

// Example returns the corrupted example i.
func (d *corrupted) Example(i int) (image.Image, int, error) {
	img, label, err := d.base.Example(i)
	if err != nil {
		return nil, 0, err
	}
	return d.c(img, exampleRNG(d.salt, i)), label, nil
}

// exampleRNG is the random source of example i of a dataset whose seed and name are folded into salt.
func exampleRNG(salt uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(salt, detrand.SplitMix64(uint64(i))))
}

// hashString is the 64-bit FNV-1a hash of s.
func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// uniform draws from [lo, hi) (lo when hi <= lo).
func uniform(r *rand.Rand, lo, hi float64) float64 {
	if hi <= lo {
		return lo
	}
	return lo + (hi-lo)*r.Float64()
}

// Unwrap returns the dataset that is corrupted (the labels are its own).
func (d *corrupted) Unwrap() Dataset { return d.base }
