package wiseft

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// preds builds predictions of labels 0 with the given correctness (1: right, 0: wrong), indices 0, 1, ...
func predsOf(correct []int) []Prediction {
	out := make([]Prediction, len(correct))
	for i, c := range correct {
		out[i] = Prediction{Index: i, Label: 0, Predicted: 1 - c}
	}
	return out
}

func TestPairedDifferenceByHand(t *testing.T) {
	// d = a − b = (0, 1, 0, 1, −1): mean 0.2; sample variance (3 − 5·0.2²)/4 = 0.7; SE = √(0.7/5).
	a := predsOf([]int{1, 1, 0, 1, 0})
	b := predsOf([]int{1, 0, 0, 0, 1})
	d, err := PairedDifference(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(d.Diff-0.2) > 1e-15 || math.Abs(d.SE-math.Sqrt(0.14)) > 1e-15 || d.N != 5 {
		t.Errorf("got %+v, want Diff 0.2, SE %v, N 5", d, math.Sqrt(0.14))
	}
	if got := d.String(); got != "+20.00 ± 37.42" {
		t.Errorf("String() = %q", got)
	}
	if back, _ := PairedDifference(b, a); back.Diff != -d.Diff || back.SE != d.SE || back.String() != "−20.00 ± 37.42" {
		t.Errorf("reversed: %+v %q", back, back.String())
	}
	one, err := PairedDifference(a[:1], b[:1])
	if err != nil || one.Diff != 0 || !math.IsNaN(one.SE) || one.String() != "+0.00 ± n/a" {
		t.Errorf("one example: %+v (%q), %v; want Diff 0, SE NaN", one, one.String(), err)
	}
}

// TestPairedDifferenceMatchesMcNemarForm checks the standard error against the same quantity written from the
// discordant counts (b: a right and b wrong; c: the reverse), the form McNemar's test is built on:
// SE² = ((b + c) − (b − c)²/n) / (n(n − 1)).
func TestPairedDifferenceMatchesMcNemarForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		n := 2 + rng.IntN(3000)
		ca, cb := make([]int, n), make([]int, n)
		var disA, disB float64
		for i := range n {
			ca[i], cb[i] = rng.IntN(2), rng.IntN(2)
			if rng.Float64() < 0.8 { // mostly the same errors, as two models of one sweep
				cb[i] = ca[i]
			}
			if ca[i] == 1 && cb[i] == 0 {
				disA++
			}
			if ca[i] == 0 && cb[i] == 1 {
				disB++
			}
		}
		d, err := PairedDifference(predsOf(ca), predsOf(cb))
		if err != nil {
			t.Fatal(err)
		}
		fn := float64(n)
		want := math.Sqrt(((disA + disB) - (disA-disB)*(disA-disB)/fn) / (fn * (fn - 1)))
		if math.Abs(d.Diff-(disA-disB)/fn) > 1e-12 || math.Abs(d.SE-want) > 1e-12 {
			t.Errorf("trial %d (n=%d): %+v, want Diff %v SE %v", trial, n, d, (disA-disB)/fn, want)
		}
	}
}

func TestPairedDifferenceMatchesByIndex(t *testing.T) {
	a := predsOf([]int{1, 1, 0, 1, 0, 0, 1})
	b := predsOf([]int{0, 1, 1, 1, 0, 1, 0})
	want, err := PairedDifference(a, b)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := append([]Prediction(nil), b...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	got, err := PairedDifference(a, shuffled)
	if err != nil || math.Abs(got.Diff-want.Diff) > 1e-15 || math.Abs(got.SE-want.SE) > 1e-15 {
		t.Errorf("shuffled b: %+v, %v; in order %+v", got, err, want)
	}

	other := append([]Prediction(nil), b...)
	other[3].Index = 99
	relabelled := append([]Prediction(nil), b...)
	relabelled[2].Label = 5
	twice := append([]Prediction(nil), shuffled...)
	twice[0].Index = twice[1].Index
	for name, c := range map[string]struct {
		a, b []Prediction
		want string
	}{
		"shorter":     {a, b[:6], "7 predictions against 6"},
		"empty":       {nil, nil, "no predictions"},
		"other index": {a, other, "example 3 has no prediction"},
		"other label": {a, relabelled, "example 2 has label 0 on one side and 5"},
		"index twice": {a, twice, "predicted twice"},
	} {
		if _, err := PairedDifference(c.a, c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

func TestMeanDifference(t *testing.T) {
	m := MeanDifference([]Difference{{0.02, 0.003, 100}, {-0.01, 0.004, 50}})
	if math.Abs(m.Diff-0.005) > 1e-15 || math.Abs(m.SE-0.0025) > 1e-15 || m.N != 150 {
		t.Errorf("got %+v, want Diff 0.005, SE √(0.003² + 0.004²)/2 = 0.0025, N 150", m)
	}
	if e := MeanDifference(nil); !math.IsNaN(e.Diff) {
		t.Errorf("empty mean %+v", e)
	}
}

func TestTop1SE(t *testing.T) {
	m := Metrics{N: 2000, Correct: 1950, Top1: 0.975}
	if got, want := m.Top1SE(), math.Sqrt(0.975*0.025/2000); math.Abs(got-want) > 1e-15 {
		t.Errorf("Top1SE %v, want %v", got, want)
	}
	if !math.IsNaN((Metrics{}).Top1SE()) {
		t.Error("no examples: want NaN")
	}
}

// TestSweepPaired checks the sweep's paired results against the classifiers' own predictions: the endpoints
// compared with themselves are exactly zero, each difference is the difference of the two top-1 accuracies, and
// the standard error is PairedDifference's on Predict's output.
func TestSweepPaired(t *testing.T) {
	zs := randomClassifier(t, 3, 41)
	ft := finetuned(zs, 42, 0.6)
	id := syntheticDataset("ID", 3, 9, 7)
	shift := syntheticDataset("Shift", 3, 8, 8)
	sets := []EvalSet{{Dataset: id}, {Dataset: shift}}
	alphas := []float64{0, 0.5, 1}
	res, err := Sweep(context.Background(), zs, ft, alphas, sets, SweepOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Paired == nil {
		t.Fatal("no paired results, though α = 0 and α = 1 were swept")
	}
	for j := range res.Sets {
		for i := range alphas {
			p := res.Paired[i][j]
			if want := res.Metrics[i][j].Top1 - res.Metrics[0][j].Top1; math.Abs(p.ZeroShot.Diff-want) > 1e-12 {
				t.Errorf("α=%v %s vs zero-shot: %v, top-1s differ by %v", alphas[i], res.Sets[j], p.ZeroShot.Diff, want)
			}
			if want := res.Metrics[i][j].Top1 - res.Metrics[2][j].Top1; math.Abs(p.FineTuned.Diff-want) > 1e-12 {
				t.Errorf("α=%v %s vs fine-tuned: %v, top-1s differ by %v", alphas[i], res.Sets[j], p.FineTuned.Diff, want)
			}
		}
		if z, f := res.Paired[0][j].ZeroShot, res.Paired[2][j].FineTuned; z.Diff != 0 || z.SE != 0 || f.Diff != 0 || f.SE != 0 {
			t.Errorf("%s: an endpoint against itself: %+v, %+v", res.Sets[j], z, f)
		}
	}
	predict := func(c *Classifier) []Prediction {
		ev, err := NewEvaluator(c, EvalOptions{BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		p, err := ev.Predict(context.Background(), shift, 0)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	want, err := PairedDifference(predict(ft), predict(zs))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Paired[2][1].ZeroShot; got != want {
		t.Errorf("fine-tuned − zero-shot on Shift: sweep %+v, Predict %+v", got, want)
	}
	if p, ok := res.PairedMean(1, []string{"ID", "Shift"}); !ok ||
		math.Abs(p.ZeroShot.Diff-(res.Paired[2][0].ZeroShot.Diff+res.Paired[2][1].ZeroShot.Diff)/2) > 1e-15 {
		t.Errorf("PairedMean(1, both) = %+v, %v", p, ok)
	}
	if _, ok := res.PairedMean(0.3, []string{"ID"}); ok {
		t.Error("PairedMean of an α not swept reported ok")
	}
	if _, ok := res.PairedMean(0.5, []string{"nope"}); ok {
		t.Error("PairedMean of an unknown set reported ok")
	}
	sum := res.PairedSummary("ID", []string{"Shift"})
	for _, w := range []string{"ID − FT", "shifts − ZS", res.Paired[1][0].FineTuned.String(), "·"} {
		if !strings.Contains(sum, w) {
			t.Errorf("PairedSummary lacks %q:\n%s", w, sum)
		}
	}
	recs := res.Records(nil)
	for _, key := range []string{"Shift:top1_vs_zeroshot", "Shift:top1_vs_zeroshot_se", "ID:top1_vs_finetuned_se", "ID:top1_se"} {
		if _, ok := recs[1][key]; !ok {
			t.Errorf("record of α = 0.5 lacks %q: %v", key, recs[1])
		}
	}
	if recs[1]["Shift:top1_vs_zeroshot"] != res.Paired[1][1].ZeroShot.Diff {
		t.Errorf("record %v, sweep %v", recs[1]["Shift:top1_vs_zeroshot"], res.Paired[1][1].ZeroShot.Diff)
	}

	// Without both endpoints there is nothing to pair with, and nothing extra is evaluated.
	half, err := Sweep(context.Background(), zs, ft, []float64{0, 0.5}, sets, SweepOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if half.Paired != nil || half.PairedSummary("ID", []string{"Shift"}) != "" {
		t.Errorf("a sweep without α = 1 has paired results: %v", half.Paired)
	}
	if _, ok := half.Records(nil)[0]["ID:top1_vs_zeroshot"]; ok {
		t.Error("a sweep without α = 1 writes paired keys")
	}
}
