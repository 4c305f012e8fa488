package wiseft

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/pipeline"
)

// The evaluation engine: one compiled classifier program (Logits) that every evaluation of a classifier, a sweep
// or a merge runs. Its weights are resident in the program's context and, for the weight-space ensembles, formed
// inside the program from resident endpoints and coefficients given as an input:
//
//   - fixed: the classifier's own weights (Evaluator; SetWeights swaps them without recompiling);
//   - interpolated: θ = (1−α)·θ0 + α·θ1 per value, computed in float64 and rounded to float32 as Interpolate
//     computes it on the host, so the program's weights equal Interpolate's bit for bit;
//   - Fisher-merged: Σ cᵢ·max(Fᵢ, floor)·θᵢ / Σ cᵢ·max(Fᵢ, floor) per value, as FisherMerge computes it.
//
// A pass over a dataset decodes and preprocesses every example once, and runs each batch at every coefficient
// point (every α of a sweep) while the batch is at hand, on up to Workers concurrent executions of the same
// program; a batch's results do not depend on which worker ran it or when, so they are the same bit for bit for
// any number of workers.

// weightMode says how the program forms its weights.
type weightMode int

const (
	fixedWeights weightMode = iota
	interpolatedWeights
	fisherWeights
)

// Scopes of the resident endpoints and Fishers in the program's context.
const (
	theta0Scope  = "/theta0"
	theta1Scope  = "/theta1"
	fisher0Scope = "/fisher0"
	fisher1Scope = "/fisher1"
)

// point is one set of mixing coefficients: the weights (c0, c1) of the two endpoints and their sum as the host
// computes it, (1−α, α, (1−α)+α) for WiSE-FT's α. The fixed mode ignores it.
type point [3]float64

func alphaPoint(alpha float64) point { return point{1 - alpha, alpha, (0 + (1 - alpha)) + alpha} }

// engine is a compiled classifier program and how to run it.
type engine struct {
	mode      weightMode
	cfg       clipmodel.Config
	transform preprocess.Transform
	classes   int
	batch     int
	workers   int // concurrent executions
	decoders  int // decoding goroutines (pipeline.Config.Workers; 0: one per CPU)
	shapes    map[string][]int
	fisher    map[string]bool // tensors with Fisher values (Fisher mode)
	floor     float64
	devices   *clipmodel.Devices

	mu       sync.RWMutex // SetWeights (write) against passes (read)
	ctx      *mlctx.Context
	exec     *mlctx.Exec
	compiles atomic.Int32 // how many times the graph was built (1 unless something went wrong)
}

// engineSpec is what newEngine compiles.
type engineSpec struct {
	mode           weightMode
	model          *clipmodel.Model // config and transform; its weights for the fixed mode
	classes        int
	theta0, theta1 clipmodel.Weights // the endpoints (interpolated and Fisher modes)
	fisher0        clipmodel.Weights // Fisher mode: the Fishers of the tensors that have them
	fisher1        clipmodel.Weights
	floor          float64
	opts           EvalOptions
}

// newEngine compiles the classifier program of spec on the process backend.
func newEngine(spec engineSpec) (*engine, error) {
	m := spec.model
	backend, err := clipmodel.Backend()
	if err != nil {
		return nil, err
	}
	tf, err := evalTransform(m)
	if err != nil {
		return nil, err
	}
	o := spec.opts
	devices, err := clipmodel.NewDevices(backend, o.Devices)
	if err != nil {
		return nil, err
	}
	batch := o.BatchSize
	if batch <= 0 {
		batch = DefaultEvalBatchSize
	}
	batch = devices.RoundBatch(batch)
	// Before anything is allocated: a batch the machine cannot hold is one clear error, not an out-of-memory crash.
	if err := m.Config.CheckImageBatch(fmt.Sprintf("a batch of %d images", batch), batch, false); err != nil {
		return nil, err
	}
	workers := o.Workers
	if workers <= 0 {
		workers = defaultWorkers(backend.String())
	}
	e := &engine{mode: spec.mode, cfg: m.Config, transform: tf, classes: spec.classes, batch: batch,
		workers: workers, decoders: o.DecodeWorkers, floor: spec.floor, devices: devices,
		shapes: map[string][]int{}, ctx: mlctx.New()}
	ref := m.Weights
	if spec.mode != fixedWeights {
		ref = spec.theta0
	}
	for name, t := range classifierWeights(ref) {
		e.shapes[name] = slices.Clone(t.Shape)
	}
	switch spec.mode {
	case fixedWeights:
		clipmodel.SetWeights(e.ctx, classifierWeights(m.Weights))
	case interpolatedWeights, fisherWeights:
		clipmodel.SetWeightsUnder(e.ctx, theta0Scope, classifierWeights(spec.theta0))
		clipmodel.SetWeightsUnder(e.ctx, theta1Scope, classifierWeights(spec.theta1))
		if spec.mode == fisherWeights {
			e.fisher = map[string]bool{}
			for name := range classifierWeights(spec.fisher0) {
				e.fisher[name] = true
			}
			clipmodel.SetWeightsUnder(e.ctx, fisher0Scope, classifierWeights(spec.fisher0))
			clipmodel.SetWeightsUnder(e.ctx, fisher1Scope, classifierWeights(spec.fisher1))
		}
	}
	// A forward-only program: the same outputs for less work (see clipmodel.SetForwardOnly).
	clipmodel.SetForwardOnly(e.ctx, backend)
	cfg := m.Config
	e.exec, err = mlctx.NewExec(backend, e.ctx.Reuse(), func(ctx *mlctx.Context, pixels, coefs *graph.Node) *graph.Node {
		e.compiles.Add(1)
		if e.mode != fixedWeights {
			clipmodel.SetWeightSource(ctx, pixels.Graph(), e.mixedSource(ctx, coefs))
		}
		return Logits(ctx, cfg, pixels)
	})
	if err != nil {
		return nil, err
	}
	devices.Configure(e.exec, 1)
	// One program per batch size a pass can use (passBatch: multiples of 8 up to the batch), beyond GoMLX's default
	// cache of 32 programs when the batch exceeds 256.
	e.exec.SetMaxCache(batch/8 + 2)
	v := cfg.Vision
	zeros := tensors.FromFlatDataAndDimensions(make([]float32, batch*tf.Len()), batch, v.Channels, v.ImageSize, v.ImageSize)
	if err := e.exec.PreCompile(zeros, pointTensor(point{1, 0, 1})); err != nil {
		return nil, fmt.Errorf("compiling the classifier: %w", err)
	}
	return e, nil
}

// defaultWorkers is the number of concurrent executions when none is asked for: on SimpleGo, whose programs run
// their operations one after another (only large matrix products use several cores), one per CPU; on XLA, which
// parallelises a program itself, one.
func defaultWorkers(backendName string) int {
	if backendName == "go" {
		return runtime.GOMAXPROCS(0)
	}
	return 1
}

func pointTensor(p point) *tensors.Tensor { return tensors.FromFlatDataAndDimensions(p[:], 3) }

// mixedSource forms each classifier weight inside the graph from the resident endpoints and the coefficients,
// with the host's arithmetic (see Interpolate and FisherMerge): float64, in the same order, rounded once.
func (e *engine) mixedSource(ctx *mlctx.Context, coefs *graph.Node) clipmodel.WeightSource {
	cache := map[string]*graph.Node{}
	c0 := graph.Reshape(graph.Slice(coefs, graph.AxisRange(0, 1)))
	c1 := graph.Reshape(graph.Slice(coefs, graph.AxisRange(1, 2)))
	csum := graph.Reshape(graph.Slice(coefs, graph.AxisRange(2, 3)))
	f64 := func(g *graph.Graph, scope, key string) *graph.Node {
		return graph.ConvertDType(clipmodel.VariableNode(ctx, g, scope, key), dtypes.Float64)
	}
	return func(g *graph.Graph, key string) *graph.Node {
		if n, ok := cache[key]; ok {
			return n
		}
		x0, x1 := f64(g, theta0Scope, key), f64(g, theta1Scope, key)
		var mixed *graph.Node
		if e.mode == interpolatedWeights || !e.fisher[key] {
			mixed = graph.Add(graph.Mul(c0, x0), graph.Mul(c1, x1))
			if e.mode == fisherWeights { // a tensor without Fisher values: the plain weighted mean
				mixed = graph.Div(mixed, csum)
			}
		} else {
			floor := graph.Scalar(g, dtypes.Float64, e.floor)
			f0 := graph.Max(f64(g, fisher0Scope, key), floor)
			f1 := graph.Max(f64(g, fisher1Scope, key), floor)
			num := graph.Add(graph.Mul(graph.Mul(c0, f0), x0), graph.Mul(graph.Mul(c1, f1), x1))
			den := graph.Add(graph.Mul(c0, f0), graph.Mul(c1, f1))
			plain := graph.Div(graph.Add(graph.Mul(c0, x0), graph.Mul(c1, x1)), csum)
			mixed = graph.Where(graph.Equal(den, graph.ZerosLike(den)), plain, graph.Div(num, den))
		}
		n := graph.ConvertDType(mixed, dtypes.Float32)
		cache[key] = n
		return n
	}
}

// setWeights replaces the fixed weights (the fixed mode only).
func (e *engine) setWeights(w clipmodel.Weights) error {
	if e.mode != fixedWeights {
		return fmt.Errorf("evaluator: the weights of a sweep are its endpoints; build another sweep to change them")
	}
	sub := make(clipmodel.Weights, len(e.shapes))
	for name, shape := range e.shapes {
		t, ok := w[name]
		if !ok || t == nil {
			return fmt.Errorf("the weights lack tensor %q", name)
		}
		if !slices.Equal(t.Shape, shape) {
			return fmt.Errorf("tensor %q has shape %v, the evaluator was built for %v", name, t.Shape, shape)
		}
		if err := checkTensor("the weights", name, t); err != nil {
			return err
		}
		sub[name] = t
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	clipmodel.SetWeights(e.ctx, sub)
	return nil
}

// passResult is what a pass returns: per coefficient point, the predictions in the order of the examples read,
// and for the points asked for, their raw logits (over all the classifier's classes, rows in the same order).
type passResult struct {
	preds  [][]Prediction
	logits map[int][]float32
	skips  skips
	n      int // examples asked for
}

// skips counts the examples a pass left out and keeps the first few errors.
type skips struct {
	count int
	first []error
}

// pass streams the given examples of ds (indices; nil: all) through the program once and classifies every batch
// at every point, keeping the raw logits of the points listed in keepLogits, and reports progress after each
// batch. Cancelling ctx stops it between batches with ctx's error.
func (e *engine) pass(ctx context.Context, ds datasets.Dataset, indices []int, points []point, keepProbs bool,
	keepLogits []int, progress func(done, total int)) (*passResult, error) {
	project, err := labelSpace(ds, e.classes)
	if err != nil {
		return nil, err
	}
	if indices == nil {
		indices = firstN(ds.Len(), 0)
	}
	res := &passResult{preds: make([][]Prediction, len(points)), logits: map[int][]float32{}, n: len(indices)}
	if len(indices) == 0 {
		return res, nil
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	batch := e.passBatch(len(indices))
	loader, err := pipeline.New(ds, pipeline.Config{BatchSize: batch, Transform: e.transform, Workers: e.decoders,
		Indices: indices, Prefetch: e.workers + 1})
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	nb := loader.NumBatches()
	perBatch := make([][][]Prediction, nb) // [batch][point][]Prediction
	rawBatch := make([]map[int][]float32, nb)
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		loader.Close()
	}
	v := e.cfg.Vision
	per := e.transform.Len()
	for range min(e.workers, nb) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker has its own coefficient tensors: an executed tensor caches its device buffer inside,
			// so one shared between concurrent executions is a data race.
			coefs := make([]*tensors.Tensor, len(points))
			for i, p := range points {
				coefs[i] = pointTensor(p)
			}
			for {
				if ctx.Err() != nil {
					fail(ctx.Err())
					return
				}
				b, ok := loader.Next()
				if !ok {
					return
				}
				// Every batch is padded with zero rows to the pass's batch size.
				pixels := b.Pixels[:batch*per]
				clear(pixels[b.N*per:])
				in := tensors.FromFlatDataAndDimensions(pixels, batch, v.Channels, v.ImageSize, v.ImageSize)
				loader.Recycle(b)
				out := make([][]Prediction, len(points))
				raw := map[int][]float32{}
				for i := range points {
					logits, err := e.run(in, coefs[i])
					if err != nil {
						_ = in.FinalizeAll()
						fail(fmt.Errorf("%s: %w", ds.Name(), err))
						return
					}
					out[i] = make([]Prediction, 0, b.N)
					for k, idx := range b.Indices {
						row := logits[k*e.classes : (k+1)*e.classes]
						if err := finiteLogits(row); err != nil {
							_ = in.FinalizeAll()
							fail(fmt.Errorf("%s example %d: %w", ds.Name(), idx, err))
							return
						}
						out[i] = append(out[i], predict(idx, b.Labels[k], row, project, keepProbs))
					}
					if slices.Contains(keepLogits, i) {
						raw[i] = logits[:b.N*e.classes]
					}
				}
				_ = in.FinalizeAll()
				mu.Lock() // progress under the lock: the counts it sees only grow
				perBatch[b.Number], rawBatch[b.Number] = out, raw
				done += b.N
				if progress != nil {
					progress(done+loader.Skipped(), len(indices))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for k, bp := range perBatch {
		for i := range points {
			if bp != nil {
				res.preds[i] = append(res.preds[i], bp[i]...)
			}
		}
		for i, rows := range rawBatch[k] {
			res.logits[i] = append(res.logits[i], rows...)
		}
	}
	// An example that cannot be read (a corrupt or non-image file in a large dataset, a label outside the class
	// list) is left out and counted.
	res.skips.count = loader.Skipped()
	for _, s := range loader.Skips()[:min(loader.Skipped(), 5)] {
		res.skips.first = append(res.skips.first, fmt.Errorf("%s example %d: %w", ds.Name(), s.Index, s.Err))
	}
	if len(res.preds[0]) == 0 && res.skips.count > 0 {
		return nil, fmt.Errorf("no example of %s could be read (%d failed; the first: %w)", ds.Name(),
			res.skips.count, res.skips.first[0])
	}
	return res, nil
}

// passBatch is the batch size of a pass over n examples. A set too small to give every worker a full batch of the
// compiled size is split into one batch per worker instead, rounded up to a multiple of 8 (at most 31 more
// programs for all set sizes at the default batch of 256): 300 images on two workers run as two batches of 152 (4
// padding rows; a multiple of 32 padded 20), not one of 256 and one of 44 padded to 256 while the second worker
// waits. Each row's logits do not depend on the batch size (TestPassBatchDoesNotChangeResults), so
// neither do the results.
func (e *engine) passBatch(n int) int {
	if n >= e.workers*e.batch {
		return e.batch
	}
	per := (n + e.workers - 1) / e.workers
	return min(e.batch, e.devices.RoundBatch((per+7)/8*8))
}

// run executes the program once and returns the logits [batch, classes] on the host.
func (e *engine) run(pixels, coefs *tensors.Tensor) ([]float32, error) {
	out, err := e.devices.Exec(e.exec, 1, pixels, coefs)
	if err != nil {
		return nil, err
	}
	logits, err := tensors.CopyFlatData[float32](out[0])
	for _, o := range out {
		_ = o.FinalizeAll() // release the device buffer now rather than at garbage collection
	}
	return logits, err
}

// finiteLogits reports a NaN or infinite logit: a classifier with non-finite weights (or inputs) has no
// meaningful prediction, and its accuracy must not be reported as if it had.
func finiteLogits(row []float32) error {
	for c, x := range row {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("logit %d is %v: the classifier's weights or the input are not finite", c, x)
		}
	}
	return nil
}
