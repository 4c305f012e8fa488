package trainloop

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func execGraph(t *testing.T, fn any, args ...any) []*tensors.Tensor {
	t.Helper()
	b, err := backends.NewWithConfig("go:ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	e, err := graph.NewExecAny(b, fn)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCosineLR(t *testing.T) {
	const base = 1e-3
	cases := []struct {
		warmup, total, step int
		want                float64
	}{
		{500, 1000, 0, base / 500},
		{500, 1000, 249, base / 2},
		{500, 1000, 499, base},
		{500, 1000, 500, base},                                   // cos(0)
		{500, 1000, 750, base / 2},                               // cos(π/2)
		{500, 1000, 625, base * 0.5 * (1 + math.Cos(math.Pi/4))}, // 0.8536·base
		{500, 1000, 999, base * 0.5 * (1 + math.Cos(math.Pi*499/500))},
		{500, 1000, 1000, 0},
		{0, 10, 0, base},
		{0, 10, 5, base / 2},
		{10, 4, 3, base * 4 / 10}, // still warming up when the run ends
	}
	for _, c := range cases {
		if got := CosineLR(base, c.warmup, c.total, c.step); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("CosineLR(warmup %d, total %d, step %d) = %.10g, want %.10g", c.warmup, c.total, c.step, got, c.want)
		}
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	a, b := []float32{3, 4}, [][]float32{{12}}
	// ‖(3, 4, 12)‖ = 13.
	for _, c := range []struct {
		name    string
		clip    func([]*graph.Node, float64) ([]*graph.Node, *graph.Node)
		maxNorm float64
		scale   float64
	}{
		{"pytorch", ClipByGlobalNorm, 1, 1 / (13 + 1e-6)}, {"pytorch", ClipByGlobalNorm, 6.5, 6.5 / (13 + 1e-6)},
		{"pytorch", ClipByGlobalNorm, 100, 1}, {"pytorch", ClipByGlobalNorm, 0, 1},
		{"max", ClipToMaxNorm, 1, 1.0 / 13}, {"max", ClipToMaxNorm, 6.5, 0.5}, {"max", ClipToMaxNorm, 100, 1},
	} {
		out := execGraph(t, func(x, y *graph.Node) []*graph.Node {
			clipped, norm := c.clip([]*graph.Node{x, y}, c.maxNorm)
			return []*graph.Node{clipped[0], clipped[1], norm, GlobalNorm(clipped)}
		}, a, b)
		if norm := tensors.ToScalar[float32](out[2]); math.Abs(float64(norm)-13) > 1e-5 {
			t.Errorf("global norm %g, want 13", norm)
		}
		ga := out[0].Value().([]float32)
		gb := out[1].Value().([][]float32)
		for i, v := range []float32{ga[0], ga[1], gb[0][0]} {
			want := float64([]float32{3, 4, 12}[i]) * c.scale
			if math.Abs(float64(v)-want) > 1e-6 {
				t.Errorf("%s, max norm %g: gradient %d = %g, want %g", c.name, c.maxNorm, i, v, want)
			}
		}
		if after := float64(tensors.ToScalar[float32](out[3])); c.maxNorm > 0 && after > c.maxNorm+1e-5 {
			t.Errorf("max norm %g: norm after clipping %g", c.maxNorm, after)
		}
	}
}
