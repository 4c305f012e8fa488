package wiseft

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
)

// DefaultAlphas are the mixing coefficients the paper's code sweeps: 0, 0.1, ..., 1.
//
//	res, err := wiseft.Sweep(ctx, zs, ft, wiseft.DefaultAlphas, sets, wiseft.SweepOptions{})
var DefaultAlphas = []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}

// EvalSet is one dataset of a sweep, under the name its results are reported with.
//
//	sets := []wiseft.EvalSet{{Dataset: heldOut}, {Name: "MNIST-Inverted", Dataset: shifted, Limit: 2000}}
type EvalSet struct {
	// Name labels the results; empty means Dataset.Name().
	Name string
	// Dataset is the set evaluated.
	Dataset datasets.Dataset
	// Limit evaluates only the first Limit examples; ≤ 0 means all.
	Limit int
	// Indices, when not nil, evaluates exactly these examples, in this order (Limit is then ignored), e.g. a
	// subsample for a quick estimate.
	Indices []int
}

// indices lists the examples of s to evaluate.
func (s EvalSet) indices() []int {
	if s.Indices != nil {
		return s.Indices
	}
	return firstN(s.Dataset.Len(), s.Limit)
}

// SweepOptions tunes Sweep; the zero value is the paper's sweep.
//
//	opts := wiseft.SweepOptions{BatchSize: 64, Progress: func(set string, done, total int) {
//		fmt.Printf("\r%s %d/%d", set, done, total)
//	}}
type SweepOptions struct {
	// BatchSize, Workers, Devices and DecodeWorkers are as in EvalOptions.
	BatchSize, Workers, Devices, DecodeWorkers int
	// AllowExtrapolation accepts α outside [0, 1]: θ(α) then lies on the line through the two models, beyond one
	// of them.
	AllowExtrapolation bool
	// Fisher, when set, makes each α's model the Fisher-weighted merge of the two (FisherMerge with coefficients
	// {1−α, α}) instead of the interpolation.
	Fisher *FisherMix
	// Progress, when set, is called after each batch with the set, the examples done and the set's total. Every
	// α runs on a batch while it is at hand, so each set is reported once.
	Progress func(set string, done, total int)
	// Ensemble selects the weight-space ensemble (WiSE-FT, the default), the output-space ensemble of the two
	// classifiers (the paper's baseline, in SweepResult.Outputs) or both. Both come from the same pass over each
	// set: the output-space ensemble mixes the logits of α = 0 and α = 1, which the program computes on every
	// batch anyway.
	Ensemble Ensemble
}

// FisherMix is the Fisher-weighted merge of a sweep's two models (see FisherMerge): their diagonal Fishers (a
// tensor absent from both gets plain interpolation) and the floor applied to every Fisher value.
type FisherMix struct {
	Fishers [2]clipmodel.Weights
	Floor   float64
}

// SweepResult holds the metrics of every α on every evaluation set.
//
//	res, _ := wiseft.Sweep(ctx, zs, ft, wiseft.DefaultAlphas, sets, wiseft.SweepOptions{})
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
	// Paired[i][j] compares Alphas[i] with the endpoints α = 0 (zero-shot) and α = 1 (fine-tuned) on Sets[j],
	// example by example, with paired standard errors (see Difference, PairedMean, PairedSummary). It is filled
	// when both endpoints are among the weight-space α, at no extra cost (their predictions are at hand), and nil
	// otherwise.
	Paired [][]Paired
}

// Sweeper evaluates WiSE-FT models θ(α) = (1−α)·θ_zero-shot + α·θ_fine-tuned. Both endpoints are resident in one
// compiled program and θ(α) is formed inside it, with α an input, by Interpolate's arithmetic (float64, rounded
// once: the program's weights are Interpolate's bit for bit); so one program serves every α, no weights are
// copied per α, and a sweep decodes and preprocesses each example once and runs every α on each batch while it
// is at hand. Build it once and call Run as often as needed (the α explorer of the notebooks does); methods may
// be called from several goroutines.
//
//	sw, err := wiseft.NewSweeper(zs, ft, wiseft.SweepOptions{})
//	res, err := sw.Run(ctx, []float64{0.35}, sets)
type Sweeper struct {
	e          *engine
	opts       SweepOptions
	classNames []string
}

// NewSweeper compiles the sweep of zeroShot and fineTuned. The class names and preprocessing are the zero-shot
// classifier's; the two classifiers must have exactly the same tensors and, when both list class names, the same
// ones.
func NewSweeper(zeroShot, fineTuned *Classifier, opts SweepOptions) (*Sweeper, error) {
	if err := checkClassifier("sweep: the zero-shot classifier", zeroShot); err != nil {
		return nil, err
	}
	if err := checkClassifier("sweep: the fine-tuned classifier", fineTuned); err != nil {
		return nil, err
	}
	zn, fn := zeroShot.ClassNames, fineTuned.ClassNames
	if zn != nil && fn != nil && !slices.Equal(zn, fn) {
		return nil, fmt.Errorf("sweep: the zero-shot and fine-tuned classifiers have different class names")
	}
	w0, w1 := classifierWeights(zeroShot.Model.Weights), classifierWeights(fineTuned.Model.Weights)
	names, err := checkSameLayout(pairLabels(), []clipmodel.Weights{w0, w1})
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, name := range names {
		for i, w := range []clipmodel.Weights{w0, w1} {
			if err := checkTensor(pairLabels()[i], name, w[name]); err != nil {
				return nil, fmt.Errorf("sweep: %w", err)
			}
			// Inside the program every α reads both endpoints (0·NaN is NaN): a value that is not finite in either
			// would spoil every α, so it is refused here, naming the tensor.
			if err := w[name].CheckFinite(name); err != nil {
				return nil, fmt.Errorf("sweep: %s: %w", []string{"the zero-shot model", "the fine-tuned model"}[i], err)
			}
		}
	}
	spec := engineSpec{mode: interpolatedWeights, model: zeroShot.Model, classes: zeroShot.NumClasses(),
		theta0: w0, theta1: w1, opts: EvalOptions{BatchSize: opts.BatchSize, Workers: opts.Workers,
			Devices: opts.Devices, DecodeWorkers: opts.DecodeWorkers}}
	if opts.Fisher != nil {
		f0, f1, err := sweepFishers(w0, names, opts.Fisher)
		if err != nil {
			return nil, err
		}
		spec.mode, spec.fisher0, spec.fisher1, spec.floor = fisherWeights, f0, f1, opts.Fisher.Floor
	}
	e, err := newEngine(spec)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return &Sweeper{e: e, opts: opts, classNames: zeroShot.ClassNames}, nil
}

// sweepFishers checks a FisherMix against the classifier tensors and returns the Fishers of the tensors that
// have them (every tensor of the classifier in both, or in none).
func sweepFishers(ref clipmodel.Weights, names []string, fm *FisherMix) (f0, f1 clipmodel.Weights, err error) {
	if err := checkFinite("sweep: Fisher floor", fm.Floor); err != nil {
		return nil, nil, err
	}
	if fm.Floor < 0 {
		return nil, nil, fmt.Errorf("sweep: the Fisher floor must be ≥ 0, got %v", fm.Floor)
	}
	fishers := []clipmodel.Weights{classifierWeights(fm.Fishers[0]), classifierWeights(fm.Fishers[1])}
	with, err := checkFishers(ref, names, fishers)
	if err != nil {
		return nil, nil, fmt.Errorf("sweep: %w", err)
	}
	f0, f1 = clipmodel.Weights{}, clipmodel.Weights{}
	for name := range with {
		f0[name], f1[name] = fishers[0][name], fishers[1][name]
	}
	return f0, f1, nil
}

// Sweep evaluates the WiSE-FT models θ(α) for every α on every set: NewSweeper, then Run.
//
//	res, err := wiseft.Sweep(ctx, zs, ft, wiseft.DefaultAlphas,
//		[]wiseft.EvalSet{{Dataset: idTest}, {Dataset: shiftA}, {Dataset: shiftB}}, wiseft.SweepOptions{})
//	best, err := wiseft.BestAlpha(res, idTest.Name())
//	fmt.Print(res.Table(), best)
func Sweep(ctx context.Context, zeroShot, fineTuned *Classifier, alphas []float64, sets []EvalSet,
	opts SweepOptions) (*SweepResult, error) {
	sw, err := NewSweeper(zeroShot, fineTuned, opts)
	if err != nil {
		return nil, err
	}
	return sw.Run(ctx, alphas, sets)
}

// Run evaluates θ(α) for every α on every set, each set streamed once. Cancelling ctx stops it between batches.
func (s *Sweeper) Run(ctx context.Context, alphas []float64, sets []EvalSet) (*SweepResult, error) {
	if len(alphas) == 0 {
		return nil, fmt.Errorf("sweep: no α values")
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("sweep: no evaluation sets")
	}
	ens, err := ParseEnsemble(string(s.opts.Ensemble))
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	points := make([]point, len(alphas))
	for i, a := range alphas {
		if err := checkFinite("sweep: α", a); err != nil {
			return nil, err
		}
		if !s.opts.AllowExtrapolation && (a < 0 || a > 1) {
			return nil, fmt.Errorf("sweep: α = %v is outside [0, 1] (set SweepOptions.AllowExtrapolation to extrapolate)", a)
		}
		points[i] = alphaPoint(a)
	}
	// The output-space ensemble needs the endpoints' logits: α = 0 and α = 1 run on every batch too.
	var ends []int
	if ens.outputs() {
		for _, a := range []float64{0, 1} {
			k := slices.Index(alphas, a)
			if k < 0 || !ens.weights() {
				k = len(points)
				points = append(points, alphaPoint(a))
			}
			ends = append(ends, k)
		}
	}
	res := &SweepResult{Alphas: slices.Clone(alphas), Sets: make([]string, len(sets))}
	for j, set := range sets {
		if set.Dataset == nil {
			return nil, fmt.Errorf("sweep: evaluation set %d has no dataset", j)
		}
		res.Sets[j] = set.Name
		if res.Sets[j] == "" {
			res.Sets[j] = set.Dataset.Name()
		}
		if slices.Contains(res.Sets[:j], res.Sets[j]) {
			return nil, fmt.Errorf("sweep: two evaluation sets are named %q", res.Sets[j])
		}
		if err := checkIndices(set); err != nil {
			return nil, fmt.Errorf("sweep: %s: %w", res.Sets[j], err)
		}
	}
	table := func() [][]Metrics {
		t := make([][]Metrics, len(alphas))
		for i := range t {
			t[i] = make([]Metrics, len(sets))
		}
		return t
	}
	if ens.weights() {
		res.Metrics = table()
	}
	if ens.outputs() {
		res.Outputs = table()
	}
	paired := ens.weights() && slices.Contains(alphas, 0) && slices.Contains(alphas, 1)
	if paired {
		res.Paired = make([][]Paired, len(alphas))
		for i := range res.Paired {
			res.Paired[i] = make([]Paired, len(sets))
		}
	}
	for j, set := range sets {
		var progress func(done, total int)
		if s.opts.Progress != nil {
			name := res.Sets[j]
			progress = func(done, total int) { s.opts.Progress(name, done, total) }
		}
		r, err := s.e.pass(ctx, set.Dataset, set.indices(), points, false, ends, progress)
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		if paired {
			ps, err := pairedOf(alphas, r.preds[:len(alphas)])
			if err != nil {
				return nil, fmt.Errorf("sweep: %s: %w", res.Sets[j], err)
			}
			for i := range alphas {
				res.Paired[i][j] = ps[i]
			}
		}
		for i := range alphas {
			if res.Metrics != nil {
				if res.Metrics[i][j], err = metricsOf(res.Sets[j], set.Dataset, r.preds[i], r.skips); err != nil {
					return nil, fmt.Errorf("sweep: α = %v: %w", alphas[i], err)
				}
			}
			if res.Outputs != nil {
				z0, z1 := passLogits(r, ends[0], s.e.classes), passLogits(r, ends[1], s.e.classes)
				m, err := OutputEnsembleMetrics(set.Dataset, z0, z1, alphas[i])
				if err != nil {
					return nil, fmt.Errorf("sweep: output ensemble, α = %v: %w", alphas[i], err)
				}
				m.Dataset = res.Sets[j]
				res.Outputs[i][j] = m
			}
		}
	}
	return res, nil
}

// At evaluates θ(α) for one α on every set, named as Run names them.
//
//	ms, err := sw.At(ctx, 0.35, sets) // ms[j] is the metrics of sets[j]
func (s *Sweeper) At(ctx context.Context, alpha float64, sets []EvalSet) ([]Metrics, error) {
	r, err := s.Run(ctx, []float64{alpha}, sets)
	if err != nil {
		return nil, err
	}
	if r.Metrics == nil { // a sweep of output-space ensembles only
		return r.Outputs[0], nil
	}
	return r.Metrics[0], nil
}

// AlphaFunc returns At bound to sets: the function an interactive α explorer calls (widgets.AlphaExplorer).
//
//	ex.Evaluate = sw.AlphaFunc(sets)
func (s *Sweeper) AlphaFunc(sets []EvalSet) func(ctx context.Context, alpha float64) ([]Metrics, error) {
	sets = slices.Clone(sets)
	return func(ctx context.Context, alpha float64) ([]Metrics, error) { return s.At(ctx, alpha, sets) }
}

// checkIndices reports explicit indices outside the set.
func checkIndices(s EvalSet) error {
	for _, i := range s.Indices {
		if i < 0 || i >= s.Dataset.Len() {
			return fmt.Errorf("example %d outside [0, %d)", i, s.Dataset.Len())
		}
	}
	return nil
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
