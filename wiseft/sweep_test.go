package wiseft

import (
	"context"
	"image"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft/results"
)

func TestSweep(t *testing.T) {
	zs := randomClassifier(t, 3, 31)
	ft := finetuned(zs, 32, 0.4)
	id := syntheticDataset("ID", 3, 6, 7)
	shift := syntheticDataset("Shift", 3, 5, 8)
	alphas := []float64{0, 0.5, 1}
	var calls int
	res, err := Sweep(context.Background(), zs, ft, alphas, []EvalSet{{Dataset: id}, {Name: "Shift-3", Dataset: shift, Limit: 3}},
		SweepOptions{BatchSize: 4, Progress: func(string, int, int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Metrics) != 3 || len(res.Metrics[0]) != 2 || res.Sets[1] != "Shift-3" {
		t.Fatalf("result shape %d×%d, sets %v", len(res.Metrics), len(res.Metrics[0]), res.Sets)
	}
	if calls != 2+1 { // one call per batch: each set is streamed once for all three α
		t.Errorf("%d progress calls, want 3", calls)
	}
	// The endpoints are the two classifiers themselves.
	for i, clf := range map[int]*Classifier{0: zs, 2: ft} {
		ev, err := NewEvaluator(clf, EvalOptions{BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		m, err := ev.Evaluate(context.Background(), id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Metrics[i][0]; got.Correct != m.Correct || got.MacroF1 != m.MacroF1 {
			t.Errorf("α=%v on ID: %d correct, F1 %v; the classifier alone: %d, %v", alphas[i], got.Correct, got.MacroF1, m.Correct, m.MacroF1)
		}
	}
	if m, ok := res.Get(0.5, "Shift-3"); !ok || m.N != 3 || m.Dataset != "Shift-3" {
		t.Errorf("Get(0.5, Shift-3) = %+v, %v", m, ok)
	}
	if !strings.Contains(res.Table(), "Shift-3") {
		t.Errorf("table:\n%s", res.Table())
	}
	recs := res.Records(results.Record{"model": "fixture"})
	if len(recs) != 3 || recs[1]["model"] != "fixture" {
		t.Fatalf("records %v", recs)
	}
	if a, _ := recs[1].Alpha(); a != 0.5 {
		t.Errorf("record alpha %v", a)
	}
	if top1, ok := recs[2].Top1("ID"); !ok || top1 != res.Metrics[2][0].Top1 {
		t.Errorf("record top1 %v %v", top1, ok)
	}

	// Mismatched models and bad α's are refused.
	other := randomClassifier(t, 4, 33)
	other.ClassNames = nil
	if _, err := Sweep(context.Background(), zs, other, alphas, []EvalSet{{Dataset: id}}, SweepOptions{}); err == nil || !strings.Contains(err.Error(), clipmodel.HeadPrefix) {
		t.Errorf("mismatched heads: got %v", err)
	}
	if _, err := Sweep(context.Background(), zs, ft, []float64{1.5}, []EvalSet{{Dataset: id}}, SweepOptions{}); err == nil {
		t.Error("α=1.5 accepted without AllowExtrapolation")
	}
	if _, err := Sweep(context.Background(), zs, ft, alphas, []EvalSet{{Dataset: id}, {Dataset: id}}, SweepOptions{}); err == nil {
		t.Error("duplicate set names accepted")
	}
}

// TestSweepMixesInGraphAsOnTheHost: the sweep forms θ(α) inside its program from the resident endpoints; its
// predictions must be those of an evaluator given the host's Interpolate (or FisherMerge, with random non-uniform
// Fishers) weights, bit for bit (the confidence of every example, a float32 softmax, compared exactly), for
// several α including the endpoints and α outside [0, 1].
func TestSweepMixesInGraphAsOnTheHost(t *testing.T) {
	zs := randomClassifier(t, 3, 34)
	ft := finetuned(zs, 35, 0.4)
	ds := syntheticDataset("ID", 3, 24, 9)
	fishers := [2]clipmodel.Weights{}
	for i, seed := range []uint64{40, 41} {
		fishers[i] = clipmodel.Weights{}
		r := rand.New(rand.NewPCG(seed, 1))
		for name, w := range zs.Model.Weights {
			f := clipmodel.NewTensor(w.Shape...)
			for k := range f.Data {
				f.Data[k] = float32(r.ExpFloat64() * 1e-3)
			}
			if k := len(f.Data) / 3; k > 0 {
				f.Data[k] = 0 // below the floor
			}
			fishers[i][name] = f
		}
	}
	alphas := []float64{0, 0.3, 0.5, 1, 1.25}
	for _, fisher := range []bool{false, true} {
		opts := SweepOptions{BatchSize: 5, AllowExtrapolation: true}
		if fisher {
			opts.Fisher = &FisherMix{Fishers: fishers, Floor: DefaultFisherFloor}
			alphas = alphas[:4] // FisherMerge takes non-negative coefficients
		}
		sw, err := NewSweeper(zs, ft, opts)
		if err != nil {
			t.Fatal(err)
		}
		points := make([]point, len(alphas))
		for i, a := range alphas {
			points[i] = alphaPoint(a)
		}
		got, err := sw.e.pass(context.Background(), ds, nil, points, true, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range alphas {
			var w clipmodel.Weights
			if fisher {
				w, err = FisherMerge([]clipmodel.Weights{zs.Model.Weights, ft.Model.Weights},
					[]clipmodel.Weights{fishers[0], fishers[1]}, []float64{1 - a, a}, DefaultFisherFloor)
			} else {
				w, err = Extrapolate(zs.Model.Weights, ft.Model.Weights, a)
			}
			if err != nil {
				t.Fatal(err)
			}
			m := *zs.Model
			m.Weights = w
			ev, err := NewEvaluator(&Classifier{Model: &m, ClassNames: zs.ClassNames}, EvalOptions{BatchSize: 7, KeepProbs: true})
			if err != nil {
				t.Fatal(err)
			}
			want, err := ev.Predict(context.Background(), ds, 0)
			if err != nil {
				t.Fatal(err)
			}
			for k := range want {
				g := got.preds[i][k]
				if g.Index != want[k].Index || g.Predicted != want[k].Predicted {
					t.Fatalf("fisher %v α=%v example %d: sweep predicts %d, host weights %d", fisher, a, k, g.Predicted, want[k].Predicted)
				}
				if g.Confidence != want[k].Confidence {
					t.Errorf("fisher %v α=%v example %d: confidence %v in the sweep, %v with the host's weights",
						fisher, a, k, g.Confidence, want[k].Confidence)
				}
			}
		}
	}
}

// fakeSweep builds a sweep result with given top-1 accuracies [alpha][set].
func fakeSweep(alphas []float64, sets []string, top1 [][]float64) *SweepResult {
	r := &SweepResult{Alphas: alphas, Sets: sets}
	for i := range alphas {
		row := make([]Metrics, len(sets))
		for j := range sets {
			row[j] = Metrics{Dataset: sets[j], Top1: top1[i][j]}
		}
		r.Metrics = append(r.Metrics, row)
	}
	return r
}

func TestBestAlpha(t *testing.T) {
	r := fakeSweep([]float64{1, 0.8, 0.5, 0.2, 0}, []string{"ID", "OOD"}, [][]float64{
		{0.90, 0.40}, {0.93, 0.50}, {0.91, 0.55}, {0.93, 0.58}, {0.70, 0.52}})
	best, err := BestAlpha(r, "ID")
	if err != nil {
		t.Fatal(err)
	}
	if best.Alpha != 0.2 || best.Index != 3 || best.HeldOutTop1 != 0.93 {
		t.Errorf("best %+v, want α=0.2 (tie at 0.93 with α=0.8 goes to the smaller α)", best)
	}
	if best.Half != 2 {
		t.Errorf("α=0.5 at %d, want 2", best.Half)
	}
	s := best.String()
	for _, want := range []string{"best α=0.2", "α=0.5", "α=0", "α=1", "OOD", "58.00", "55.00"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if _, err := BestAlpha(r, "nope"); err == nil {
		t.Error("unknown held-out set accepted")
	}
	noHalf := fakeSweep([]float64{0, 1}, []string{"ID"}, [][]float64{{0.5}, {0.6}})
	best, _ = BestAlpha(noHalf, "ID")
	if best.Alpha != 1 || best.Half != -1 || strings.Contains(best.String(), "α=0.5") {
		t.Errorf("without α=0.5: %+v\n%s", best, best.String())
	}
}

// countingDataset counts Example calls.
type countingDataset struct {
	datasets.Dataset
	calls atomic.Int64
}

func (c *countingDataset) Example(i int) (image.Image, int, error) {
	c.calls.Add(1)
	return c.Dataset.Example(i)
}

// TestSweepDecodesEachExampleOnce: an 11-α sweep reads every example of every set exactly once (every α runs on a
// batch while it is at hand), with several workers, and gives what one α at a time gives.
func TestSweepDecodesEachExampleOnce(t *testing.T) {
	zs := randomClassifier(t, 3, 50)
	ft := finetuned(zs, 51, 0.4)
	a := &countingDataset{Dataset: syntheticDataset("A", 3, 23, 52)}
	b := &countingDataset{Dataset: syntheticDataset("B", 3, 17, 53)}
	sets := []EvalSet{{Dataset: a}, {Dataset: b, Limit: 9}}
	sw, err := NewSweeper(zs, ft, SweepOptions{BatchSize: 4, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sw.Run(context.Background(), DefaultAlphas, sets)
	if err != nil {
		t.Fatal(err)
	}
	if a.calls.Load() != 23 || b.calls.Load() != 9 {
		t.Fatalf("Example calls: %d of A's 23 examples, %d of B's first 9; want one each", a.calls.Load(), b.calls.Load())
	}
	for i, alpha := range DefaultAlphas {
		one, err := sw.At(context.Background(), alpha, sets)
		if err != nil {
			t.Fatal(err)
		}
		for j := range sets {
			if !reflect.DeepEqual(one[j], res.Metrics[i][j]) {
				t.Errorf("α=%v %s: alone %+v, in the sweep %+v", alpha, res.Sets[j], one[j].Top1, res.Metrics[i][j].Top1)
			}
		}
	}
}
