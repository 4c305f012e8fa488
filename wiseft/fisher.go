package wiseft

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/pipeline"
)

// fisherChunk is how many examples are decoded and preprocessed ahead at once.
const fisherChunk = 16

// FisherOptions selects the estimate of ComputeFisherWith. The zero value is the paper's estimate
// (src/models/fisher.py): one pass over every example, in order, with the plain log-likelihood.
type FisherOptions struct {
	// Examples, when positive, estimates from a seeded random sample of that many examples instead of all of
	// them: the cheaper estimate. 0 (the paper's) uses every example, in index order.
	Examples int
	// Epochs is the number of passes over the examples, each with labels sampled afresh (the paper's fisher.py
	// makes --epochs passes); ≤ 0 means 1. The estimate is the mean over all passes.
	Epochs int
	// LabelSmoothing, when positive, takes the gradient of the label-smoothed log-likelihood
	// (1−ls)·log p(y|x) + ls·mean_c log p(c|x), as the paper's fisher.py does with --ls > 0.
	LabelSmoothing float64
	// Seed drives the label sampling (and the sample of examples).
	Seed uint64
}

// ComputeFisher estimates the diagonal Fisher information of clf's classifier on n examples of ds (n ≤ 0: all
// of them) in one pass: ComputeFisherWith with FisherOptions{Examples: n, Seed: seed}.
//
//	f0, err := wiseft.ComputeFisher(zs, trainSet, 1000, 0)
//	f1, err := wiseft.ComputeFisher(ft, trainSet, 1000, 0)
//	w, err := wiseft.FisherMerge([]clipmodel.Weights{zs.Model.Weights, ft.Model.Weights},
//		[]clipmodel.Weights{f0, f1}, []float64{0.5, 0.5}, wiseft.DefaultFisherFloor)
func ComputeFisher(clf *Classifier, ds datasets.Dataset, n int, seed uint64) (clipmodel.Weights, error) {
	return ComputeFisherWith(clf, ds, FisherOptions{Examples: n, Seed: seed})
}

// ComputeFisherWith estimates the diagonal Fisher information of clf's classifier (Logits) on ds, as the paper's
// Fisher variant of WiSE-FT does (src/models/fisher.py):
//
//	F = mean over passes and examples x of (∂ log p(y|x) / ∂θ)²,  y ~ p(·|x) sampled from the model itself
//
// y is drawn from the model's own predictive distribution (the true Fisher, not the "empirical" one that uses the
// dataset's labels) with the Gumbel-max trick, y = arg-max(logits + Gumbel noise), the noise seeded by
// opts.Seed, so the whole estimate is deterministic. Each example is one forward and backward pass (batch of one,
// as the paper's: the squares of per-example gradients cannot be had from a batch gradient) on the evaluation
// preprocessing (the paper's _TRAIN_PREPROCESSING = False); the squares are summed on the device. Examples that
// cannot be read are skipped and not counted.
//
// The result holds a tensor for every weight of clf. The tensors the classifier graph does not read — the text
// tower, text_projection and logit_scale (the zero-shot head already contains exp(logit_scale)) — have a Fisher of
// exactly zero, which is their true value: log p(y|x) does not depend on them. FisherMerge raises every value to
// its floor before weighting, so such tensors are merged with equal weights, i.e. by plain (coefficient-weighted)
// averaging; WiSE-FT never changes them anyway (fine-tuning an image classifier leaves the text tower as it was),
// so the merge returns them unchanged.
//
//	f0, err := wiseft.ComputeFisherWith(zs, trainSet, wiseft.FisherOptions{Epochs: 10, LabelSmoothing: 0.1})
func ComputeFisherWith(clf *Classifier, ds datasets.Dataset, opts FisherOptions) (clipmodel.Weights, error) {
	if clf == nil || clf.Model == nil {
		return nil, fmt.Errorf("fisher: no classifier")
	}
	if ds == nil || ds.Len() == 0 {
		return nil, fmt.Errorf("fisher: no examples")
	}
	if opts.LabelSmoothing < 0 || opts.LabelSmoothing >= 1 {
		return nil, fmt.Errorf("fisher: label smoothing %g outside [0, 1)", opts.LabelSmoothing)
	}
	epochs := max(opts.Epochs, 1)
	m := clf.Model
	if err := m.Weights.Check(m.Config); err != nil {
		return nil, fmt.Errorf("fisher: %w", err)
	}
	if m.Weights[HeadWeight] == nil {
		return nil, fmt.Errorf("fisher: the model has no classification head (%s)", HeadWeight)
	}
	clipmodel.InstallFastGradients()
	backend, err := clipmodel.Backend()
	if err != nil {
		return nil, err
	}
	cfg, classes, ls := m.Config, clf.NumClasses(), opts.LabelSmoothing
	tf, err := evalTransform(m)
	if err != nil {
		return nil, fmt.Errorf("fisher: %w", err)
	}

	// The weights the classifier reads, and one zero accumulator (not trainable) for each.
	ctx := context.New()
	w := classifierWeights(m.Weights)
	clipmodel.SetWeights(ctx, w)
	params := make(map[string]*context.Variable, len(w))
	sums := make(map[string]*context.Variable, len(w))
	names := w.Names()
	for _, name := range names {
		scope, vname := clipmodel.KeyToScope(name)
		params[name] = ctx.GetVariableByScopeAndName(scope, vname)
		sums[name] = ctx.InAbsPath("/fisher_sum"+scope).Checked(false).
			VariableWithValue(vname, tensors.FromShape(params[name].Shape())).SetTrainable(false)
	}
	used := make(map[string]bool)
	fisherGraph := func(ctx *context.Context, pixels, gumbel *graph.Node) *graph.Node {
		g := pixels.Graph()
		logits := Logits(ctx, cfg, pixels) // [1, classes]
		y := graph.ArgMax(graph.Add(graph.StopGradient(logits), gumbel), -1)
		logp := graph.LogSoftmax(logits, -1)
		// (1−ls)·log p_y + ls·mean_c log p_c is the sum of log p against the smoothed target.
		target := graph.OneHot(y, classes, logp.DType())
		if ls > 0 {
			target = graph.AddScalar(graph.MulScalar(target, 1-ls), ls/float64(classes))
		}
		loss := graph.ReduceAllSum(graph.Mul(logp, graph.StopGradient(target)))
		var wrt []*graph.Node
		var wrtNames []string
		for _, name := range names {
			if params[name].InUseByGraph(g) {
				wrt = append(wrt, params[name].ValueGraph(g))
				wrtNames = append(wrtNames, name)
				used[name] = true
			}
		}
		for i, grad := range graph.Gradient(loss, wrt...) {
			acc := sums[wrtNames[i]]
			acc.SetValueGraph(graph.Add(acc.ValueGraph(g), graph.Square(grad)))
		}
		return y
	}
	exec, err := context.NewExec(backend, ctx.Reuse(), fisherGraph)
	if err != nil {
		return nil, fmt.Errorf("fisher: %w", err)
	}

	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	indices := firstN(ds.Len(), 0)
	if opts.Examples > 0 && opts.Examples < len(indices) {
		indices = rng.Perm(ds.Len())[:opts.Examples]
	}
	counted := 0
	for range epochs {
		n, err := fisherPass(exec, ds, tf, cfg.Vision, classes, indices, rng)
		if err != nil {
			return nil, err
		}
		counted += n
	}
	out := make(clipmodel.Weights, len(m.Weights))
	for name, t := range m.Weights {
		out[name] = clipmodel.NewTensor(t.Shape...)
		if !used[name] {
			continue
		}
		value, err := sums[name].Value()
		if err != nil {
			return nil, fmt.Errorf("fisher: %s: %w", name, err)
		}
		data, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return nil, fmt.Errorf("fisher: %s: %w", name, err)
		}
		inv := 1 / float64(counted)
		for i, s := range data {
			out[name].Data[i] = float32(float64(s) * inv)
		}
	}
	return out, nil
}

// gumbel draws a standard Gumbel variate, −log(−log u) with u uniform in (0, 1).
func gumbel(rng *rand.Rand) float32 {
	u := rng.Float64()
	for u == 0 {
		u = rng.Float64()
	}
	return float32(-math.Log(-math.Log(u)))
}

// fisherPass runs the accumulating program once per example of indices, each with fresh Gumbel noise, and returns
// how many examples it ran on.
func fisherPass(exec *context.Exec, ds datasets.Dataset, tf preprocess.Transform, v clipmodel.VisionConfig, classes int,
	indices []int, rng *rand.Rand) (int, error) {
	per := tf.Len()
	loader, err := pipeline.New(ds, pipeline.Config{BatchSize: fisherChunk, Transform: tf, Indices: indices})
	if err != nil {
		return 0, fmt.Errorf("fisher: %w", err)
	}
	defer loader.Close()
	noise := make([]float32, classes)
	done := 0
	for b := range loader.All() {
		for k, idx := range b.Indices {
			for c := range noise {
				noise[c] = gumbel(rng)
			}
			pixels := tensors.FromFlatDataAndDimensions(b.Pixels[k*per:(k+1)*per],
				1, v.Channels, v.ImageSize, v.ImageSize)
			g := tensors.FromFlatDataAndDimensions(noise, 1, classes)
			out, err := exec.Exec(pixels, g)
			_, _ = pixels.FinalizeAll(), g.FinalizeAll()
			if err != nil {
				return 0, fmt.Errorf("fisher: %s example %d: %w", ds.Name(), idx, err)
			}
			for _, t := range out {
				_ = t.FinalizeAll()
			}
			done++
		}
		loader.Recycle(b)
	}
	if done == 0 && loader.Skipped() > 0 {
		return 0, fmt.Errorf("fisher: no example of %s could be read (%s)", ds.Name(), loader.Summary())
	}
	return done, nil
}
