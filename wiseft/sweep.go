package wiseft

import (
	"fmt"
	"math"
	"slices"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
)

// DefaultAlphas are the mixing coefficients the paper's code sweeps: 0, 0.1, ..., 1.
//
//	res, err := wiseft.Sweep(zs, ft, wiseft.DefaultAlphas, sets)
var DefaultAlphas = []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}

// EvalSet is one dataset of a sweep, under the name its results are reported with.
//
//	sets := []wiseft.EvalSet{{Dataset: heldOut}, {Name: "MNIST-Inverted", Dataset: shifted, Limit: 2000}}
type EvalSet struct {
	// Name labels the results; empty means Dataset.Name().
	Name string
	// Dataset is evaluated with Evaluator.Evaluate.
	Dataset datasets.Dataset
	// Limit evaluates only the first Limit examples; ≤ 0 means all.
	Limit int
}

// SweepOptions tunes Sweep; the zero value is the paper's sweep.
//
//	opts := wiseft.SweepOptions{BatchSize: 64, Progress: func(a float64, set string, done, total int) {
//		fmt.Printf("\rα=%.2f %s %d/%d", a, set, done, total)
//	}}
type SweepOptions struct {
	// BatchSize is the evaluator's batch size; ≤ 0 means DefaultEvalBatchSize.
	BatchSize int
	// Workers is the number of goroutines preprocessing images; ≤ 0 means GOMAXPROCS.
	Workers int
	// AllowExtrapolation accepts α outside [0, 1] (see InterpolateOptions).
	AllowExtrapolation bool
	// Mix, when set, makes the weights for each α instead of Interpolate (e.g. a FisherMerge with
	// coefficients {1−α, α}).
	Mix func(alpha float64) (clipmodel.Weights, error)
	// Progress, when set, is called after each batch.
	Progress func(alpha float64, set string, done, total int)
	// Ensemble selects the weight-space ensemble (WiSE-FT, the default), the output-space ensemble of the two
	// classifiers (the paper's baseline, in SweepResult.Outputs) or both, on the same examples.
	Ensemble Ensemble
}

// SweepResult holds the metrics of every α on every evaluation set.
//
//	res, _ := wiseft.Sweep(zs, ft, wiseft.DefaultAlphas, sets)
//	fmt.Print(res.Table())
type SweepResult struct {
	// Alphas are the swept mixing coefficients, in the order given.
	Alphas []float64
	// Sets are the evaluation sets' names, in the order given.
	Sets []string
	// Metrics[i][j] is the result of Alphas[i] on Sets[j] (nil when the sweep evaluated only output-space
	// ensembles).
	Metrics [][]Metrics
	// Outputs[i][j] is the result of the output-space ensemble at Alphas[i] on Sets[j] (nil unless
	// SweepOptions.Ensemble asked for it).
	Outputs [][]Metrics
}

// Sweep evaluates the WiSE-FT models θ(α) = (1−α)·θ_zero-shot + α·θ_fine-tuned for every α on every set. One
// Evaluator (built from zeroShot, so the class names and preprocessing are the zero-shot classifier's) serves the
// whole sweep: each α's weights are swapped in with SetWeights, the compiled program is the same. The two
// classifiers must have exactly the same tensors and, when both list class names, the same ones.
//
//	res, err := wiseft.Sweep(zs, ft, wiseft.DefaultAlphas,
//		[]wiseft.EvalSet{{Dataset: idTest}, {Dataset: shiftA}, {Dataset: shiftB}})
//	best, err := wiseft.BestAlpha(res, idTest.Name())
//	fmt.Print(res.Table(), best)
func Sweep(zeroShot, fineTuned *Classifier, alphas []float64, sets []EvalSet,
	opts ...SweepOptions) (*SweepResult, error) {
	var o SweepOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if zeroShot == nil || zeroShot.Model == nil || fineTuned == nil || fineTuned.Model == nil {
		return nil, fmt.Errorf("sweep: both classifiers are needed")
	}
	if len(alphas) == 0 {
		return nil, fmt.Errorf("sweep: no α values")
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("sweep: no evaluation sets")
	}
	zn, fn := zeroShot.ClassNames, fineTuned.ClassNames
	if zn != nil && fn != nil && !slices.Equal(zn, fn) {
		return nil, fmt.Errorf("sweep: the zero-shot and fine-tuned classifiers have different class names")
	}
	if _, err := checkSameLayout([]string{"the zero-shot model", "the fine-tuned model"},
		[]clipmodel.Weights{zeroShot.Model.Weights, fineTuned.Model.Weights}); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	res := &SweepResult{Alphas: slices.Clone(alphas), Sets: make([]string, len(sets))}
	for j, s := range sets {
		if s.Dataset == nil {
			return nil, fmt.Errorf("sweep: evaluation set %d has no dataset", j)
		}
		res.Sets[j] = s.Name
		if res.Sets[j] == "" {
			res.Sets[j] = s.Dataset.Name()
		}
		if slices.Contains(res.Sets[:j], res.Sets[j]) {
			return nil, fmt.Errorf("sweep: two evaluation sets are named %q", res.Sets[j])
		}
	}
	mix := o.Mix
	if mix == nil {
		mix = func(alpha float64) (clipmodel.Weights, error) {
			return Interpolate(zeroShot.Model.Weights, fineTuned.Model.Weights, alpha,
				InterpolateOptions{AllowExtrapolation: o.AllowExtrapolation})
		}
	}
	if _, err := ParseEnsemble(string(o.Ensemble)); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	ev, err := NewEvaluator(zeroShot, o.BatchSize)
	if err != nil {
		return nil, err
	}
	ev.Workers = o.Workers
	if o.Ensemble.outputs() {
		if res.Outputs, err = outputSweep(ev, zeroShot, fineTuned, alphas, sets, res.Sets, o.Progress); err != nil {
			return nil, err
		}
	}
	for _, alpha := range alphas {
		if !o.Ensemble.weights() {
			break
		}
		w, err := mix(alpha)
		if err != nil {
			return nil, fmt.Errorf("sweep: α = %v: %w", alpha, err)
		}
		if err := ev.SetWeights(w); err != nil {
			return nil, fmt.Errorf("sweep: α = %v: %w", alpha, err)
		}
		row := make([]Metrics, len(sets))
		for j, s := range sets {
			if o.Progress != nil {
				name := res.Sets[j]
				ev.Progress = func(done, total int) { o.Progress(alpha, name, done, total) }
			}
			if row[j], err = ev.Evaluate(s.Dataset, s.Limit); err != nil {
				return nil, fmt.Errorf("sweep: α = %v: %w", alpha, err)
			}
			row[j].Dataset = res.Sets[j]
		}
		res.Metrics = append(res.Metrics, row)
	}
	return res, nil
}

// Index returns the position of α in the sweep, or −1.
//
//	i := res.Index(0.5)
func (r *SweepResult) Index(alpha float64) int {
	for i, a := range r.Alphas {
		if math.Abs(a-alpha) < 1e-9 {
			return i
		}
	}
	return -1
}

// SetIndex returns the position of the named evaluation set, or −1.
//
//	j := res.SetIndex("MNIST")
func (r *SweepResult) SetIndex(name string) int { return slices.Index(r.Sets, name) }

// Get returns the metrics of α on the named set.
//
//	m, ok := res.Get(0.5, "MNIST")
func (r *SweepResult) Get(alpha float64, set string) (Metrics, bool) {
	i, j := r.Index(alpha), r.SetIndex(set)
	if i < 0 || j < 0 || r.Metrics == nil {
		return Metrics{}, false
	}
	return r.Metrics[i][j], true
}
