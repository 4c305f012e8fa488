package wiseft

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/gowiseft/wiseft/datasets"
)

// Output-space ensembles are the paper's baseline for WiSE-FT: instead of one model with interpolated weights, run
// both models and mix their outputs, (1−α)·f(x; θ_zero-shot) + α·f(x; θ_fine-tuned), at twice the inference cost.
// The outputs mixed are the classifiers' logits over all their classes; a dataset covering some of them
// (datasets.ClassSubset, ClassGroups) then reads the mixed logits as for a single model. (For an ordinary dataset
// this is the same arg-max as mixing log-probabilities, which differ from the logits by one constant per example.)

// Ensemble selects which ensembles a sweep evaluates for each α.
type Ensemble string

const (
	// EnsembleWeights is WiSE-FT, the weight-space ensemble (the default, also meant by "").
	EnsembleWeights Ensemble = "weights"
	// EnsembleOutputs is the output-space ensemble only.
	EnsembleOutputs Ensemble = "outputs"
	// EnsembleBoth evaluates both on the same examples.
	EnsembleBoth Ensemble = "both"
)

// ParseEnsemble reads "weights", "outputs" or "both" ("" is weights).
func ParseEnsemble(s string) (Ensemble, error) {
	switch e := Ensemble(s); e {
	case "", EnsembleWeights:
		return EnsembleWeights, nil
	case EnsembleOutputs, EnsembleBoth:
		return e, nil
	}
	return "", fmt.Errorf("ensemble %q: want %q, %q or %q", s, EnsembleWeights, EnsembleOutputs, EnsembleBoth)
}

// weights and outputs report what e evaluates.
func (e Ensemble) weights() bool { return e == "" || e == EnsembleWeights || e == EnsembleBoth }
func (e Ensemble) outputs() bool { return e == EnsembleOutputs || e == EnsembleBoth }

// DatasetLogits are one classifier's logits on the examples of a dataset that could be read, in order.
type DatasetLogits struct {
	// Indices and Labels are the examples' indices in the dataset and their labels.
	Indices, Labels []int
	// Classes is the classifier's number of classes; Data holds len(Indices) rows of Classes logits.
	Classes int
	Data    []float32
	// Skipped counts the examples that could not be read; SkipErrors holds the first few reasons.
	Skipped    int
	SkipErrors []string
}

// Row returns the logits of the i-th example.
func (l *DatasetLogits) Row(i int) []float32 { return l.Data[i*l.Classes : (i+1)*l.Classes] }

// Logits runs the classifier over the first limit examples of ds (limit ≤ 0: all) and keeps its raw logits, over
// all of the classifier's classes, for an output-space ensemble (they take examples × classes × 4 bytes).
//
//	l0, _ := ev.Logits(ctx, ds, 0) // with the zero-shot weights
//	_ = ev.SetWeights(ft.Model.Weights)
//	l1, _ := ev.Logits(ctx, ds, 0)
//	m, _ := wiseft.OutputEnsembleMetrics(ds, l0, l1, 0.5)
func (e *Evaluator) Logits(ctx context.Context, ds datasets.Dataset, limit int) (*DatasetLogits, error) {
	if ds == nil {
		return nil, fmt.Errorf("evaluator: no dataset")
	}
	r, err := e.e.pass(ctx, ds, firstN(ds.Len(), limit), []point{{}}, false, []int{0}, e.opts.Progress)
	if err != nil {
		return nil, fmt.Errorf("evaluator: %w", err)
	}
	return passLogits(r, 0, e.e.classes), nil
}

// passLogits is the logits of point i of a pass as DatasetLogits.
func passLogits(r *passResult, i, classes int) *DatasetLogits {
	out := &DatasetLogits{Classes: classes, Data: r.logits[i], Skipped: r.skips.count}
	for _, p := range r.preds[i] {
		out.Indices, out.Labels = append(out.Indices, p.Index), append(out.Labels, p.Label)
	}
	for _, s := range r.skips.first {
		out.SkipErrors = append(out.SkipErrors, s.Error())
	}
	return out
}

// EnsemblePredictions returns the predictions of the output-space ensemble of two classifiers on ds: for each
// example the logits (1−α)·z0 + α·z1, read in ds's label space as Evaluator.Predict reads one model's (with the
// whole softmax when keepProbs). z0 and z1 must hold the same examples (Evaluator.Logits of the same dataset and
// limit).
//
//	preds, err := wiseft.EnsemblePredictions(ds, l0, l1, 0.3, false)
func EnsemblePredictions(ds datasets.Dataset, z0, z1 *DatasetLogits, alpha float64, keepProbs bool) ([]Prediction, error) {
	if z0 == nil || z1 == nil {
		return nil, fmt.Errorf("output ensemble: missing logits")
	}
	if z0.Classes != z1.Classes || !slices.Equal(z0.Indices, z1.Indices) || !slices.Equal(z0.Labels, z1.Labels) {
		return nil, fmt.Errorf("output ensemble of %s: the two models' logits are of different examples or classes", ds.Name())
	}
	project, err := projection(ds, z0.Classes)
	if err != nil {
		return nil, err
	}
	preds := make([]Prediction, len(z0.Indices))
	row := make([]float32, z0.Classes)
	for i := range z0.Indices {
		a, b := z0.Row(i), z1.Row(i)
		for c := range row {
			row[c] = float32((1-alpha)*float64(a[c]) + alpha*float64(b[c]))
		}
		preds[i] = predict(z0.Indices[i], z0.Labels[i], row, project, keepProbs)
	}
	return preds, nil
}

// EnsembleOfPredictions returns the predictions of the output-space ensemble of two models from their saved
// predictions (EnsemblePredictions does the same from logits): the arg-max and softmax of
// (1−α)·log p0 + α·log p1, which is the ensemble of their logits (log-probabilities differ from logits by a
// constant per example, which the softmax removes). p0 and p1 are the two models' predictions on the same
// examples, made with EvalOptions.KeepProbs.
func EnsembleOfPredictions(p0, p1 []Prediction, alpha float64) ([]Prediction, error) {
	if len(p0) != len(p1) {
		return nil, fmt.Errorf("output ensemble of %d and %d predictions", len(p0), len(p1))
	}
	out := make([]Prediction, len(p0))
	for i := range p0 {
		a, b := p0[i], p1[i]
		if a.Index != b.Index || a.Label != b.Label || len(a.Probs) != len(b.Probs) || len(a.Probs) == 0 {
			return nil, fmt.Errorf("output ensemble: predictions %d differ in example, label or probabilities "+
				"(set EvalOptions.KeepProbs)", i)
		}
		z := make([]float64, len(a.Probs))
		best := 0
		for k := range z {
			z[k] = (1-alpha)*math.Log(max(float64(a.Probs[k]), 1e-30)) + alpha*math.Log(max(float64(b.Probs[k]), 1e-30))
			if z[k] > z[best] {
				best = k
			}
		}
		var sum float64
		for k := range z {
			sum += math.Exp(z[k] - z[best])
		}
		probs := make([]float32, len(z))
		for k := range z {
			probs[k] = float32(math.Exp(z[k]-z[best]) / sum)
		}
		out[i] = Prediction{Index: a.Index, Label: a.Label, Predicted: best, Confidence: probs[best], Probs: probs}
	}
	return out, nil
}

// OutputEnsembleMetrics is DatasetMetrics of EnsemblePredictions: the metrics of the output-space ensemble at α.
func OutputEnsembleMetrics(ds datasets.Dataset, z0, z1 *DatasetLogits, alpha float64) (Metrics, error) {
	preds, err := EnsemblePredictions(ds, z0, z1, alpha, false)
	if err != nil {
		return Metrics{}, err
	}
	m, err := DatasetMetrics(ds, preds)
	if err != nil {
		return Metrics{}, err
	}
	m.Skipped, m.SkipErrors = z0.Skipped, slices.Clone(z0.SkipErrors)
	return m, nil
}

// projection is the label space of ds for a classifier of numClasses classes (see labelSpace).
func projection(ds datasets.Dataset, numClasses int) ([][]int, error) {
	return labelSpace(ds, numClasses)
}
