package wiseft

import (
	"fmt"
	"image"
	"math/rand/v2"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/detrand"
	"github.com/gowiseft/wiseft/internal/parallel"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The data order of a fine-tuning run depends only on the seed, the epoch and the step, so a resumed run sees
// exactly the batches the uninterrupted run would have seen.

// Stream tags keep the permutation and the augmentation generators apart.
const (
	streamPermutation  = 1
	streamAugmentation = 2
	streamPrompt       = 3
)

// epochPermutation is the order in which epoch (0-based) visits the n examples.
func epochPermutation(seed uint64, epoch, n int) []int {
	r := rand.New(rand.NewPCG(detrand.SplitMix64(seed^streamPermutation), detrand.SplitMix64(uint64(epoch))))
	return r.Perm(n)
}

// epochOrder is epochPermutation, or the identity for a training set the paper's code does not shuffle
// (datasets.InOrder: CIFAR-100, ImageNet-K).
func epochOrder(train datasets.Dataset, seed uint64, epoch, n int) []int {
	if datasets.TrainsInOrder(train) {
		return firstN(n, 0)
	}
	return epochPermutation(seed, epoch, n)
}

// augmentationRNG is the generator of the random crops of one step.
func augmentationRNG(seed uint64, epoch, step int) *rand.Rand {
	return rand.New(rand.NewPCG(detrand.SplitMix64(seed^streamAugmentation),
		detrand.SplitMix64(uint64(epoch)<<32^uint64(uint32(step)))))
}

// promptRNG draws the template of each image of a FLYP step (seeded like the augmentation, from (Seed, epoch, step)).
func promptRNG(seed uint64, epoch, step int) *rand.Rand {
	return rand.New(rand.NewPCG(detrand.SplitMix64(seed^streamPrompt),
		detrand.SplitMix64(uint64(epoch)<<32^uint64(uint32(step)))))
}

// trainBatch is the input of one training step, on the host: x (pixels [rows, 3, size, size] or features
// [rows, dim], row-major), labels [rows] and weights [rows] (1 for real examples, 0 for the padding of a last
// partial batch and of the rows a sharded step adds). Tensors are made from it when the step runs, whole or one
// per shard.
type trainBatch struct {
	x       []float32
	rowDims []int // the dimensions of one row of x
	labels  []int32
	weights []float32
	// examples is the number of real (unpadded) examples.
	examples int
}

// rows is the number of rows of the batch.
func (b trainBatch) rows() int { return len(b.labels) }

// tensors returns the tensors of rows [lo, hi) of the batch.
func (b trainBatch) tensors(lo, hi int) (x, labels, weights *tensors.Tensor) {
	per := len(b.x) / b.rows()
	dims := append([]int{hi - lo}, b.rowDims...)
	return tensors.FromFlatDataAndDimensions(b.x[lo*per:hi*per], dims...),
		tensors.FromFlatDataAndDimensions(b.labels[lo:hi], hi-lo),
		tensors.FromFlatDataAndDimensions(b.weights[lo:hi], hi-lo)
}

// batchIndices returns the examples of step (0-based) of an epoch with the given order.
func batchIndices(perm []int, step, batch int) []int {
	lo := step * batch
	return perm[lo:min(lo+batch, len(perm))]
}

// padRows fills the rows from real on of a padded batch with copies of the first example (their weight is 0,
// so they do not count; a real input keeps every intermediate value finite, where an all-zero one need not).
func padRows(x []float32, labels []int32, real, per int) {
	for i := real; i < len(labels); i++ {
		copy(x[i*per:(i+1)*per], x[:per])
		labels[i] = labels[0]
	}
}

// imageBatch decodes and augments the examples of one step on all cores and pads the batch to full size. An
// example that cannot be read (a corrupt or empty image file) is left out of the step, as evaluation leaves it
// out, and reported to TrainRun.OnSkip: the step trains on the others (the rows after them have weight 0, like
// padding), so a run with the same files takes the same steps. A step none of whose examples can be read fails.
func (t *trainer) imageBatch(perm []int, epoch, step int) (trainBatch, error) {
	idx := batchIndices(perm, step, t.batch)
	imgs := make([]image.Image, len(idx))
	readErrs := make([]error, len(idx))
	labels := make([]int32, t.rows)
	weights := make([]float32, t.rows)
	err := parallel.ForErr(len(idx), 0, func(i int) error {
		img, label, err := t.train.Example(idx[i])
		if err != nil {
			readErrs[i] = fmt.Errorf("%s example %d: %w", t.train.Name(), idx[i], err)
			return nil
		}
		if label < 0 || label >= t.classes {
			return fmt.Errorf("%s example %d: label %d outside the head's %d classes", t.train.Name(), idx[i], label, t.classes)
		}
		imgs[i], labels[i] = img, int32(label)
		return nil
	})
	if err != nil {
		return trainBatch{}, err
	}
	n := 0 // the examples read, moved to the front in order
	for i := range idx {
		if readErrs[i] != nil {
			if t.run.OnSkip != nil {
				t.run.OnSkip(readErrs[i])
			}
			continue
		}
		imgs[n], labels[n], weights[n] = imgs[i], labels[i], 1
		n++
	}
	if n == 0 {
		return trainBatch{}, fmt.Errorf("step %d of epoch %d: none of its %d examples can be read (first: %w)",
			step+1, epoch+1, len(idx), readErrs[0])
	}
	imgs = imgs[:n]
	for i := n; i < len(idx); i++ {
		labels[i] = 0
	}
	if t.cfg.FLYP {
		// FLYP: each image's row names its prompt, class·templates + the template drawn for it.
		r, nt := promptRNG(t.cfg.Seed, epoch, step), int32(len(t.templates))
		for i := range n {
			labels[i] = labels[i]*nt + int32(r.IntN(int(nt)))
		}
	}
	pixels := t.transform.TrainParallel(imgs, augmentationRNG(t.cfg.Seed, epoch, step), 0)
	per := t.transform.Len()
	full := make([]float32, t.rows*per)
	copy(full, pixels)
	padRows(full, labels, n, per)
	size := t.transform.Size
	return trainBatch{x: full, rowDims: []int{3, size, size}, labels: labels, weights: weights, examples: n}, nil
}

// featureBatch gathers the cached features of one step (linear classifier: no augmentation).
func (t *trainer) featureBatch(perm []int, _, step int) (trainBatch, error) {
	idx := batchIndices(perm, step, t.batch)
	dim := t.feats.Dim
	x := make([]float32, t.rows*dim)
	labels := make([]int32, t.rows)
	weights := make([]float32, t.rows)
	for i, e := range idx {
		label := t.feats.Labels[e]
		if label < 0 || label >= t.classes {
			return trainBatch{}, fmt.Errorf("%s example %d: label %d outside the head's %d classes",
				t.train.Name(), e, label, t.classes)
		}
		copy(x[i*dim:(i+1)*dim], t.feats.Data[e*dim:(e+1)*dim])
		labels[i], weights[i] = int32(label), 1
	}
	padRows(x, labels, len(idx), dim)
	return trainBatch{x: x, rowDims: []int{dim}, labels: labels, weights: weights, examples: len(idx)}, nil
}
