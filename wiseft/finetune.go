package wiseft

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/parallel"
	"github.com/gowiseft/wiseft/internal/trainloop"
)

// FineTuneConfig holds the hyperparameters of FineTune: everything that decides the weights a run ends with.
// Every field means what it says, zero included (no weight decay, no warmup, no label smoothing); start from
// DefaultFineTuneConfig for the paper's settings. How a run is carried out (checkpoints, resuming, progress, a
// feature cache) is TrainRun's, and stopping is the context's.
type FineTuneConfig struct {
	// Epochs over the training set; 0 trains nothing and returns a copy of the zero-shot classifier.
	Epochs int `json:"epochs"`
	// BatchSize is the number of examples per step (at least 1; a dataset smaller than that is one batch). The last
	// partial batch of an epoch is padded to full size with examples of weight 0, so one compiled program serves
	// every step and the loss is that of the partial batch.
	BatchSize int `json:"batch_size"`
	// LR is the peak learning rate of the cosine schedule.
	LR float64 `json:"lr"`
	// WeightDecay is AdamW's decoupled weight decay, applied to every trainable tensor.
	WeightDecay float64 `json:"weight_decay"`
	// WarmupSteps is the length of the linear warmup. See CosineLR.
	WarmupSteps int `json:"warmup_steps"`
	// LabelSmoothing in [0, 1). See SmoothedCrossEntropy.
	LabelSmoothing float64 `json:"label_smoothing"`
	// GradClipNorm bounds the global gradient norm as torch.nn.utils.clip_grad_norm_ does; 0 does not clip.
	GradClipNorm float64 `json:"grad_clip_norm"`
	// Seed decides the data order and the augmentation (together with the epoch and step).
	Seed uint64 `json:"seed"`
	// FreezeEncoder trains only the head (the paper's linear classifier) on image features computed once with the
	// evaluation transform; otherwise the whole image tower, the visual projection and the head train end to end.
	FreezeEncoder bool `json:"freeze_encoder"`
	// BF16 trains in mixed precision: float32 weights and optimizer state, the image tower's matrix products in
	// bfloat16 (see clipmodel.SetComputeDType). Worth it on accelerators; on SimpleGo it is slower.
	BF16 bool `json:"bf16"`
	// Shards splits each batch into this many equal shards whose gradients are computed concurrently (on up to
	// TrainRun.Workers executions) and summed in shard order before one optimizer update: on SimpleGo, whose
	// programs use about one core, this is what puts every core to work. 0 or 1: one program computes the
	// gradient and the update of the whole batch. The weights a run ends with depend on Shards (the gradient's
	// sums are grouped differently) but not on the number of workers or on timing.
	Shards int `json:"shards"`
	// FLYP fine-tunes like CLIP pretrains (Goyal et al., CVPR 2023): both towers train on CLIP's contrastive loss
	// between the images and their class prompts (see ContrastiveClassLoss), and the head is made again from the
	// fine-tuned text tower at the end. Set by FLYP, which also takes the prompt templates.
	FLYP bool `json:"flyp,omitempty"`
}

// DefaultFineTuneConfig returns the paper's end-to-end fine-tuning settings (ImageNet, ViT-B/32): 10 epochs,
// batch 512, learning rate 3e-5, weight decay 0.1, 500 warmup steps, no label smoothing, gradient norm clipped at 1.
func DefaultFineTuneConfig() FineTuneConfig {
	return FineTuneConfig{Epochs: 10, BatchSize: 512, LR: 3e-5, WeightDecay: 0.1, WarmupSteps: 500, GradClipNorm: 1}
}

// Validate reports the first field outside its range, by name.
func (c FineTuneConfig) Validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("fine-tune: %d epochs", c.Epochs)
	case c.BatchSize < 1:
		return fmt.Errorf("fine-tune: batch size %d (at least 1)", c.BatchSize)
	case c.LR < 0 || !finite(c.LR):
		return fmt.Errorf("fine-tune: learning rate %g", c.LR)
	case c.WeightDecay < 0 || !finite(c.WeightDecay):
		return fmt.Errorf("fine-tune: weight decay %g", c.WeightDecay)
	case c.WarmupSteps < 0:
		return fmt.Errorf("fine-tune: %d warmup steps", c.WarmupSteps)
	case c.LabelSmoothing < 0 || c.LabelSmoothing >= 1 || !finite(c.LabelSmoothing):
		return fmt.Errorf("fine-tune: label smoothing %g outside [0, 1)", c.LabelSmoothing)
	case c.GradClipNorm < 0 || !finite(c.GradClipNorm):
		return fmt.Errorf("fine-tune: gradient clipping norm %g (0 does not clip)", c.GradClipNorm)
	case c.Shards < 0 || c.Shards > max(c.BatchSize, 1):
		return fmt.Errorf("fine-tune: %d shards for batches of %d", c.Shards, c.BatchSize)
	case c.FLYP && c.FreezeEncoder:
		return fmt.Errorf("fine-tune: FLYP trains both towers; it has no frozen-encoder variant")
	case c.FLYP && c.LabelSmoothing != 0:
		return fmt.Errorf("fine-tune: label smoothing %g is a cross-entropy setting; FLYP's loss is contrastive", c.LabelSmoothing)
	}
	return nil
}

// TrainRun says how a FineTune run is carried out. Nothing in it changes the weights the run ends with: a run
// stopped and resumed from its checkpoint ends where the uninterrupted run would. The zero value trains without
// checkpoints, cache or progress.
type TrainRun struct {
	// CheckpointDir, when set, receives a checkpoint after every epoch (see CheckpointPath), and one of the step
	// under way when the run is stopped mid-epoch (see StepCheckpointPath).
	CheckpointDir string
	// CacheDir, when set, keeps the image features of the linear classifier (see DatasetFeatures).
	CacheDir string
	// ResumeFrom is a checkpoint folder written by an earlier run with the same FineTuneConfig: its weights and
	// optimizer state are restored and training continues where the checkpoint was taken (the next epoch, or the
	// next step of the epoch for a mid-epoch checkpoint), seeing the batches the uninterrupted run would have
	// seen, so it ends with the same weights. Epochs may differ from the earlier run's (the schedule then follows
	// the new total, so the run is no longer identical to an uninterrupted one); every other field must match.
	// See LatestCheckpoint to find the newest checkpoint of a CheckpointDir.
	ResumeFrom string
	// StopAfterEpoch, when positive, stops the run after that epoch (counted from 1) and its checkpoint, as a
	// cancelled context would; ResumeFrom continues it. The schedule still spans Epochs.
	StopAfterEpoch int
	// Progress, when set, is called after every step (see TerminalProgress).
	Progress func(ProgressInfo)
	// OnSkip, when set, is called for each training example that cannot be read (a corrupt or empty image
	// file), which its step leaves out (see FineTune), in step order from one goroutine. A resumed run reports
	// only the steps it runs.
	OnSkip func(error)
	// AfterEpoch, when set, is called after each epoch (0-based, as the paper's current_epoch) and its checkpoint
	// with the classifier as trained so far, e.g. to evaluate it as the paper's fine-tuning does after every
	// epoch. The classifier is the one being trained: use it during the call (an Evaluator copies its weights),
	// Clone it to keep it. An error stops the run and is returned.
	AfterEpoch func(epoch int, c *Classifier) error
	// Workers bounds the concurrent executions of a sharded step (FineTuneConfig.Shards); 0: one per CPU.
	Workers int
	// Devices is the number of XLA devices each batch is split over (0: all the backend has; SimpleGo has one).
	Devices int

	// method and probe are what the checkpoints record of the method (see FineTuneRecipe): set by LPFT and FLYP,
	// "" for FineTune.
	method string
	probe  *FineTuneConfig
}

// ProgressInfo describes the training step that just finished; FineTune passes one to TrainRun.Progress after
// every step.
type ProgressInfo = trainloop.Progress

// StoppedError is FineTune's error when its context was cancelled (or TrainRun.StopAfterEpoch was reached): where
// the run stopped and the checkpoint to resume from (TrainRun.ResumeFrom). errors.Is(err, ErrStopped) matches it.
type StoppedError = trainloop.StoppedError

// ErrStopped is matched by FineTune's error when the run was stopped.
var ErrStopped = trainloop.ErrStopped

// CosineLR is the learning rate of a step under the paper's schedule: linear warmup, then a half cosine to 0.
var CosineLR = trainloop.CosineLR

// TerminalProgress returns a TrainRun.Progress that renders training progress on w: a bar rewritten in place
// when w is a terminal, otherwise plain lines at the first and last step and at most every `every` in between
// (every ≤ 0: after every step), as in CI logs.
func TerminalProgress(w io.Writer, every time.Duration) func(ProgressInfo) {
	return trainloop.TerminalProgress(w, every)
}

// trainer holds the state of one FineTune run.
type trainer struct {
	cfg       FineTuneConfig
	run       TrainRun
	cls       *Classifier // the classifier being trained; its weights are refreshed from ctx at checkpoints
	train     datasets.Dataset
	transform preprocess.Transform
	feats     *Features // linear classifier only
	templates []string  // FLYP only: the prompt templates
	prompts   []int32   // FLYP only: the token ids of every class × template prompt, [classes·templates, context]
	makeBatch func(perm []int, epoch, step int) (trainBatch, error)

	keys    []string // the trainable weights, held in ctx
	ctx     *mlctx.Context
	exec    *mlctx.Exec // the whole step (one shard), or the update of a sharded step
	grad    *mlctx.Exec // the gradient of one shard (sharded steps)
	devices *clipmodel.Devices
	lrVar   *mlctx.Variable
	classes int

	// n examples, batch examples per step in rows rows (padded with weight-0 rows to a multiple of the shards and
	// devices), split into shards.
	n, batch, rows, shards, stepsPerEpoch, totalSteps int
	workers                                           int
	stepsRun                                          int // steps this process has run (the first one is special: see step)

	permEpoch int   // the epoch whose order perm is (the batch producer's own)
	perm      []int // permEpoch's order
}

// FineTune fine-tunes a copy of the classifier zs on train and returns it; zs is not modified.
//
// End to end (the default), every weight of the image tower, the visual projection and the head is trained; the
// text tower and logit_scale are not part of the classifier and keep their values. With cfg.FreezeEncoder only the
// head is trained, on cached image features. The optimizer is PyTorch's AdamW (β 0.9/0.999, ε 1e-8, decoupled
// weight decay on every trainable tensor) after global-norm gradient clipping, with the learning rate of
// CosineLR set before each step, and the loss is SmoothedCrossEntropy: the recipe of the paper's finetune.py.
//
// Epoch e visits the examples in a permutation drawn from (Seed, e) (in index order for a datasets.InOrder
// training set, as the paper's unshuffled loaders do); each image goes through the model's
// Transform.Train augmentation with a generator seeded from (Seed, e, step). Batches are decoded and augmented
// on all cores, one batch ahead of the step that runs. An example that cannot be read (a corrupt or empty image file) is left out of
// its step and reported to run.OnSkip; a step with no example left fails.
//
// When ctx is cancelled, the step under way finishes, a checkpoint of it is written to run.CheckpointDir and
// FineTune returns a *StoppedError naming it. FineTune installs the fast matrix-product gradients
// (clipmodel.InstallFastGradients).
//
//	cfg := wiseft.DefaultFineTuneConfig()
//	cfg.Epochs, cfg.BatchSize, cfg.LR = 1, 128, 1e-3
//	ft, err := wiseft.FineTune(ctx, zs, train, cfg, wiseft.TrainRun{CheckpointDir: "out/checkpoints"})
func FineTune(ctx context.Context, zs *Classifier, train datasets.Dataset, cfg FineTuneConfig, run TrainRun) (*Classifier, error) {
	if cfg.FLYP {
		return nil, fmt.Errorf("fine-tune: FLYP needs its prompt templates: call FLYP")
	}
	return fineTune(ctx, zs, train, cfg, run, nil)
}

// fineTune is FineTune and FLYP (templates are FLYP's prompt templates).
func fineTune(ctx context.Context, zs *Classifier, train datasets.Dataset, cfg FineTuneConfig, run TrainRun,
	templates []string) (*Classifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if run.StopAfterEpoch < 0 {
		return nil, fmt.Errorf("fine-tune: StopAfterEpoch %d", run.StopAfterEpoch)
	}
	if zs == nil || zs.Model == nil || zs.Model.Weights[HeadWeight] == nil || zs.Model.Weights[HeadBias] == nil {
		return nil, fmt.Errorf("fine-tune: the classifier has no head")
	}
	if err := zs.Model.Weights.Check(zs.Model.Config); err != nil {
		return nil, fmt.Errorf("fine-tune: %w", err)
	}
	if train == nil {
		return nil, fmt.Errorf("fine-tune: no training set")
	}
	n := train.Len()
	if n == 0 {
		return nil, fmt.Errorf("fine-tune: the training set %s is empty", train.Name())
	}
	classes := zs.NumClasses()
	if names := train.ClassNames(); len(names) != 0 && len(names) != classes {
		return nil, fmt.Errorf("fine-tune: %s has %d classes, the classifier's head %d", train.Name(), len(names), classes)
	}
	if run.method == "" {
		run.method = MethodFT
	}
	t := &trainer{cfg: cfg, run: run, cls: zs.Clone(), train: train, classes: classes, n: n, permEpoch: -1,
		templates: templates}
	if cfg.Epochs == 0 {
		return t.cls, nil
	}
	if cfg.FLYP {
		if err := t.tokenizePrompts(); err != nil {
			return nil, err
		}
	}
	t.transform = modelTransform(zs.Model)
	if t.transform.Size != zs.Model.Config.Vision.ImageSize {
		return nil, fmt.Errorf("fine-tune: the model's transform makes %d-pixel images, its image tower expects %d",
			t.transform.Size, zs.Model.Config.Vision.ImageSize)
	}
	t.batch = min(cfg.BatchSize, n)
	t.shards = max(cfg.Shards, 1)
	t.workers = run.Workers
	if t.workers <= 0 {
		t.workers = runtime.GOMAXPROCS(0)
	}
	t.rows = (t.batch + t.shards - 1) / t.shards * t.shards
	t.stepsPerEpoch = (n + t.batch - 1) / t.batch
	t.totalSteps = cfg.Epochs * t.stepsPerEpoch

	var from trainloop.Position
	if run.ResumeFrom != "" {
		state, err := t.loadResumeWeights()
		if err != nil {
			return nil, err
		}
		from = state.Position()
	}
	var err error
	if cfg.FreezeEncoder {
		// The features depend only on the image tower, which a linear classifier leaves untouched.
		if t.feats, err = DatasetFeatures(t.cls.Model, train, run.CacheDir); err != nil {
			return nil, err
		}
		t.makeBatch = t.featureBatch
	} else {
		t.makeBatch = t.imageBatch
	}
	if err := t.build(); err != nil {
		return nil, err
	}
	if run.ResumeFrom != "" {
		if err := trainloop.RestoreOptimizerFrom(t.ctx, run.ResumeFrom); err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
	}
	loop := &trainloop.Loop[trainBatch]{
		Epochs: cfg.Epochs, StepsPerEpoch: t.stepsPerEpoch, StopAfterEpoch: run.StopAfterEpoch,
		Batch: t.nextBatch, Step: t.step,
		Dir: run.CheckpointDir, Save: t.saveCheckpoint, Recipe: t.recipe(), ResumedFrom: run.ResumeFrom,
		Progress: run.Progress,
	}
	if run.AfterEpoch != nil {
		loop.AfterEpoch = func(epochsDone int) error {
			if err := t.syncWeights(); err != nil {
				return err
			}
			cls := t.cls
			if cfg.FLYP {
				if cls, err = t.remadeHead(); err != nil {
					return err
				}
			}
			if err := run.AfterEpoch(epochsDone-1, cls); err != nil {
				return fmt.Errorf("after epoch %d: %w", epochsDone, err)
			}
			return nil
		}
	}
	if err := loop.Run(ctx, from); err != nil {
		var stopped *StoppedError
		if errors.As(err, &stopped) {
			stopped.What = "fine-tuning"
			return nil, stopped
		}
		return nil, fmt.Errorf("fine-tune: %w", err)
	}
	if err := t.syncWeights(); err != nil {
		return nil, err
	}
	if cfg.FLYP {
		return t.remadeHead()
	}
	return t.cls, nil
}

// trainableKeys lists the weights FineTune trains: the head and (end to end) the image tower and visual
// projection; FLYP trains the image tower, the text tower and both projections, not the head (made again from the
// text tower) nor logit_scale.
func trainableKeys(w clipmodel.Weights, freezeEncoder, flyp bool) []string {
	var keys []string
	for _, k := range w.Names() {
		switch {
		case flyp:
			if isImageFeatureWeight(k) || isTextFeatureWeight(k) {
				keys = append(keys, k)
			}
		case strings.HasPrefix(k, clipmodel.HeadPrefix) || (!freezeEncoder && isImageFeatureWeight(k)):
			keys = append(keys, k)
		}
	}
	return keys
}

// gradientOptimizer is a GoMLX optimizer that applies given (here: clipped) gradients.
type gradientOptimizer interface {
	UpdateGraphWithGradients(ctx *mlctx.Context, grads []*graph.Node, lossDType dtypes.DType)
}

// build creates the training context (holding only the trainable weights: the text tower and logit_scale never
// enter it), the optimizer and the compiled training step.
func (t *trainer) build() error {
	clipmodel.InstallFastGradients()
	backend, err := clipmodel.Backend()
	if err != nil {
		return err
	}
	t.keys = trainableKeys(t.cls.Model.Weights, t.cfg.FreezeEncoder, t.cfg.FLYP)
	sub := make(clipmodel.Weights, len(t.keys))
	for _, k := range t.keys {
		sub[k] = t.cls.Model.Weights[k]
	}
	t.ctx = mlctx.New()
	clipmodel.SetWeights(t.ctx, sub)
	if t.cfg.BF16 {
		clipmodel.SetComputeDType(t.ctx, dtypes.BFloat16)
	}
	t.lrVar = optimizers.LearningRateVar(t.ctx, dtypes.Float32, t.cfg.LR)
	opt, ok := optimizers.Adam().LearningRate(t.cfg.LR).Betas(0.9, 0.999).Epsilon(1e-8).
		WeightDecay(t.cfg.WeightDecay).Done().(gradientOptimizer)
	if !ok {
		return fmt.Errorf("fine-tune: GoMLX's Adam does not take precomputed gradients")
	}
	if t.devices, err = clipmodel.NewDevices(backend, t.run.Devices); err != nil {
		return err
	}
	if t.devices.Count() > 1 && t.shards > 1 {
		return fmt.Errorf("fine-tune: shards are for CPUs; on %d devices each batch is already split over them", t.devices.Count())
	}
	if t.rows%t.devices.Count() != 0 {
		t.rows = t.devices.RoundBatch(t.rows)
	}
	modelCfg, linear, ls, clip := t.cls.Model.Config, t.cfg.FreezeEncoder, t.cfg.LabelSmoothing, t.cfg.GradClipNorm
	logits := func(ctx *mlctx.Context, x *graph.Node) *graph.Node {
		if linear {
			return HeadLogits(ctx, x)
		}
		return Logits(ctx, modelCfg, x)
	}
	lossSum := func(ctx *mlctx.Context, x, labels, weights *graph.Node) (sum, w *graph.Node) {
		return smoothedCrossEntropySum(logits(ctx, x), labels, weights, ls)
	}
	if t.cfg.FLYP {
		lossSum, err = t.flypLoss()
		if err != nil {
			return err
		}
	}
	if t.shards == 1 {
		t.exec, err = mlctx.NewExec(backend, t.ctx, func(ctx *mlctx.Context, x, labels, weights *graph.Node) (*graph.Node, *graph.Node) {
			var loss *graph.Node
			if t.cfg.FLYP {
				sum, w := lossSum(ctx, x, labels, weights)
				loss = graph.Div(sum, w)
			} else {
				loss = SmoothedCrossEntropy(logits(ctx, x), labels, weights, ls)
			}
			grads, norm := trainloop.ClipByGlobalNorm(ctx.BuildTrainableVariablesGradientsGraph(loss), clip)
			opt.UpdateGraphWithGradients(ctx, grads, loss.DType())
			return loss, norm
		})
		if err == nil {
			t.devices.Configure(t.exec, 3)
		}
		return err
	}
	// A sharded step: each shard's program returns Σ wᵢ·lossᵢ, Σ wᵢ and the gradient of the first; the update
	// program takes their sums over the shards and applies the mean gradient, clipped, as the whole step would.
	t.grad, err = mlctx.NewExec(backend, t.ctx, func(ctx *mlctx.Context, x, labels, weights *graph.Node) []*graph.Node {
		sum, w := lossSum(ctx, x, labels, weights)
		return append([]*graph.Node{sum, w}, ctx.BuildTrainableVariablesGradientsGraph(sum)...)
	})
	if err != nil {
		return err
	}
	t.exec, err = mlctx.NewExec(backend, t.ctx, func(ctx *mlctx.Context, in []*graph.Node) *graph.Node {
		weight, sums := in[0], in[1:]
		// Adam updates the trainable variables the graph uses, in the context's order, which is the order of the
		// gradients the shard program returns: this graph must use them too.
		for v := range ctx.IterVariables() {
			if v.Trainable {
				v.ValueGraph(weight.Graph())
			}
		}
		grads := make([]*graph.Node, len(sums))
		for i, g := range sums {
			grads[i] = graph.Div(g, weight)
		}
		clipped, norm := trainloop.ClipByGlobalNorm(grads, clip)
		opt.UpdateGraphWithGradients(ctx, clipped, weight.DType())
		return norm
	})
	return err
}

// nextBatch makes the batch of step (0-based) of epoch; the loop calls it in step order from one goroutine.
func (t *trainer) nextBatch(epoch, step int) (trainBatch, error) {
	if epoch != t.permEpoch {
		t.perm, t.permEpoch = epochOrder(t.train, t.cfg.Seed, epoch, t.n), epoch
	}
	return t.makeBatch(t.perm, epoch, step)
}

// step runs one optimizer step on b.
func (t *trainer) step(epoch, step int, b trainBatch) (trainloop.StepStats, error) {
	global := epoch*t.stepsPerEpoch + step
	lr := CosineLR(t.cfg.LR, t.cfg.WarmupSteps, t.totalSteps, global)
	if err := t.lrVar.SetValue(tensors.FromScalar(float32(lr))); err != nil {
		return trainloop.StepStats{}, err
	}
	var loss, norm float64
	var err error
	if t.shards == 1 {
		loss, norm, err = t.wholeStep(b)
	} else {
		loss, norm, err = t.shardedStep(b)
	}
	if err != nil {
		return trainloop.StepStats{}, fmt.Errorf("step %d: %w", global+1, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		cause := "lower the learning rate"
		if t.stepsRun == 0 { // no update of this run came before: the learning rate is not the cause
			cause = "it is this run's first step, before any update: the inputs or the weights are not finite numbers"
		}
		return trainloop.StepStats{}, fmt.Errorf("the loss is %g at step %d (epoch %d); %s", loss, global+1, epoch+1, cause)
	}
	t.stepsRun++
	return trainloop.StepStats{Loss: loss, LR: lr, GradNorm: norm, Examples: b.examples}, nil
}

// wholeStep runs the step of the whole batch in one program (on every device).
func (t *trainer) wholeStep(b trainBatch) (loss, norm float64, err error) {
	x, labels, weights := b.tensors(0, b.rows())
	out, err := t.devices.Exec(t.exec, 3, x, labels, weights)
	for _, in := range []*tensors.Tensor{x, labels, weights} {
		_ = in.FinalizeAll()
	}
	if err != nil {
		return 0, 0, err
	}
	loss = float64(tensors.ToScalar[float32](out[0]))
	norm = float64(tensors.ToScalar[float32](out[1]))
	for _, o := range out {
		_ = o.FinalizeAll()
	}
	return loss, norm, nil
}

// shardedStep computes the gradients of the batch's shards on up to t.workers concurrent executions, sums them
// (and the losses) in shard order on the host, and runs the update with their sum: the same for any number of
// workers and any timing.
func (t *trainer) shardedStep(b trainBatch) (loss, norm float64, err error) {
	type shardResult struct {
		sum, weight float32
		grads       [][]float32
		shapes      [][]int
	}
	per := b.rows() / t.shards
	res := make([]shardResult, t.shards)
	err = parallel.ForErr(t.shards, t.workers, func(s int) error {
		x, labels, weights := b.tensors(s*per, (s+1)*per)
		out, err := t.grad.Exec(x, labels, weights)
		for _, in := range []*tensors.Tensor{x, labels, weights} {
			_ = in.FinalizeAll()
		}
		if err != nil {
			return err
		}
		defer func() {
			for _, o := range out {
				_ = o.FinalizeAll()
			}
		}()
		r := shardResult{sum: tensors.ToScalar[float32](out[0]), weight: tensors.ToScalar[float32](out[1])}
		for _, g := range out[2:] {
			data, err := tensors.CopyFlatData[float32](g)
			if err != nil {
				return err
			}
			r.grads, r.shapes = append(r.grads, data), append(r.shapes, g.Shape().Dimensions)
		}
		res[s] = r
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	total := res[0]
	var lossSum, weightSum float64
	for s, r := range res {
		lossSum += float64(r.sum)
		weightSum += float64(r.weight)
		if s == 0 {
			continue
		}
		total.weight += r.weight
		for k, g := range r.grads {
			acc := total.grads[k]
			for i, v := range g {
				acc[i] += v
			}
		}
	}
	in := make([]*tensors.Tensor, 0, len(total.grads)+1)
	in = append(in, tensors.FromScalar(total.weight))
	for k, g := range total.grads {
		in = append(in, tensors.FromFlatDataAndDimensions(g, total.shapes[k]...))
	}
	args := make([]any, len(in))
	for i, x := range in {
		args[i] = x
	}
	out, err := t.exec.Exec(args...)
	for _, x := range in {
		_ = x.FinalizeAll()
	}
	if err != nil {
		return 0, 0, err
	}
	norm = float64(tensors.ToScalar[float32](out[0]))
	_ = out[0].FinalizeAll()
	return lossSum / weightSum, norm, nil
}

// recipe is what a checkpoint of this run records besides the position.
func (t *trainer) recipe() FineTuneRecipe {
	return FineTuneRecipe{Config: t.cfg, Dataset: t.train.Name(), DatasetLen: t.n, ClassNames: t.cls.ClassNames,
		Templates: t.templates, Method: t.run.method, Probe: t.run.probe}
}

// saveCheckpoint writes the classifier (with the weights trained so far) and the optimizer state into dir.
func (t *trainer) saveCheckpoint(dir string) error {
	if err := t.syncWeights(); err != nil {
		return err
	}
	if err := t.cls.Save(dir); err != nil {
		return err
	}
	return trainloop.SaveOptimizerIn(dir, t.ctx, t.cls.Model.Weights)
}

// syncWeights copies the trained weights from the context into t.cls.
func (t *trainer) syncWeights() error {
	w, err := clipmodel.GetWeights(t.ctx, t.keys)
	if err != nil {
		return err
	}
	for k, v := range w {
		t.cls.Model.Weights[k] = v
	}
	return nil
}

// loadResumeWeights checks the checkpoint at run.ResumeFrom against this run and loads its weights into t.cls.
func (t *trainer) loadResumeWeights() (*CheckpointState, error) {
	dir := t.run.ResumeFrom
	state, err := VerifyCheckpoint(dir)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	if got := state.Recipe.RecipeMethod(); got != t.run.method {
		return nil, fmt.Errorf("resume from %s: the checkpoint was written by method %s, this run is %s", dir, got,
			t.run.method)
	}
	if (state.Recipe.Probe == nil) != (t.run.probe == nil) ||
		(t.run.probe != nil && *state.Recipe.Probe != *t.run.probe) {
		return nil, fmt.Errorf("resume from %s: the checkpoint's LP-FT started from a linear probe trained with %+v, "+
			"this run's with %+v", dir, state.Recipe.Probe, t.run.probe)
	}
	saved := state.Recipe.Config
	saved.Epochs = t.cfg.Epochs // the one setting allowed to change
	if saved != t.cfg {
		return nil, fmt.Errorf("resume from %s: the checkpoint was trained with %+v, this run asks for %+v",
			dir, state.Recipe.Config, t.cfg)
	}
	if !slices.Equal(state.Recipe.Templates, t.templates) {
		return nil, fmt.Errorf("resume from %s: the checkpoint was trained with the prompt templates %q, this run with %q",
			dir, state.Recipe.Templates, t.templates)
	}
	if state.Recipe.Dataset != t.train.Name() || state.Recipe.DatasetLen != t.n {
		return nil, fmt.Errorf("resume from %s: the checkpoint was trained on %s (%d examples), this run on %s (%d)",
			dir, state.Recipe.Dataset, state.Recipe.DatasetLen, t.train.Name(), t.n)
	}
	if state.StepsPerEpoch != t.stepsPerEpoch {
		return nil, fmt.Errorf("resume from %s: the checkpoint has %d steps per epoch, this run %d",
			dir, state.StepsPerEpoch, t.stepsPerEpoch)
	}
	if state.StepInEpoch > 0 && state.Epoch >= t.cfg.Epochs {
		return nil, fmt.Errorf("resume from %s: the checkpoint is in epoch %d, this run has only %d epochs",
			dir, state.Epoch+1, t.cfg.Epochs)
	}
	m, err := clipmodel.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	if err := m.Weights.Check(t.cls.Model.Config); err != nil {
		return nil, fmt.Errorf("resume from %s: the checkpoint does not fit the classifier's model: %w", dir, err)
	}
	if hw := m.Weights[HeadWeight]; hw == nil || hw.Shape[0] != t.classes {
		return nil, fmt.Errorf("resume from %s: the checkpoint's head does not have %d classes", dir, t.classes)
	}
	for k, w := range m.Weights {
		t.cls.Model.Weights[k] = w
	}
	return state, nil
}
