// Package fastgrad replaces the gradients GoMLX v0.26 builds for Dot and DotGeneral with ones made of matrix
// products.
//
// The stock gradient of a dot product in v0.26 broadcasts both operands to [M, K, N] and reduces: O(M·K·N) memory
// and no matrix-multiply kernel, which made a small ViT training step take a minute and gigabytes on SimpleGo. The
// gradient of C = A·B is itself two products, dA = dC·Bᵀ and dB = Aᵀ·dC; for DotGeneral the same holds with batch
// axes kept and the cross axes of the other operand contracted. Install registers these in
// graph.VJPRegistration; graphs built afterwards use them. Anything the replacement does not recognise falls
// back to the stock gradient.
package fastgrad

import (
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

var (
	once                  sync.Once
	stockDot, stockDotGen graph.VJP
	mu                    sync.Mutex
	// fallbacks counts the gradients that went to the stock implementation (tests check it stays put).
	fallbacks atomic.Int64
)

// Install registers the matrix-product gradients for Dot and DotGeneral. It is idempotent and safe to call from
// several goroutines; call it before building any graph that is differentiated.
func Install() {
	once.Do(func() {
		mu.Lock()
		defer mu.Unlock()
		stockDot = graph.VJPRegistration[graph.NodeTypeDot]
		stockDotGen = graph.VJPRegistration[graph.NodeTypeDotGeneral]
		graph.VJPRegistration[graph.NodeTypeDot] = dotVJP
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralVJP
	})
}

// UseStock puts GoMLX's own gradients back (for comparisons in tests and benchmarks) and returns a function that
// re-installs the fast ones.
func UseStock() (restore func()) {
	Install()
	mu.Lock()
	defer mu.Unlock()
	graph.VJPRegistration[graph.NodeTypeDot] = stockDot
	graph.VJPRegistration[graph.NodeTypeDotGeneral] = stockDotGen
	return func() {
		mu.Lock()
		defer mu.Unlock()
		graph.VJPRegistration[graph.NodeTypeDot] = dotVJP
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralVJP
	}
}

func dotVJP(node *graph.Node, v []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	in := node.Inputs()
	a, b := in[0], in[1]
	if a.Rank() != 2 || b.Rank() != 2 {
		fallbacks.Add(1)
		return stockDot(node, v, outputShape)
	}
	// C[m,n] = A[m,k]·B[k,n]: dA = dC·Bᵀ, dB = Aᵀ·dC, each as one contraction without materialised transposes.
	dA := graph.DotGeneral(v[0], []int{1}, nil, b, []int{1}, nil)
	dB := graph.DotGeneral(a, []int{0}, nil, v[0], []int{0}, nil)
	return []*graph.Node{dA, dB}
}

// dotGeneralAxes is what a DotGeneral node was built with.
type dotGeneralAxes struct {
	lhsContract, lhsBatch, rhsContract, rhsBatch []int
}

// readAxes returns the axes a DotGeneral node was built with. GoMLX v0.26 keeps them in the node's unexported
// inputs record (a *nodeInputsDotGeneral with fields lhsContractingAxes, lhsBatchAxes, rhsContractingAxes and
// rhsBatchAxes); reflection reads those integers without going through the node's printed description. Any
// other layout (a node of another kind, another GoMLX version) reports false, and the stock gradient is used.
func readAxes(node *graph.Node) (axes dotGeneralAxes, ok bool) {
	defer func() {
		if recover() != nil { // a field of another kind than expected
			ok = false
		}
	}()
	v := reflect.ValueOf(node)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return axes, false
	}
	in := v.Elem().FieldByName("inputs")
	if !in.IsValid() || in.Kind() != reflect.Interface || in.IsNil() {
		return axes, false
	}
	rec := in.Elem()
	if rec.Kind() == reflect.Pointer {
		rec = rec.Elem()
	}
	if rec.Kind() != reflect.Struct {
		return axes, false
	}
	lists := make([][]int, 4)
	for i, name := range []string{"lhsContractingAxes", "lhsBatchAxes", "rhsContractingAxes", "rhsBatchAxes"} {
		f := rec.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Slice {
			return axes, false
		}
		lists[i] = make([]int, f.Len())
		for k := range lists[i] {
			lists[i][k] = int(f.Index(k).Int())
		}
	}
	return dotGeneralAxes{lists[0], lists[1], lists[2], lists[3]}, true
}

// crossAxes lists, ascending, the axes of a rank-r operand that are neither contracted nor batch.
func crossAxes(rank int, contract, batch []int) []int {
	var out []int
	for a := 0; a < rank; a++ {
		if !slices.Contains(contract, a) && !slices.Contains(batch, a) {
			out = append(out, a)
		}
	}
	return out
}

func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

func dotGeneralVJP(node *graph.Node, v []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	axes, ok := readAxes(node)
	in := node.Inputs()
	if !ok || len(in) != 2 || len(v) != 1 {
		fallbacks.Add(1)
		return stockDotGen(node, v, outputShape)
	}
	lhs, rhs := in[0], in[1]
	nB := len(axes.lhsBatch)
	lhsCross := crossAxes(lhs.Rank(), axes.lhsContract, axes.lhsBatch)
	rhsCross := crossAxes(rhs.Rank(), axes.rhsContract, axes.rhsBatch)
	// The output is laid out [batch..., lhsCross..., rhsCross...].
	vBatch := seq(0, nB)
	vLhsCross := seq(nB, len(lhsCross))
	vRhsCross := seq(nB+len(lhsCross), len(rhsCross))

	// grad builds the gradient of one operand ("this"): contract v's positions of the other operand's cross axes
	// with those axes, keep the batch axes; the result is [batch..., thisCross..., otherContract (ascending)...],
	// then transposed back into this operand's axis order.
	grad := func(this *graph.Node, thisContract, thisBatch, thisCross []int, vOtherCross []int,
		other *graph.Node, otherContract, otherBatch, otherCross []int) *graph.Node {
		g := graph.DotGeneral(v[0], vOtherCross, vBatch, other, otherCross, otherBatch)
		sortedOther := slices.Sorted(slices.Values(otherContract))
		perm := make([]int, this.Rank())
		for i, a := range thisBatch {
			perm[a] = i
		}
		for j, a := range thisCross {
			perm[a] = nB + j
		}
		for i, a := range thisContract {
			perm[a] = nB + len(thisCross) + slices.Index(sortedOther, otherContract[i])
		}
		if !isIdentity(perm) {
			g = graph.TransposeAllAxes(g, perm...)
		}
		if g.DType() != this.DType() {
			g = graph.ConvertDType(g, this.DType())
		}
		return g
	}
	dLhs := grad(lhs, axes.lhsContract, axes.lhsBatch, lhsCross, vRhsCross, rhs, axes.rhsContract, axes.rhsBatch, rhsCross)
	dRhs := grad(rhs, axes.rhsContract, axes.rhsBatch, rhsCross, vLhsCross, lhs, axes.lhsContract, axes.lhsBatch, lhsCross)
	return []*graph.Node{dLhs, dRhs}
}

func isIdentity(perm []int) bool {
	for i, p := range perm {
		if i != p {
			return false
		}
	}
	return true
}
