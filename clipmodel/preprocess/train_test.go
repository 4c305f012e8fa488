package preprocess

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTrainDeterministic(t *testing.T) {
	img := testPattern(80, 70)
	tr := New(24)
	a := tr.Train(img, rand.New(rand.NewPCG(7, 7)))
	b := tr.Train(img, rand.New(rand.NewPCG(7, 7)))
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different outputs")
	}
	c := tr.Train(img, rand.New(rand.NewPCG(7, 8)))
	if slices.Equal(a, c) {
		t.Fatal("different seeds, same output")
	}
	if len(a) != tr.Len() {
		t.Fatalf("len %d", len(a))
	}
}

func TestSampleCropArea(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, wh := range [][2]int{{224, 224}, {640, 520}, {500, 600}, {100, 90}} {
		b := image.Rect(10, 20, 10+wh[0], 20+wh[1])
		area := float64(b.Dx() * b.Dy())
		lo, hi := 1.0, 0.0
		for range 2000 {
			r := SampleCrop(b, rng)
			if !r.In(b) || r.Empty() {
				t.Fatalf("%v: crop %v outside", b, r)
			}
			f := float64(r.Dx()*r.Dy()) / area
			lo, hi = min(lo, f), max(hi, f)
			ratio := float64(r.Dx()) / float64(r.Dy())
			// Rounding the sides to integers moves area and ratio slightly.
			if f < 0.88 || f > 1 || ratio < 0.74 || ratio > 1.35 {
				t.Fatalf("%v: crop %v covers %.3f, ratio %.3f", b, r, f, ratio)
			}
		}
		t.Logf("%dx%d: area fraction in [%.3f, %.3f]", wh[0], wh[1], lo, hi)
		if lo > 0.92 || hi < 0.98 {
			t.Errorf("%v: area fractions [%.3f, %.3f] do not span [0.9, 1]", b, lo, hi)
		}
	}
}

// TestSampleCropFallback: an image far from square cannot fit a crop of 90 %
// of its area with ratio in [3/4, 4/3], so torchvision's central crop at the
// clamped ratio is used.
func TestSampleCropFallback(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		b, want image.Rectangle
	}{
		{image.Rect(0, 0, 300, 100), image.Rect(83, 0, 216, 100)}, // w = round(100*4/3) = 133
		{image.Rect(0, 0, 100, 300), image.Rect(0, 83, 100, 216)}, // h = round(100/(3/4)) = 133
		{image.Rect(5, 5, 6, 105), image.Rect(5, 54, 6, 55)},      // 1x100: h = round(1.33) = 1, top = 99 // 2
	} {
		if got := SampleCrop(c.b, rng); got != c.want {
			t.Errorf("SampleCrop(%v) = %v, want %v", c.b, got, c.want)
		}
	}
}

func TestTrainParallelMatchesTrain(t *testing.T) {
	imgs := []image.Image{testPattern(80, 70), testPattern(33, 90), testPattern(200, 60), testPattern(24, 24)}
	tr := New(16)
	rng := rand.New(rand.NewPCG(9, 9))
	var want []float32
	for _, img := range imgs {
		want = append(want, tr.Train(img, rng)...)
	}
	for _, workers := range []int{1, 3, 0} {
		got := tr.TrainParallel(imgs, rand.New(rand.NewPCG(9, 9)), workers)
		if !slices.Equal(got, want) {
			t.Errorf("workers %d: TrainParallel differs from sequential Train", workers)
		}
	}
}
