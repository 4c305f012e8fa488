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
