package wiseft

import (
	"context"
	"image"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
)

// hostLogits computes the classifier's logits on the host from clipmodel.Encoder's (normalised) image embeddings:
// [n, classes] = embedding · headᵀ + bias.
func hostLogits(t *testing.T, clf *Classifier, ds datasets.Dataset) [][]float64 {
	t.Helper()
	enc, err := clipmodel.NewEncoder(clf.Model)
	if err != nil {
		t.Fatal(err)
	}
	imgs := make([]image.Image, ds.Len())
	for i := range imgs {
		imgs[i], _, _ = ds.Example(i)
	}
	emb, err := enc.EncodeImages(clf.Model.Transform.Batch(imgs), len(imgs))
	if err != nil {
		t.Fatal(err)
	}
	w, b := clf.Model.Weights[HeadWeight], clf.Model.Weights[HeadBias]
	classes, dim := w.Shape[0], w.Shape[1]
	out := make([][]float64, len(imgs))
	for i := range out {
		out[i] = make([]float64, classes)
		for c := range classes {
			s := float64(b.Data[c])
			for k := range dim {
				s += float64(emb[i*dim+k]) * float64(w.Data[c*dim+k])
			}
			out[i][c] = s
		}
	}
	return out
}

// hostPredict is the arg-max and softmax confidence of logits restricted to classes (nil: all).
func hostPredict(logits []float64, classes []int) (int, float64) {
	if classes == nil {
		for c := range logits {
			classes = append(classes, c)
		}
	}
	best := 0
	for l, c := range classes {
		if logits[c] > logits[classes[best]] {
			best = l
		}
	}
	var sum float64
	for _, c := range classes {
		sum += math.Exp(logits[c] - logits[classes[best]])
	}
	return best, 1 / sum
}

func TestEvaluatorMatchesHostComputation(t *testing.T) {
	clf := randomClassifier(t, 4, 11)
	ds := syntheticDataset("synthetic", 4, 11, 1) // 11 examples, batches of 4: the last one is padded
	var progress [][2]int
	ev, err := NewEvaluator(clf, EvalOptions{BatchSize: 4, KeepProbs: true,
		Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	preds, err := ev.Predict(context.Background(), ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	// One call per batch as it finishes (concurrent batches may finish in either order): counts of 4, 4 and 3
	// examples, summed.
	if len(progress) != 3 || progress[2] != [2]int{11, 11} ||
		!slices.Contains([][2]int{{4, 11}, {3, 11}}, progress[0]) || !slices.Contains([]int{7, 8}, progress[1][0]) {
		t.Errorf("progress %v", progress)
	}
	logits := hostLogits(t, clf, ds)
	correct := 0
	for i, p := range preds {
		want, conf := hostPredict(logits[i], nil)
		if p.Index != i || p.Label != ds.labels[i] || p.Predicted != want {
			t.Errorf("example %d: %+v, host prediction %d", i, p, want)
		}
		if math.Abs(float64(p.Confidence)-conf) > 1e-4 {
			t.Errorf("example %d: confidence %v, host %v", i, p.Confidence, conf)
		}
		if len(p.Probs) != 4 || p.Probs[p.Predicted] != p.Confidence {
			t.Errorf("example %d: probs %v", i, p.Probs)
		}
		if want == ds.labels[i] {
			correct++
		}
	}
	distinct := map[int]bool{}
	for _, p := range preds {
		distinct[p.Predicted] = true
	}
	if len(distinct) < 2 {
		t.Errorf("every example predicted as the same class (%v): the comparison is too weak", distinct)
	}
	m, err := ev.Evaluate(context.Background(), ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 11 || m.Correct != correct || m.Top1 != float64(correct)/11 {
		t.Errorf("metrics N=%d correct=%d top1=%v, host correct=%d", m.N, m.Correct, m.Top1, correct)
	}
	if m.Dataset != "synthetic" || len(m.Confusion) != 4 {
		t.Errorf("metrics %+v", m)
	}
	if ev.e.compiles.Load() != 1 {
		t.Errorf("compiled %d times", ev.e.compiles.Load())
	}
	// limit: only the first examples.
	m5, err := ev.Evaluate(context.Background(), ds, 5)
	if err != nil {
		t.Fatal(err)
	}
	if m5.N != 5 {
		t.Errorf("limit 5: N = %d", m5.N)
	}
}

func TestEvaluatorClassSubset(t *testing.T) {
	clf := randomClassifier(t, 5, 12)
	base := syntheticDataset("subset", 3, 9, 2)
	ds := &subsetDataset{memDataset: *base, subset: []int{4, 1, 3}}
	ev, err := NewEvaluator(clf, EvalOptions{BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	preds, err := ev.Predict(context.Background(), ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, ds)
	for i, p := range preds {
		want, conf := hostPredict(logits[i], ds.subset)
		if p.Predicted != want || math.Abs(float64(p.Confidence)-conf) > 1e-4 {
			t.Errorf("example %d: predicted %d (%.4f), host %d (%.4f)", i, p.Predicted, p.Confidence, want, conf)
		}
	}
	m, err := ev.Evaluate(context.Background(), ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Confusion) != 3 || len(m.PerClassAccuracy) != 3 {
		t.Errorf("subset metrics have %d classes, want 3", len(m.Confusion))
	}

	// A dataset with another number of classes and no subset is refused; so is a bad subset.
	if _, err := ev.Evaluate(context.Background(), base, 0); err == nil || !strings.Contains(err.Error(), "ClassSubset") {
		t.Errorf("class-count mismatch: got %v", err)
	}
	bad := &subsetDataset{memDataset: *base, subset: []int{0, 5, 1}}
	if _, err := ev.Evaluate(context.Background(), bad, 0); err == nil {
		t.Error("subset class outside the classifier accepted")
	}
}

func TestEvaluatorSetWeightsWithoutRecompiling(t *testing.T) {
	zs := randomClassifier(t, 4, 13)
	ft := finetuned(zs, 14, 0.3)
	ds := syntheticDataset("alpha", 4, 6, 3)
	ev, err := NewEvaluator(zs, EvalOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, alpha := range []float64{0.3, 0.8} {
		w, err := Interpolate(zs.Model.Weights, ft.Model.Weights, alpha)
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.SetWeights(w); err != nil {
			t.Fatal(err)
		}
		got, err := ev.Predict(context.Background(), ds, 0)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := NewEvaluator(&Classifier{Model: &clipmodel.Model{Config: zs.Model.Config, Weights: w,
			Transform: zs.Model.Transform}, ClassNames: zs.ClassNames}, EvalOptions{BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh.Predict(context.Background(), ds, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, func(a, b Prediction) bool {
			return a.Predicted == b.Predicted && a.Confidence == b.Confidence && a.Label == b.Label
		}) {
			t.Errorf("α=%v: reused evaluator %+v, fresh evaluator %+v", alpha, got, want)
		}
	}
	if ev.e.compiles.Load() != 1 {
		t.Errorf("the evaluator compiled %d times over two α's", ev.e.compiles.Load())
	}
	// The two α's really give different models (otherwise the test proves nothing).
	p3, _ := Interpolate(zs.Model.Weights, ft.Model.Weights, 0.3)
	_ = ev.SetWeights(p3)
	a, _ := ev.Predict(context.Background(), ds, 0)
	p8, _ := Interpolate(zs.Model.Weights, ft.Model.Weights, 0.8)
	_ = ev.SetWeights(p8)
	b, _ := ev.Predict(context.Background(), ds, 0)
	if a[0].Confidence == b[0].Confidence {
		t.Error("α=0.3 and α=0.8 give the same confidence")
	}

	bad := p8.Clone()
	bad[HeadWeight] = clipmodel.NewTensor(3, zs.Model.Config.ProjectionDim)
	if err := ev.SetWeights(bad); err == nil || !strings.Contains(err.Error(), HeadWeight) {
		t.Errorf("wrong head shape: got %v", err)
	}
	delete(bad, HeadWeight)
	if err := ev.SetWeights(bad); err == nil || !strings.Contains(err.Error(), HeadWeight) {
		t.Errorf("missing head: got %v", err)
	}
}
