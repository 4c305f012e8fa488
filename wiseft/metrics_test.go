package wiseft

import (
	"encoding/json"
	"math"
	"os"
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
	// F1 per class: a: tp2 fp1 fn1 → 4/6; b: tp1 fp3 fn2 → 2/7; c: tp1 fp0 fn2 → 2/4; d is never a label and
	// does not count (WILDS' labels=unique(y_true)).
	wantF1 := (4.0/6 + 2.0/7 + 2.0/4) / 3
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
	if math.Abs(m.MeanPerClass-(4.0/3)/3) > 1e-12 || m.MacroRecall != m.MeanPerClass {
		t.Errorf("mean per class %v, macro recall %v", m.MeanPerClass, m.MacroRecall)
	}
	if m.Confusion[2][1] != 2 || m.Confusion[1][3] != 1 {
		t.Errorf("confusion %v", m.Confusion)
	}
	if _, err := MetricsFromPredictions("toy", []string{"a"}, preds); err == nil {
		t.Error("out-of-range label accepted")
	}
}

// TestMacroMetricsMatchScikitLearn compares accuracy, macro recall and macro F1 with scikit-learn's on the cases of
// testdata/macro_metrics.json (written by testdata/make_macro_metrics.py: WILDS' iwildcam eval, labels present in
// y_true only). Its f1_macro_seen, over labels and predictions, is the former definition and must differ.
func TestMacroMetricsMatchScikitLearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/macro_metrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var fix struct {
		Cases []struct {
			Classes     int
			Labels      []int
			Predictions []int
			Acc         float64
			Recall      float64 `json:"recall_macro"`
			F1          float64 `json:"f1_macro"`
			F1Seen      float64 `json:"f1_macro_seen"`
		}
	}
	if err := json.Unmarshal(raw, &fix); err != nil || len(fix.Cases) == 0 {
		t.Fatalf("fixture: %v (%d cases)", err, len(fix.Cases))
	}
	for i, c := range fix.Cases {
		preds := make([]Prediction, len(c.Labels))
		for j := range c.Labels {
			preds[j] = Prediction{Index: j, Label: c.Labels[j], Predicted: c.Predictions[j]}
		}
		m, err := MetricsFromPredictions("case", make([]string, c.Classes), preds)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"accuracy", m.Top1, c.Acc}, {"macro recall", m.MacroRecall, c.Recall}, {"macro F1", m.MacroF1, c.F1}} {
			if math.Abs(v.got-v.want) > 1e-12 {
				t.Errorf("case %d (%d classes, %d examples): %s %v, scikit-learn %v", i, c.Classes, len(c.Labels), v.name, v.got, v.want)
			}
		}
		if math.Abs(m.MacroF1-c.F1Seen) < 1e-9 {
			t.Errorf("case %d: macro F1 %v equals the labels-or-predictions average; the fixture does not tell them apart", i, m.MacroF1)
		}
	}
}
