// Package speed holds the project's speed benchmarks as plain functions, shared by `go test -bench` (see
// speed_test.go) and the `wiseft bench` command: the ViT-B/32 image tower's forward pass (random weights), a
// fine-tuning step of the shipped small model (world.TinyConfig), and the backend's raw matrix product on
// ViT-B/32-sized operands.
//
// A Case is built once (weights loaded, program compiled by a first call) and then timed call by call; Stats
// summarises the timings (median, percentiles, items/s, GFLOP/s). Peak memory is the process's peak resident set
// (VmHWM), which ResetPeakRSS resets so several cases can be measured one after another in one process.
package speed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	benchmarks "github.com/janpfeifer/go-benchmarks"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/trainloop"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/world"
)

// Case is one benchmark, ready to run: Run does one iteration (one forward pass, one training step, one product)
// over Items images (0 for a matrix product), which cost FLOPs floating-point operations in all (0 when not
// counted).
type Case struct {
	Name  string
	Items int
	FLOPs float64
	Run   func() error
}

// ViTB32Forward prepares the ViT-B/32 image tower and projection (random weights: speed does not depend on the
// values) for a batch of images on backend b, in dtype (float32, or bfloat16 for mixed precision; see
// clipmodel.Encoder.DType): the graph of clipmodel.Encoder's images, with the weights and the batch held on the
// device between calls (as PyTorch's reference keeps them), so only the forward pass and the read-back of the
// [batch, 512] embeddings are timed. The program is compiled by the first Run.
func ViTB32Forward(b backends.Backend, batch int, dtype dtypes.DType) (*Case, error) {
	cfg, err := clipmodel.ConfigByName("ViT-B/32")
	if err != nil {
		return nil, err
	}
	if dtype == dtypes.InvalidDType {
		dtype = dtypes.Float32
	}
	// The image side only: the text tower's 63M parameters would only add to the peak memory.
	w := clipmodel.RandomWeights(cfg, 1)
	for name := range w {
		if !strings.HasPrefix(name, "vision_model.") && name != "visual_projection.weight" {
			delete(w, name)
		}
	}
	ctx := context.New()
	if err := clipmodel.SetWeightsOn(ctx, b, w); err != nil {
		return nil, err
	}
	w = nil
	exec, err := context.NewExec(b, ctx.Reuse(), func(ctx *context.Context, pixels *graph.Node) *graph.Node {
		if dtype != dtypes.Float32 {
			ctx.SetGraphParam(pixels.Graph(), clipmodel.ComputeDTypeParam, dtype.String())
		}
		return clipmodel.Normalize(cfg.ImageFeatures(ctx, pixels, nil))
	})
	if err != nil {
		return nil, err
	}
	v := cfg.Vision
	pixels := make([]float32, batch*v.Channels*v.ImageSize*v.ImageSize)
	for i := range pixels {
		pixels[i] = float32(i%251)/125 - 1
	}
	x := tensors.FromFlatDataAndDimensions(pixels, batch, v.Channels, v.ImageSize, v.ImageSize)
	if err := x.MaterializeOnDevice(b, true, 0); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("vit-b32-forward/batch=%d", batch)
	if dtype != dtypes.Float32 {
		name += "/" + strings.ToLower(dtype.String())
	}
	return &Case{Name: name, Items: batch, FLOPs: float64(batch) * clipmodel.VisionFLOPs(cfg),
		Run: func() error {
			out, err := exec.Exec(x)
			if err != nil {
				return err
			}
			if _, err := tensors.CopyFlatData[float32](out[0]); err != nil {
				return err
			}
			return out[0].FinalizeAll()
		}}, nil
}

// TrainOptions selects the variant of the fine-tuning step.
type TrainOptions struct {
	// Stock builds the step with GoMLX's own gradients of Dot/DotGeneral (clipmodel.UseStockGradients) instead of the
	// project's matrix-product gradients, for comparison.
	Stock bool
	// BF16 computes the towers in bfloat16 with float32 master weights (clipmodel.SetComputeDType).
	BF16 bool
	// DataParallel splits the batch over every device of the backend (clipmodel.DataParallel; XLA only).
	DataParallel bool
}

// TinyTrainStep prepares one end-to-end fine-tuning step of the shipped small CLIP (world.TinyConfig, 28x28
// images) with a 10-class head on backend b: the graph of wiseft.FineTune (wiseft.Logits, SmoothedCrossEntropy,
// gradients of the image tower, the visual projection and the head, global-norm clipping, AdamW with decoupled
// weight decay), on a fixed random batch. The step is compiled by its first Run.
func TinyTrainStep(b backends.Backend, batch int, opts TrainOptions) (*Case, error) {
	c, _, err := tinyTrainStep(b, batch, opts)
	return c, err
}

// ArchTrainStep is TinyTrainStep's fine-tuning step for the image tower of a registered architecture (arch as
// clipmodel.ConfigByName takes it: "ViT-B/32", "ViT-B-32", "ViT-L/14", ...) at its own image size. The step holds
// only what fine-tuning trains (image tower, visual projection, a 10-class head) and their Adam state: the text
// tower, which fine-tuning does not run, is left out of the measurement.
func ArchTrainStep(b backends.Backend, arch string, batch int, opts TrainOptions) (*Case, error) {
	cfg, err := clipmodel.ConfigByName(arch)
	if err != nil {
		return nil, err
	}
	cfg.Text = world.TinyConfig(512).Text // never run; only its shapes are made
	c, _, err := trainStep(b, cfg, cfg.Name+"-train-step", batch, opts)
	return c, err
}

// tinyTrainStep is TinyTrainStep that also returns the losses of the steps run so far.
func tinyTrainStep(b backends.Backend, batch int, opts TrainOptions) (c *Case, losses func() []float32, err error) {
	// The text tower is not part of the step; its vocabulary does not matter.
	return trainStep(b, world.TinyConfig(512), "tiny-train-step", batch, opts)
}

// trainStep prepares the fine-tuning step of cfg's image tower under the case name prefix.
func trainStep(b backends.Backend, cfg clipmodel.Config, prefix string, batch int, opts TrainOptions) (c *Case, losses func() []float32, err error) {
	const classes = 10
	w := clipmodel.RandomWeights(cfg, 1)
	head := clipmodel.NewTensor(classes, cfg.ProjectionDim)
	rng := rand.New(rand.NewPCG(2, 3))
	for i := range head.Data {
		head.Data[i] = float32(rng.NormFloat64() * 0.1)
	}
	trainable := clipmodel.Weights{wiseft.HeadWeight: head, wiseft.HeadBias: clipmodel.NewTensor(classes)}
	for name, t := range w {
		if strings.HasPrefix(name, "vision_model.") || name == "visual_projection.weight" {
			trainable[name] = t
		}
	}
	clipmodel.InstallFastGradients()
	ctx := context.New()
	clipmodel.SetWeights(ctx, trainable)
	if opts.BF16 {
		clipmodel.SetComputeDType(ctx, dtypes.BFloat16)
	}
	const lr = 1e-4
	optimizers.LearningRateVar(ctx, dtypes.Float32, lr)
	opt, ok := optimizers.Adam().LearningRate(lr).Betas(0.9, 0.999).Epsilon(1e-8).WeightDecay(0.1).Done().(interface {
		UpdateGraphWithGradients(ctx *context.Context, grads []*graph.Node, lossDType dtypes.DType)
	})
	if !ok {
		return nil, nil, fmt.Errorf("GoMLX's Adam does not take precomputed gradients")
	}
	exec, err := context.NewExec(b, ctx, func(ctx *context.Context, x, labels, weights *graph.Node) *graph.Node {
		logits := wiseft.Logits(ctx, cfg, x)
		loss := wiseft.SmoothedCrossEntropy(logits, labels, weights, 0)
		grads, _ := trainloop.ClipByGlobalNorm(ctx.BuildTrainableVariablesGradientsGraph(loss), 1)
		opt.UpdateGraphWithGradients(ctx, grads, loss.DType())
		return loss
	})
	if err != nil {
		return nil, nil, err
	}
	v := cfg.Vision
	pixels := make([]float32, batch*v.Channels*v.ImageSize*v.ImageSize)
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	labels := make([]int32, batch)
	weights := make([]float32, batch)
	for i := range labels {
		labels[i], weights[i] = int32(i%classes), 1
	}
	x := tensors.FromFlatDataAndDimensions(pixels, batch, v.Channels, v.ImageSize, v.ImageSize)
	lt := tensors.FromFlatDataAndDimensions(labels, batch)
	wt := tensors.FromFlatDataAndDimensions(weights, batch)
	run := func() ([]*tensors.Tensor, error) { return exec.Exec(x, lt, wt) }
	devices := 1
	if opts.DataParallel {
		dp, err := clipmodel.NewDataParallel(b, 0)
		if err != nil {
			return nil, nil, err
		}
		dp.Configure(exec, 3)
		devices = dp.Devices
		run = func() ([]*tensors.Tensor, error) { return dp.Exec(exec, x, lt, wt) }
	}
	var stepLosses []float32
	step := func() error {
		out, err := run()
		if err != nil {
			return err
		}
		loss := tensors.ToScalar[float32](out[0])
		stepLosses = append(stepLosses, loss)
		if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			return fmt.Errorf("training step: loss %g", loss)
		}
		return nil
	}
	if opts.Stock {
		// The gradients are chosen when the graph is built, at the first call: build it with the stock ones.
		restore := clipmodel.UseStockGradients()
		err := step()
		restore()
		if err != nil {
			return nil, nil, err
		}
	}

	name := fmt.Sprintf("%s/batch=%d", prefix, batch)
	if opts.BF16 {
		name += "/bf16"
	}
	if opts.Stock {
		name += "/stock-grads"
	}
	if opts.DataParallel {
		name += fmt.Sprintf("/data-parallel=%d", devices)
	}
	// FLOPs: forward of the image tower, twice that for the backward pass (the optimizer is negligible).
	return &Case{Name: name, Items: batch, FLOPs: 3 * float64(batch) * clipmodel.VisionFLOPs(cfg), Run: step},
		func() []float32 { return stepLosses }, nil
}

// MatMul prepares the product of random float32 matrices [m, k]·[k, n] on backend b, both operands held on the
// backend between calls (only the product is timed, as inside a model).
func MatMul(b backends.Backend, m, k, n int) (*Case, error) {
	rng := rand.New(rand.NewPCG(4, 5))
	lhs, rhs := make([]float32, m*k), make([]float32, k*n)
	for i := range lhs {
		lhs[i] = float32(rng.NormFloat64())
	}
	for i := range rhs {
		rhs[i] = float32(rng.NormFloat64())
	}
	exec, err := graph.NewExec(b, func(x, y *graph.Node) *graph.Node {
		// Reduced to a scalar so the output transfer is not timed; the reduction is O(m·n) against O(m·k·n).
		return graph.ReduceAllSum(graph.Dot(x, y))
	})
	if err != nil {
		return nil, err
	}
	lt := tensors.FromFlatDataAndDimensions(lhs, m, k)
	rt := tensors.FromFlatDataAndDimensions(rhs, k, n)
	return &Case{Name: fmt.Sprintf("matmul/[%d,%d]x[%d,%d]", m, k, k, n), FLOPs: 2 * float64(m*k*n),
		Run: func() error {
			out, err := exec.Exec(lt, rt)
			if err != nil {
				return err
			}
			_ = tensors.ToScalar[float32](out[0]) // waits for the result where execution is asynchronous
			return out[0].FinalizeAll()
		}}, nil
}

// Stats summarises the timings of a case.
type Stats struct {
	Name    string
	Backend string
	Items   int
	FLOPs   float64
	// Samples are the durations of the timed calls, in order.
	Samples []time.Duration
	// CPU are the processor times (user + system, all threads of the process) of the same calls: on a shared
	// machine a steadier measure of the work done than the wall time, though blind to parallel speed-ups.
	CPU []time.Duration
	// PeakRSSMiB is the process's peak resident memory while the case was prepared and run (0 where unknown).
	PeakRSSMiB float64
}

// Percentile returns the p-th percentile (0-100) of the samples, by linear interpolation.
func (s *Stats) Percentile(p float64) time.Duration { return percentile(s.Samples, p) }

// MedianCPU is the median processor time of a call.
func (s *Stats) MedianCPU() time.Duration { return percentile(s.CPU, 50) }

func percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	pos := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	frac := pos - float64(lo)
	return time.Duration(float64(sorted[lo])*(1-frac) + float64(sorted[hi])*frac)
}

// Median is the 50th percentile.
func (s *Stats) Median() time.Duration { return s.Percentile(50) }

// ItemsPerSec is the throughput at the median time (0 for a case without items).
func (s *Stats) ItemsPerSec() float64 {
	m := s.Median().Seconds()
	if m <= 0 {
		return 0
	}
	return float64(s.Items) / m
}

// GFLOPPerSec is the arithmetic rate at the median time (0 when the case does not count FLOPs).
func (s *Stats) GFLOPPerSec() float64 {
	m := s.Median().Seconds()
	if m <= 0 {
		return 0
	}
	return s.FLOPs / m / 1e9
}

// Report times calls of c for at least d (at least one call) with github.com/janpfeifer/go-benchmarks, which
// prints a row of mean, median, the given percentiles and the count to standard output. The returned Stats hold
// every timing. Call c.Run once before (the first call compiles).
func Report(c *Case, d time.Duration, percentiles ...int) (*Stats, error) {
	s := &Stats{Name: c.Name, Items: c.Items, FLOPs: c.FLOPs}
	var runErr error
	timed := func() {
		if runErr != nil {
			return
		}
		c0, t0 := CPUTime(), time.Now()
		runErr = c.Run()
		s.Samples = append(s.Samples, time.Since(t0))
		s.CPU = append(s.CPU, CPUTime()-c0)
	}
	if d < 10*time.Millisecond {
		// go-benchmarks stops when a timer of d fires, which a short d can do before the first call (its mean
		// then divides by zero calls): below 10 ms, one timed call is made here instead.
		timed()
	} else {
		benchmarks.New(benchmarks.NamedFunction{Name: c.Name, Func: timed}).
			WithWarmUps(0).WithDuration(d).WithQuantiles(percentiles...).WithColumnSize(12).Done()
	}
	if runErr != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, runErr)
	}
	s.PeakRSSMiB = PeakRSSMiB()
	return s, nil
}

// Measure runs c once untimed (compilation, warm-up), then times calls until at least minRuns calls and minTime
// have passed, or maxTime has (at least one timed call is always made). It prints nothing.
func Measure(c *Case, minRuns int, minTime, maxTime time.Duration) (*Stats, error) {
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	s := &Stats{Name: c.Name, Items: c.Items, FLOPs: c.FLOPs}
	start := time.Now()
	for {
		c0, t0 := CPUTime(), time.Now()
		if err := c.Run(); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		s.Samples = append(s.Samples, time.Since(t0))
		s.CPU = append(s.CPU, CPUTime()-c0)
		elapsed := time.Since(start)
		if elapsed >= maxTime || (len(s.Samples) >= minRuns && elapsed >= minTime) {
			break
		}
	}
	s.PeakRSSMiB = PeakRSSMiB()
	return s, nil
}

// CPUTime is the processor time (user + system) the process has used so far, 0 where unavailable.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSSMiB reads the process's peak resident memory (VmHWM in /proc/self/status), 0 where unavailable.
func PeakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			kb, _ := strconv.ParseFloat(f[0], 64)
			return kb / 1024
		}
	}
	return 0
}

// ResetPeakRSS returns freed memory to the operating system and resets the peak resident memory to the current
// one (Linux ≥ 4.0: /proc/self/clear_refs), so the next PeakRSSMiB covers only what follows. It reports whether
// the reset worked.
func ResetPeakRSS() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}
