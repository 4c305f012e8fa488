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

// Mix64 is the finaliser of SplitMix64: a bijective scrambling of 64 bits.
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// SplitMix64 is one step of SplitMix64 (the golden-ratio increment, then Mix64), used to derive independent PCG
// streams from a seed, an epoch and an index.
func SplitMix64(x uint64) uint64 { return Mix64(x + 0x9e3779b97f4a7c15) }
