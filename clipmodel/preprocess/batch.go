package preprocess

import (
	"image"
	"math/rand/v2"

	"github.com/gowiseft/wiseft/internal/parallel"
)

// Batch applies [Transform.Eval] to each image and stacks the results into
// one NCHW slice of len(imgs)*3*Size*Size floats (row-major), ready to be
// the model's pixel_values.
func (t Transform) Batch(imgs []image.Image) []float32 {
	t.check()
	out := make([]float32, len(imgs)*t.Len())
	for i, img := range imgs {
		t.evalInto(out[i*t.Len():(i+1)*t.Len()], img)
	}
	return out
}

// EvalParallel is [Transform.Batch] spread over workers goroutines;
// workers <= 0 means runtime.GOMAXPROCS(0). The result equals Batch's.
func (t Transform) EvalParallel(imgs []image.Image, workers int) []float32 {
	t.check()
	out := make([]float32, len(imgs)*t.Len())
	parallel.For(len(imgs), workers, func(i int) {
		t.evalInto(out[i*t.Len():(i+1)*t.Len()], imgs[i])
	})
	return out
}

// TrainParallel applies [Transform.Train] to each image over workers
// goroutines (workers <= 0 means runtime.GOMAXPROCS(0)) and stacks the
// results into NCHW. The crops are drawn from rng in image order before any
// work starts, so the result depends only on rng's state, not on workers,
// and equals calling Train on each image in turn with the same rng.
func (t Transform) TrainParallel(imgs []image.Image, rng *rand.Rand, workers int) []float32 {
	t.check()
	crops := make([]image.Rectangle, len(imgs))
	for i, img := range imgs {
		crops[i] = SampleCrop(img.Bounds(), rng)
	}
	out := make([]float32, len(imgs)*t.Len())
	parallel.For(len(imgs), workers, func(i int) {
		t.cropInto(out[i*t.Len():(i+1)*t.Len()], imgs[i], crops[i])
	})
	return out
}
