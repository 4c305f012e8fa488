package pipeline

import (
	"fmt"
	"runtime"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
)

// DefaultPrefetch is the number of batches prepared ahead when Config.Prefetch is 0.
const DefaultPrefetch = 2

// Config are the settings of a Loader.
type Config struct {
	// BatchSize is the number of examples per batch (> 0).
	BatchSize int
	// Transform is the preprocessing: Transform.Train when Train is set, else Transform.Eval.
	Transform preprocess.Transform
	// Train selects a shuffled order and the training augmentation; otherwise examples come in dataset order
	// with the evaluation transform.
	Train bool
	// Seed and Epoch determine the training order and augmentation.
	Seed uint64
	// Epoch is the training epoch; each epoch has its own permutation and augmentations.
	Epoch int
	// Workers is the number of decoding goroutines; 0 means runtime.NumCPU().
	Workers int
	// Prefetch bounds the work done ahead of the consumer, in batches; 0 means DefaultPrefetch.
	Prefetch int
	// DropLast leaves out the last batch when it is not full.
	DropLast bool
	// Indices, when not nil, restricts the loader to these dataset indices (in this order for evaluation, and as
	// the set to permute for training), e.g. a held-out part of a split.
	Indices []int
}

// withDefaults checks c and fills its zero fields.
func (c Config) withDefaults(n int) (Config, error) {
	if c.BatchSize <= 0 {
		return c, fmt.Errorf("pipeline: batch size must be positive, got %d", c.BatchSize)
	}
	if c.Transform.Size <= 0 || c.Transform.Std == [3]float32{} {
		return c, fmt.Errorf("pipeline: transform needs a positive Size and a non-zero Std (use preprocess.New)")
	}
	if c.Workers < 0 || c.Prefetch < 0 {
		return c, fmt.Errorf("pipeline: negative Workers (%d) or Prefetch (%d)", c.Workers, c.Prefetch)
	}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.Prefetch == 0 {
		c.Prefetch = DefaultPrefetch
	}
	for _, i := range c.Indices {
		if i < 0 || i >= n {
			return c, fmt.Errorf("pipeline: index %d outside the dataset's [0, %d)", i, n)
		}
	}
	return c, nil
}
