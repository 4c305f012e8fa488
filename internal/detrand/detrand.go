// Package detrand holds random-number helpers whose results are fixed by this project, not by the Go release:
// data orders and few-shot subsets chosen from a seed must stay the same across Go upgrades (math/rand/v2's
// Shuffle and IntN are free to change their algorithms).
package detrand

import (
	"math/bits"
	"math/rand/v2"
)

// Uniform returns a uniform integer in [0, n) (n > 0) by Lemire's multiply-and-reject method.
func Uniform(rng *rand.Rand, n uint64) uint64 {
	hi, lo := bits.Mul64(rng.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(rng.Uint64(), n)
		}
	}
	return hi
}
