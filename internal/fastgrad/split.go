package fastgrad

import (
	"runtime"
	"sync/atomic"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// The weight gradient of a dense layer, dW = vᵀ·x with v [N, out] and x [N, in], contracts the long row axis N
// (batch × tokens) into a small [out, in] result. SimpleGo runs such a product (at most 16 blocks of output) on its
// "small" path, which parallelises only over batch axes: a rank-2 product runs on one core. Splitting N into P
// chunks as a batch axis, dW = Σₚ vₚᵀ·xₚ, lets P cores share it, for one extra reduction of P·out·in values.
// Only graphs of the SimpleGo backend are rewritten; XLA parallelises such products itself.

// splits counts the rewritten products (tests check the rewrite happens).
var splits atomic.Int64

// splitParts is the number of chunks: 0 means automatic (runtime.NumCPU(), the size of SimpleGo's worker pool),
// 1 turns the rewrite off.
var splitParts atomic.Int64

// SetContractionSplit sets how many chunks the long contraction of a dense layer's weight gradient is split into on
// SimpleGo (0: the number of CPUs, the default; 1: off) and returns the previous setting. It applies to graphs built
// afterwards.
func SetContractionSplit(parts int) (previous int) {
	return int(splitParts.Swap(int64(max(parts, 0))))
}

// Products below these sizes are left alone: too small to be worth the split, or large enough for SimpleGo's
// "large" path, which parallelises by itself.
const (
	minSplitRows      = 256
	maxSplitCrossSize = 16 * 64 * 64 // SimpleGo's threshold between its small and large paths (float32)
)

func splitCount(g *graph.Graph) int {
	p := int(splitParts.Load())
	if p == 0 {
		p = runtime.NumCPU()
	}
	if p <= 1 || g.Backend() == nil || g.Backend().String() != "go" {
		return 1
	}
	return p
}

// contractRows computes DotGeneral(a, [0], nil, b, [0], nil) for rank-2 a [N, m] and b [N, n] (result [m, n]),
// split into chunks of rows where that helps SimpleGo; ok is false when it does not apply.
func contractRows(a, b *graph.Node) (out *graph.Node, ok bool) {
	if a.Rank() != 2 || b.Rank() != 2 || a.DType() != b.DType() {
		return nil, false
	}
	n, m, k := a.Shape().Dimensions[0], a.Shape().Dimensions[1], b.Shape().Dimensions[1]
	p := splitCount(a.Graph())
	if p <= 1 || n < minSplitRows*p || m*k > maxSplitCrossSize {
		return nil, false
	}
	for n%p != 0 && p > 1 {
		p--
	}
	if p <= 1 {
		return nil, false
	}
	as := graph.Reshape(a, p, n/p, m)
	bs := graph.Reshape(b, p, n/p, k)
	parts := graph.DotGeneral(as, []int{1}, []int{0}, bs, []int{1}, []int{0}) // [p, m, k]
	splits.Add(1)
	return graph.ReduceSum(parts, 0), true
}
