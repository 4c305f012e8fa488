package wiseft

import (
	"image"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
)

// ZeroShotMNIST is the zero-shot accuracy of m on the first n MNIST test images with the digit templates: a quick
// check of a pretraining run (world.PretrainRun.ZeroShot), computed on the host from the encoder's embeddings.
func ZeroShotMNIST(m *clipmodel.Model, location string, n int) (float64, error) {
	ds, err := datasets.Open("MNIST", datasets.Options{Location: location, Split: datasets.Test, Limit: n})
	if err != nil {
		return 0, err
	}
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		return 0, err
	}
	enc.BatchSize = 250
	head, err := ZeroShotHead(enc, m, ds.ClassNames(), ds.Templates())
	if err != nil {
		return 0, err
	}
	imgs := make([]image.Image, ds.Len())
	labels := make([]int, ds.Len())
	for i := range imgs {
		if imgs[i], labels[i], err = ds.Example(i); err != nil {
			return 0, err
		}
	}
	emb, err := enc.EncodeImages(m.Transform.EvalParallel(imgs, 0), len(imgs))
	if err != nil {
		return 0, err
	}
	dim, classes := m.Config.ProjectionDim, head.Shape[0]
	correct := 0
	for i := range imgs {
		best, bestScore := 0, float32(-1e30)
		for c := 0; c < classes; c++ {
			var s float32
			for k := 0; k < dim; k++ {
				s += emb[i*dim+k] * head.Data[c*dim+k]
			}
			if s > bestScore {
				best, bestScore = c, s
			}
		}
		if best == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(imgs)), nil
}
