package wiseft

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/pipeline"
)

// fisherChunk is how many examples are decoded and preprocessed ahead at once.
const fisherChunk = 16

// ComputeFisher estimates the diagonal Fisher information of clf's classifier (Logits) on ds, as the paper's Fisher
// variant of WiSE-FT does (src/models/fisher.py):
//
//	F = mean over n examples x of (∂ log p(y|x) / ∂θ)²,  y ~ p(·|x) sampled from the model itself
//
// y is drawn from the model's own predictive distribution (the true Fisher, not the "empirical" one that uses the
// dataset's labels) with the Gumbel-max trick, y = arg-max(logits + Gumbel noise), the noise seeded by seed, so the
// whole estimate is deterministic. The n examples are a seeded random sample of ds without replacement (n ≤ 0 or
// n ≥ ds.Len(): every example). Each example is one forward and backward pass (batch of one: the squares of
// per-example gradients cannot be had from a batch gradient); the squares are summed on the device.
//
// The result holds a tensor for every weight of clf. The tensors the classifier graph does not read — the text
// tower, text_projection and logit_scale (the zero-shot head already contains exp(logit_scale)) — have a Fisher of
// exactly zero, which is their true value: log p(y|x) does not depend on them. FisherMerge raises every value to
// its floor before weighting, so such tensors are merged with equal weights, i.e. by plain (coefficient-weighted)
// averaging; WiSE-FT never changes them anyway (fine-tuning an image classifier leaves the text tower as it was),
// so the merge returns them unchanged.
//
//	f0, err := wiseft.ComputeFisher(zs, trainSet, 1000, 0)
//	f1, err := wiseft.ComputeFisher(ft, trainSet, 1000, 0)
//	w, err := wiseft.FisherMerge([]clipmodel.Weights{zs.Model.Weights, ft.Model.Weights},
//		[]clipmodel.Weights{f0, f1}, []float64{0.5, 0.5}, wiseft.DefaultFisherFloor)
func ComputeFisher(clf *Classifier, ds datasets.Dataset, n int, seed uint64) (clipmodel.Weights, error) {
	if clf == nil || clf.Model == nil {
		return nil, fmt.Errorf("fisher: no classifier")
	}
	if ds == nil || ds.Len() == 0 {
		return nil, fmt.Errorf("fisher: no examples")
	}
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
	cfg, classes := m.Config, clf.NumClasses()
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
		loss := graph.ReduceAllSum(graph.Mul(logp, graph.StopGradient(graph.OneHot(y, classes, logp.DType()))))
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

	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	indices := rng.Perm(ds.Len())
	if n > 0 && n < len(indices) {
		indices = indices[:n]
	}
	v := cfg.Vision
	per := tf.Len()
	loader, err := pipeline.New(ds, pipeline.Config{BatchSize: fisherChunk, Transform: tf, Indices: indices})
	if err != nil {
		return nil, fmt.Errorf("fisher: %w", err)
	}
	defer loader.Close()
	noise := make([]float32, classes)
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
				return nil, fmt.Errorf("fisher: %s example %d: %w", ds.Name(), idx, err)
			}
			for _, t := range out {
				_ = t.FinalizeAll()
			}
		}
		loader.Recycle(b)
	}
	if loader.Returned() == 0 && loader.Skipped() > 0 {
		return nil, fmt.Errorf("fisher: no example of %s could be read (%s)", ds.Name(), loader.Summary())
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
		inv := 1 / float64(len(indices))
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
