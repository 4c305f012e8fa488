package wiseft

import (
	"fmt"
	"image"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
)

// pixelBatch is a chunk of a dataset, decoded and preprocessed: rows·3·size·size CHW floats, of which the first
// len(indices) rows are examples and the rest zero padding.
type pixelBatch struct {
	indices []int // dataset indices of the examples
	labels  []int
	pixels  []float32
	rows    int
	err     error
	skipped []error // examples that could not be read (corrupt files), left out of the batch
}

// loadBatch reads the examples at indices from ds on up to workers goroutines, preprocesses them with
// tf.EvalParallel and pads the pixels with zero rows up to rows (rows < len(indices) means no padding).
func loadBatch(ds datasets.Dataset, indices []int, tf preprocess.Transform, rows, workers int) *pixelBatch {
	n := len(indices)
	b := &pixelBatch{indices: slices.Clone(indices), labels: make([]int, n), rows: max(rows, n)}
	imgs := make([]image.Image, n)
	errs := make([]error, n)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				imgs[k], b.labels[k], errs[k] = ds.Example(indices[k])
			}
		})
	}
	wg.Wait()
	// An example that cannot be read (a corrupt or non-image file in a large dataset) is left out and counted;
	// the caller reports the count at the end.
	kept := 0
	for k, err := range errs {
		if err == nil && imgs[k] == nil {
			err = fmt.Errorf("no image")
		}
		if err != nil {
			b.skipped = append(b.skipped, fmt.Errorf("%s example %d: %w", ds.Name(), indices[k], err))
			continue
		}
		imgs[kept], b.labels[kept], b.indices[kept] = imgs[k], b.labels[k], b.indices[k]
		kept++
	}
	imgs, b.labels, b.indices = imgs[:kept], b.labels[:kept], b.indices[:kept]
	n = kept
	b.pixels = tf.EvalParallel(imgs, workers)
	if b.rows > n {
		b.pixels = append(b.pixels, make([]float32, (b.rows-n)*tf.Len())...)
	}
	return b
}

// streamBatches loads indices in chunks of size batch on a background goroutine, one chunk ahead of the consumer
// (so decoding and preprocessing overlap the model). Every chunk is padded to batch rows when pad is set. The
// consumer must call stop when done (early or not); a chunk with err set ends the stream.
func streamBatches(ds datasets.Dataset, indices []int, batch int, pad bool, tf preprocess.Transform,
	workers int) (batches <-chan *pixelBatch, stop func()) {
	out := make(chan *pixelBatch, 1)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for lo := 0; lo < len(indices); lo += batch {
			hi := min(lo+batch, len(indices))
			rows := 0
			if pad {
				rows = batch
			}
			b := loadBatch(ds, indices[lo:hi], tf, rows, workers)
			select {
			case out <- b:
			case <-done:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() {
			close(done)
			for range out { // let the producer finish its current chunk and exit
			}
		})
	}
}

// firstN returns the indices 0..n-1, n being limit clipped to [1, total] (limit ≤ 0 means total).
func firstN(total, limit int) []int {
	n := total
	if limit > 0 && limit < total {
		n = limit
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
