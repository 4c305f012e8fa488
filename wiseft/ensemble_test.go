package wiseft

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// TestEnsemblePredictionsMatchHost checks the output-space ensemble against logits computed on the host from the
// two models' image embeddings and heads: (1−α)·z0 + α·z1, then the dataset's label space (here ObjectNet-like
// groups read by their largest logit), then the arg-max.
func TestEnsemblePredictionsMatchHost(t *testing.T) {
	zs := randomClassifier(t, 5, 41)
	ft := finetuned(zs, 42, 0.6)
	base := syntheticDataset("groups", 3, 10, 9)
	cases := []struct {
		name   string
		ds     datasets.Dataset
		groups [][]int
	}{
		{"plain", syntheticDataset("plain", 5, 10, 9), [][]int{{0}, {1}, {2}, {3}, {4}}},
		{"groups", &groupsDataset{memDataset: *base, groups: [][]int{{4, 0}, {2}, {1, 3}}}, [][]int{{4, 0}, {2}, {1, 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := NewEvaluator(zs, EvalOptions{BatchSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			l0, err := ev.Logits(context.Background(), c.ds, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := ev.SetWeights(ft.Model.Weights); err != nil {
				t.Fatal(err)
			}
			l1, err := ev.Logits(context.Background(), c.ds, 0)
			if err != nil {
				t.Fatal(err)
			}
			h0, h1 := hostLogits(t, zs, c.ds), hostLogits(t, ft, c.ds)
			for _, alpha := range []float64{0, 0.3, 0.5, 1} {
				preds, err := EnsemblePredictions(c.ds, l0, l1, alpha, true)
				if err != nil {
					t.Fatal(err)
				}
				for i, p := range preds {
					best, bestLogit, margin := 0, math.Inf(-1), math.Inf(1)
					for l, g := range c.groups {
						x := math.Inf(-1)
						for _, k := range g {
							x = max(x, (1-alpha)*h0[i][k]+alpha*h1[i][k])
						}
						if x > bestLogit {
							margin = min(margin, x-bestLogit)
							best, bestLogit = l, x
						} else {
							margin = min(margin, bestLogit-x)
						}
					}
					if p.Predicted != best && margin > 1e-3 {
						t.Errorf("α=%v example %d: predicted %d, the host ensemble says %d", alpha, i, p.Predicted, best)
					}
					var sum float32
					for _, q := range p.Probs {
						sum += q
					}
					if math.Abs(float64(sum)-1) > 1e-5 || p.Index != i {
						t.Errorf("α=%v example %d: probabilities sum to %v, index %d", alpha, i, sum, p.Index)
					}
				}
			}
			if _, err := EnsemblePredictions(c.ds, l0, &DatasetLogits{Classes: 5}, 0.5, false); err == nil {
				t.Error("logits of different examples were ensembled")
			}
		})
	}
}

// TestSweepOutputEnsemble sweeps both ensembles on the same examples: at α = 0 and α = 1 they are the same models
// and agree; the records carry the output ensemble's keys beside WiSE-FT's, and an outputs-only sweep has no
// weight-space results.
func TestSweepOutputEnsemble(t *testing.T) {
	zs := randomClassifier(t, 3, 31)
	ft := finetuned(zs, 32, 0.8)
	sets := []EvalSet{{Dataset: syntheticDataset("ID", 3, 9, 7)}, {Name: "Shift", Dataset: syntheticDataset("S", 3, 7, 8), Limit: 5}}
	alphas := []float64{0, 0.25, 0.5, 1}
	res, err := Sweep(context.Background(), zs, ft, alphas, sets, SweepOptions{BatchSize: 4, Ensemble: EnsembleBoth})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) != len(alphas) || len(res.Metrics) != len(alphas) {
		t.Fatalf("%d output rows, %d weight rows", len(res.Outputs), len(res.Metrics))
	}
	for _, i := range []int{0, 3} {
		for j := range sets {
			w, o := res.Metrics[i][j], res.Outputs[i][j]
			if w.Correct != o.Correct || w.N != o.N || o.Dataset != res.Sets[j] {
				t.Errorf("α=%v %s: weights %d/%d correct, outputs %d/%d", alphas[i], res.Sets[j], w.Correct, w.N, o.Correct, o.N)
			}
		}
	}
	recs := res.Records(nil)
	for _, k := range []string{"ID:top1", "ID:output_ensemble_top1", "Shift:output_ensemble_f1", "Shift:top1"} {
		if _, ok := recs[2][k]; !ok {
			t.Errorf("record lacks %s: %v", k, recs[2])
		}
	}
	if got := recs[1]["ID:output_ensemble_top1"]; got != res.Outputs[1][0].Top1 {
		t.Errorf("output ensemble top1 %v, want %v", got, res.Outputs[1][0].Top1)
	}
	if out := res.OutputResult(); out == nil || !strings.Contains(out.Table(), "Shift") {
		t.Error("OutputResult has no table")
	}

	only, err := Sweep(context.Background(), zs, ft, alphas, sets, SweepOptions{BatchSize: 4, Ensemble: EnsembleOutputs})
	if err != nil {
		t.Fatal(err)
	}
	if only.Metrics != nil || only.Table() != "" || only.Outputs[2][0].Correct != res.Outputs[2][0].Correct {
		t.Errorf("outputs-only sweep: metrics %v, outputs %+v", only.Metrics, only.Outputs[2][0])
	}
	if r := only.Records(nil)[0]; r["ID:top1"] != nil || r["ID:output_ensemble_top1"] == nil {
		t.Errorf("outputs-only record %v", r)
	}
	if _, err := BestAlpha(only, "ID"); err == nil {
		t.Error("BestAlpha of a sweep without weight-space results")
	}
	if _, err := Sweep(context.Background(), zs, ft, alphas, sets, SweepOptions{Ensemble: "logits"}); err == nil {
		t.Error("unknown ensemble accepted")
	}
}
