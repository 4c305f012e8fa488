package wiseft

import (
	"context"
	"math"
	"testing"
)

// TestCrossEntropyAndEnsembleOfPredictions checks both on hand-computed cases: the loss of known probabilities, the
// endpoints at α = 0 and 1, and α = 0.5 as the renormalised geometric mean of the two softmaxes.
func TestCrossEntropyAndEnsembleOfPredictions(t *testing.T) {
	p0 := []Prediction{{Index: 0, Label: 0, Predicted: 0, Probs: []float32{0.7, 0.2, 0.1}},
		{Index: 1, Label: 2, Predicted: 1, Probs: []float32{0.1, 0.6, 0.3}}}
	p1 := []Prediction{{Index: 0, Label: 0, Predicted: 1, Probs: []float32{0.3, 0.6, 0.1}},
		{Index: 1, Label: 2, Predicted: 2, Probs: []float32{0.05, 0.15, 0.8}}}
	la, err := CrossEntropy(p0)
	if err != nil {
		t.Fatal(err)
	}
	if want := -(math.Log(0.7) + math.Log(0.3)) / 2; math.Abs(la.Loss-want) > 1e-6 || la.Accuracy != 0.5 {
		t.Errorf("CrossEntropy = %+v, want loss %v accuracy 0.5", la, want)
	}
	if _, err := CrossEntropy([]Prediction{{Label: 0}}); err == nil {
		t.Errorf("predictions without probabilities: want an error")
	}
	for _, a := range []float64{0, 1} {
		ens, err := EnsembleOfPredictions(p0, p1, a)
		if err != nil {
			t.Fatal(err)
		}
		ref := p0
		if a == 1 {
			ref = p1
		}
		for i := range ens {
			if ens[i].Predicted != ref[i].Predicted || math.Abs(float64(ens[i].Probs[1]-ref[i].Probs[1])) > 1e-6 {
				t.Errorf("α=%g example %d: %+v, want %+v", a, i, ens[i], ref[i])
			}
		}
	}
	// α = 0.5: geometric mean of the probabilities, renormalised.
	ens, _ := EnsembleOfPredictions(p0, p1, 0.5)
	g := []float64{math.Sqrt(0.7 * 0.3), math.Sqrt(0.2 * 0.6), math.Sqrt(0.1 * 0.1)}
	if want := g[0] / (g[0] + g[1] + g[2]); math.Abs(float64(ens[0].Probs[0])-want) > 1e-6 || ens[0].Predicted != 0 {
		t.Errorf("α=0.5: %+v, want p0 %v", ens[0], want)
	}
	if _, err := EnsembleOfPredictions(p0, p1[:1], 0.5); err == nil {
		t.Errorf("different lengths: want an error")
	}
}

// TestEnsembleOfPredictionsMatchesLogits checks the ensemble of saved predictions against the ensemble of logits
// (EnsemblePredictions) on the same two models: mixing log-softmaxes and mixing logits differ by a constant per
// example, so the arg-max and the softmax agree.
func TestEnsembleOfPredictionsMatchesLogits(t *testing.T) {
	zs := randomClassifier(t, 4, 51)
	ft := finetuned(zs, 52, 0.7)
	ds := syntheticDataset("plain", 4, 10, 9)
	ctx := context.Background()
	ev, err := NewEvaluator(zs, EvalOptions{BatchSize: 4, KeepProbs: true})
	if err != nil {
		t.Fatal(err)
	}
	p0, err := ev.Predict(ctx, ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	l0, err := ev.Logits(ctx, ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.SetWeights(ft.Model.Weights); err != nil {
		t.Fatal(err)
	}
	p1, err := ev.Predict(ctx, ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	l1, err := ev.Logits(ctx, ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, alpha := range []float64{0.25, 0.5, 0.8} {
		got, err := EnsembleOfPredictions(p0, p1, alpha)
		if err != nil {
			t.Fatal(err)
		}
		want, err := EnsemblePredictions(ds, l0, l1, alpha, true)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i].Index != want[i].Index {
				t.Fatalf("α=%v example %d: index %d, want %d", alpha, i, got[i].Index, want[i].Index)
			}
			for c := range want[i].Probs {
				if d := math.Abs(float64(got[i].Probs[c] - want[i].Probs[c])); d > 1e-4 {
					t.Errorf("α=%v example %d class %d: probability %v, from logits %v", alpha, i, c, got[i].Probs[c], want[i].Probs[c])
				}
			}
			if got[i].Predicted != want[i].Predicted && math.Abs(float64(got[i].Confidence-want[i].Confidence)) > 1e-4 {
				t.Errorf("α=%v example %d: predicted %d, from logits %d", alpha, i, got[i].Predicted, want[i].Predicted)
			}
		}
	}
}
