package wiseft

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/gowiseft/wiseft/clipmodel"
)

func ftExecGraph(t *testing.T, fn any, args ...any) []*tensors.Tensor {
	t.Helper()
	b, err := clipmodel.Backend()
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

func TestSmoothedCrossEntropyHandCase(t *testing.T) {
	logits := [][]float32{{1, 2, 3}, {0.5, -1, 0}, {9, 9, 9}}
	labels := []int32{2, 0, 1}
	weights := []float32{1, 1, 0} // the last row is padding
	const ls = 0.1
	// By hand: log p = x − log Σ exp(x).
	var want float64
	for i := 0; i < 2; i++ {
		var z float64
		for _, x := range logits[i] {
			z += math.Exp(float64(x))
		}
		var meanNegLogP float64
		for _, x := range logits[i] {
			meanNegLogP += -(float64(x) - math.Log(z)) / 3
		}
		nll := -(float64(logits[i][labels[i]]) - math.Log(z))
		want += ((1-ls)*nll + ls*meanNegLogP) / 2
	}
	// Row 0: log Σ exp = 3.40761, nll 0.40761, smooth 1.40761; row 1: log Σ exp = 1.10413, nll 0.60413, smooth
	// 1.27080: (0.9·0.40761 + 0.1·1.40761 + 0.9·0.60413 + 0.1·1.27080)/2 = (0.50761 + 0.67080)/2 = 0.58921.
	if math.Abs(want-0.58921) > 1e-4 {
		t.Fatalf("hand computation %g", want)
	}
	out := ftExecGraph(t, func(l, y, w *graph.Node) (*graph.Node, *graph.Node) {
		return SmoothedCrossEntropy(l, y, w, ls), SmoothedCrossEntropy(l, y, nil, 0)
	}, logits, labels, weights)
	if got := tensors.ToScalar[float32](out[0]); math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("smoothed loss %g, want %g", got, want)
	}
	// Plain cross-entropy, unweighted, over all three rows (the third: −log(1/3)).
	plain := (0.40760596 + (-(0.5 - math.Log(math.Exp(0.5)+math.Exp(-1)+1))) + math.Log(3)) / 3
	if got := tensors.ToScalar[float32](out[1]); math.Abs(float64(got)-plain) > 1e-6 {
		t.Errorf("cross-entropy %g, want %g", got, plain)
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	a, b := []float32{3, 4}, [][]float32{{12}}
	// ‖(3, 4, 12)‖ = 13.
	for _, c := range []struct {
		maxNorm float64
		scale   float64
	}{{1, 1 / (13 + 1e-6)}, {6.5, 6.5 / (13 + 1e-6)}, {100, 1}, {0, 1}} {
		out := ftExecGraph(t, func(x, y *graph.Node) []*graph.Node {
			clipped, norm := ClipByGlobalNorm([]*graph.Node{x, y}, c.maxNorm)
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
				t.Errorf("max norm %g: gradient %d = %g, want %g", c.maxNorm, i, v, want)
			}
		}
		if after := float64(tensors.ToScalar[float32](out[3])); c.maxNorm > 0 && after > c.maxNorm+1e-5 {
			t.Errorf("max norm %g: norm after clipping %g", c.maxNorm, after)
		}
	}
}
