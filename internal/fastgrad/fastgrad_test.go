package fastgrad

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func randTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// gradients returns d(sum(w ⊙ f(a, b)))/da and /db for a fixed random weighting w, so every output element
// contributes a different amount.
func gradients(t *testing.T, backend backends.Backend, f func(a, b *graph.Node) *graph.Node, a, b *tensors.Tensor) [][]float32 {
	t.Helper()
	exec := graph.MustNewExec(backend, func(a, b *graph.Node) []*graph.Node {
		out := f(a, b)
		w := graph.Sin(graph.Iota(out.Graph(), out.Shape(), 0))
		w = graph.Add(w, graph.Cos(graph.MulScalar(graph.Iota(out.Graph(), out.Shape(), out.Rank()-1), 0.7)))
		loss := graph.ReduceAllSum(graph.Mul(out, w))
		return graph.Gradient(loss, a, b)
	})
	outs := exec.MustExec(a, b)
	res := make([][]float32, len(outs))
	for i, o := range outs {
		data, err := tensors.CopyFlatData[float32](o)
		if err != nil {
			t.Fatal(err)
		}
		res[i] = data
	}
	return res
}

func TestAgainstStockGradients(t *testing.T) {
	backend, err := backends.NewWithConfig("go:ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name string
		a, b []int
		f    func(a, b *graph.Node) *graph.Node
	}{
		{"Dot matrix", []int{5, 7}, []int{7, 3}, graph.Dot},
		{"dense torch layout", []int{6, 4}, []int{5, 4}, func(a, b *graph.Node) *graph.Node {
			return graph.DotGeneral(a, []int{1}, nil, b, []int{1}, nil)
		}},
		{"batched attention scores", []int{2, 5, 3, 4}, []int{2, 6, 3, 4}, func(a, b *graph.Node) *graph.Node {
			return graph.Einsum("bqhd,bkhd->bhqk", a, b)
		}},
		{"batched attention values", []int{2, 3, 5, 6}, []int{2, 6, 3, 4}, func(a, b *graph.Node) *graph.Node {
			return graph.Einsum("bhqk,bkhd->bqhd", a, b)
		}},
		{"two contracting axes out of order", []int{3, 4, 2}, []int{2, 5, 3}, func(a, b *graph.Node) *graph.Node {
			return graph.DotGeneral(a, []int{0, 2}, nil, b, []int{2, 0}, nil)
		}},
		{"batch axes not leading", []int{4, 2, 3}, []int{3, 5, 2}, func(a, b *graph.Node) *graph.Node {
			return graph.DotGeneral(a, []int{2}, []int{1}, b, []int{0}, []int{2})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := randTensor(rng, c.a...), randTensor(rng, c.b...)
			Install()
			before := fallbacks.Load()
			fast := gradients(t, backend, c.f, a, b)
			if fallbacks.Load() != before {
				t.Fatal("the fast gradient fell back to the stock one")
			}
			restore := UseStock()
			stock := gradients(t, backend, c.f, a, b)
			restore()
			for i := range fast {
				if len(fast[i]) != len(stock[i]) {
					t.Fatalf("operand %d: %d gradient values, stock has %d", i, len(fast[i]), len(stock[i]))
				}
				for j := range fast[i] {
					if math.Abs(float64(fast[i][j]-stock[i][j])) > 1e-4 {
						t.Fatalf("operand %d element %d: fast %g, stock %g", i, j, fast[i][j], stock[i][j])
					}
				}
			}
		})
	}
}

func TestReadAxes(t *testing.T) {
	backend, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	g := graph.NewGraph(backend, "axes")
	a := graph.Parameter(g, "a", shapes.Make(dtypes.Float32, 2, 3, 4, 5))
	b := graph.Parameter(g, "b", shapes.Make(dtypes.Float32, 5, 2, 3))
	dot := graph.DotGeneral(a, []int{1, 3}, []int{0}, b, []int{2, 0}, []int{1})
	got, ok := readAxes(dot)
	want := dotGeneralAxes{[]int{1, 3}, []int{0}, []int{2, 0}, []int{1}}
	if !ok || !slices.Equal(got.lhsContract, want.lhsContract) || !slices.Equal(got.lhsBatch, want.lhsBatch) ||
		!slices.Equal(got.rhsContract, want.rhsContract) || !slices.Equal(got.rhsBatch, want.rhsBatch) {
		t.Fatalf("readAxes = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := readAxes(graph.Add(a, a)); ok {
		t.Fatal("read DotGeneral axes out of an Add node")
	}
}
