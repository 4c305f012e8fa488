package wiseft

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gowiseft/wiseft/datasets/pipeline"
)

// The data of a fine-tuning run come from the shared pipeline (datasets/pipeline): the order of an epoch and the
// random crop of each example depend only on the seed, the epoch and the example, so a resumed run sees exactly
// the batches the uninterrupted run would have seen.

// callRecovered calls f and turns a panic into an error.
func callRecovered(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return f()
}

// trainBatch is the input of one training step: x (pixels [batch, 3, size, size] or features [batch, dim]),
// labels [batch] (int32) and weights [batch] (1 for real examples, 0 for the padding of a last partial batch).
type trainBatch struct {
	x, labels, weights *tensors.Tensor
	// examples is the number of real (unpadded) examples.
	examples int
	err      error
}

func (b *trainBatch) finalize() {
	for _, t := range []*tensors.Tensor{b.x, b.labels, b.weights} {
		if t != nil {
			_ = t.FinalizeAll()
		}
	}
}

// batchIndices returns the examples of step (0-based) of an epoch with the given order.
func batchIndices(order []int, step, batch int) []int {
	lo := step * batch
	return order[lo:min(lo+batch, len(order))]
}

// padRows fills the rows from real on of a padded batch with copies of the first example (their weight is 0,
// so they do not count; a real input keeps every intermediate value finite, where an all-zero one need not).
func padRows(x []float32, labels []int32, real, per int) {
	for i := real; i < len(labels); i++ {
		copy(x[i*per:(i+1)*per], x[:per])
		labels[i] = labels[0]
	}
}

// imageBatch turns a batch of the pipeline (decoded and augmented on all cores) into a step's input, padded to
// the full batch size.
func (t *trainer) imageBatch(b pipeline.Batch) trainBatch {
	per := t.transform.Len()
	full := make([]float32, t.batch*per)
	copy(full, b.Pixels[:b.N*per])
	labels := make([]int32, t.batch)
	weights := make([]float32, t.batch)
	for i, l := range b.Labels {
		labels[i], weights[i] = int32(l), 1
	}
	padRows(full, labels, b.N, per)
	size := t.transform.Size
	return trainBatch{
		x:        tensors.FromFlatDataAndDimensions(full, t.batch, 3, size, size),
		labels:   tensors.FromFlatDataAndDimensions(labels, t.batch),
		weights:  tensors.FromFlatDataAndDimensions(weights, t.batch),
		examples: b.N,
	}
}

// featureBatch gathers the cached features of one step (linear classifier: no augmentation).
func (t *trainer) featureBatch(order []int, step int) trainBatch {
	idx := batchIndices(order, step, t.batch)
	dim := t.feats.Dim
	x := make([]float32, t.batch*dim)
	labels := make([]int32, t.batch)
	weights := make([]float32, t.batch)
	for i, e := range idx {
		label := t.feats.Labels[e]
		if label < 0 || label >= t.classes {
			return trainBatch{err: fmt.Errorf("%s example %d: label %d outside the head's %d classes",
				t.train.Name(), e, label, t.classes)}
		}
		copy(x[i*dim:(i+1)*dim], t.feats.Data[e*dim:(e+1)*dim])
		labels[i], weights[i] = int32(label), 1
	}
	padRows(x, labels, len(idx), dim)
	return trainBatch{
		x:        tensors.FromFlatDataAndDimensions(x, t.batch, dim),
		labels:   tensors.FromFlatDataAndDimensions(labels, t.batch),
		weights:  tensors.FromFlatDataAndDimensions(weights, t.batch),
		examples: len(idx),
	}
}

// prefetch prepares the batches of every step from step startStep of epoch startEpoch to the end of the run on a
// goroutine: images through one pipeline loader per epoch (decoding and augmenting up to
// pipeline.DefaultPrefetch batches ahead), cached features directly. The channel is unbuffered. Closing done
// stops the producer. After a batch with an error the channel is closed. An example that cannot be read is an
// error: a training set must be whole for the run to be reproducible.
func (t *trainer) prefetch(done <-chan struct{}, startEpoch, startStep int) <-chan trainBatch {
	out := make(chan trainBatch)
	send := func(b trainBatch) bool {
		select {
		case out <- b:
			return b.err == nil
		case <-done:
			b.finalize()
			return false
		}
	}
	go func() {
		defer close(out)
		for epoch := startEpoch; epoch < t.cfg.Epochs; epoch++ {
			first := 0
			if epoch == startEpoch {
				first = startStep
			}
			if t.feats != nil {
				order := pipeline.Order(t.n, nil, true, t.cfg.Seed, epoch)
				for step := first; step < t.stepsPerEpoch; step++ {
					var b trainBatch
					if err := callRecovered(func() error { b = t.featureBatch(order, step); return nil }); err != nil {
						b = trainBatch{err: err}
					}
					if !send(b) {
						return
					}
				}
				continue
			}
			if !t.imageEpoch(epoch, first, send) {
				return
			}
		}
	}()
	return out
}

// imageEpoch sends the batches of epoch from step first on, read through a pipeline loader; false when the run
// must stop (an error was sent, or done closed).
func (t *trainer) imageEpoch(epoch, first int, send func(trainBatch) bool) bool {
	loader, err := pipeline.New(t.train, pipeline.Config{BatchSize: t.batch, Transform: t.transform, Train: true,
		Seed: t.cfg.Seed, Epoch: epoch, Start: first * t.batch})
	if err != nil {
		return send(trainBatch{err: err})
	}
	defer loader.Close()
	for b := range loader.All() {
		if loader.Skipped() > 0 {
			s := loader.Skips()[0]
			return send(trainBatch{err: fmt.Errorf("%s example %d: %w", t.train.Name(), s.Index, s.Err)})
		}
		tb := t.imageBatch(b)
		loader.Recycle(b)
		if !send(tb) {
			return false
		}
	}
	if loader.Skipped() > 0 {
		s := loader.Skips()[0]
		return send(trainBatch{err: fmt.Errorf("%s example %d: %w", t.train.Name(), s.Index, s.Err)})
	}
	return true
}
