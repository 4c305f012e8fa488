package wiseft

import (
	"math"
	"testing"
)

func TestMetricsFromPredictions(t *testing.T) {
	// Labels/predictions over 4 classes; class 3 never occurs as a label, class 2 is predicted once.
	pairs := [][2]int{{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 0}, {2, 2}, {2, 1}, {2, 1}, {1, 3}}
	var preds []Prediction
	for i, p := range pairs {
		preds = append(preds, Prediction{Index: i, Label: p[0], Predicted: p[1]})
	}
	m, err := MetricsFromPredictions("toy", []string{"a", "b", "c", "d"}, preds)
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 9 || m.Correct != 4 || math.Abs(m.Top1-4.0/9) > 1e-12 {
		t.Errorf("N=%d correct=%d top1=%v", m.N, m.Correct, m.Top1)
	}
	// F1 per class: a: tp2 fp1 fn1 → 4/6; b: tp1 fp3 fn2 → 2/7; c: tp1 fp0 fn2 → 2/4; d: tp0 fp1 fn0 → 0.
	wantF1 := (4.0/6 + 2.0/7 + 2.0/4 + 0) / 4
	if math.Abs(m.MacroF1-wantF1) > 1e-12 {
		t.Errorf("macro-F1 %v, want %v", m.MacroF1, wantF1)
	}
	want := []float64{2.0 / 3, 1.0 / 3, 1.0 / 3}
	for c, w := range want {
		if math.Abs(m.PerClassAccuracy[c]-w) > 1e-12 {
			t.Errorf("class %d accuracy %v, want %v", c, m.PerClassAccuracy[c], w)
		}
	}
	if !math.IsNaN(m.PerClassAccuracy[3]) || m.Support[3] != 0 {
		t.Errorf("class without examples: accuracy %v support %d", m.PerClassAccuracy[3], m.Support[3])
	}
	if math.Abs(m.MeanPerClass-(4.0/3)/3) > 1e-12 {
		t.Errorf("mean per class %v", m.MeanPerClass)
	}
	if m.Confusion[2][1] != 2 || m.Confusion[1][3] != 1 {
		t.Errorf("confusion %v", m.Confusion)
	}
	if _, err := MetricsFromPredictions("toy", []string{"a"}, preds); err == nil {
		t.Error("out-of-range label accepted")
	}
}
