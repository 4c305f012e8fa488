package pipeline

import (
	"math/rand/v2"

	"github.com/gowiseft/wiseft/internal/detrand"
)

// epochKey mixes the seed and the epoch into one value.
func epochKey(seed uint64, epoch int) uint64 {
	return detrand.SplitMix64(seed ^ detrand.SplitMix64(uint64(epoch)))
}

// ExampleRNG returns the generator of the training augmentation of dataset example index in the given epoch: a
// PCG seeded by (seed, epoch, index), independent of the order in which examples are processed.
func ExampleRNG(seed uint64, epoch, index int) *rand.Rand {
	return rand.New(rand.NewPCG(epochKey(seed, epoch), detrand.SplitMix64(uint64(index))))
}

// Order returns the order in which a loader visits the examples: indices (or 0..n-1 when indices is nil) as they
// are for evaluation, or permuted by (seed, epoch) for training. The permutation uses only the PCG sequence, so it
// is the same with every Go version.
func Order(n int, indices []int, train bool, seed uint64, epoch int) []int {
	order := make([]int, 0, n)
	if indices != nil {
		order = append(order, indices...)
	} else {
		for i := range n {
			order = append(order, i)
		}
	}
	if train {
		rng := rand.New(rand.NewPCG(epochKey(seed, epoch), 0x5eed))
		for i := len(order) - 1; i > 0; i-- {
			j := int(detrand.Uniform(rng, uint64(i+1)))
			order[i], order[j] = order[j], order[i]
		}
	}
	return order
}
