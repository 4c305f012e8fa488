package wiseft

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/trainstate"
)

// FineTuneConfig configures FineTune. Zero values take the paper's defaults (see DefaultFineTuneConfig); to turn
// weight decay, warmup or gradient clipping off, set them negative.
type FineTuneConfig struct {
	// Epochs over the training set (default 10).
	Epochs int
	// BatchSize is the number of examples per step (default 512; a dataset smaller than that is one batch). The
	// last partial batch of an epoch is padded to full size with examples of weight 0, so one compiled program
	// serves every step and the loss is that of the partial batch.
	BatchSize int
	// LR is the peak learning rate of the cosine schedule (default 3e-5).
	LR float64
	// WeightDecay is AdamW's decoupled weight decay, applied to every trainable tensor (default 0.1).
	WeightDecay float64
	// WarmupSteps is the length of the linear warmup (default 500). See CosineLR.
	WarmupSteps int
	// LabelSmoothing in [0, 1) (default 0). See SmoothedCrossEntropy.
	LabelSmoothing float64
	// GradClipNorm bounds the global gradient norm (default 1.0). See ClipByGlobalNorm.
	GradClipNorm float64
	// Seed decides the data order and the augmentation (together with the epoch and step).
	Seed uint64
	// FreezeEncoder trains only the head (the paper's linear classifier) on image features computed once with the
	// evaluation transform; otherwise the whole image tower, the visual projection and the head train end to end.
	FreezeEncoder bool
	// CheckpointDir, when set, receives a checkpoint after every epoch (see CheckpointPath), and one of the step
	// under way when the run is stopped mid-epoch (see Stop and StepCheckpointPath).
	CheckpointDir string
	// CacheDir, when set, keeps the image features of the linear classifier (see DatasetFeatures).
	CacheDir string
	// ResumeFrom is a checkpoint folder written by an earlier run with the same settings: its weights and
	// optimizer state are restored and training continues where the checkpoint was taken (the next epoch, or the
	// next step of the epoch for a mid-epoch checkpoint), seeing the batches the uninterrupted run would have
	// seen, so it ends with the same weights. Epochs may differ from the earlier run's (the schedule then follows
	// the new total, so the run is no longer identical to an uninterrupted one); every other setting that shapes
	// the trajectory must match. See LatestCheckpoint to find the newest checkpoint of a CheckpointDir.
	ResumeFrom string
	// StopAfterEpoch, when positive, ends the run after that epoch (counted from 1) and its checkpoint, as an
	// interrupted run would; ResumeFrom continues it. The schedule still spans Epochs.
	StopAfterEpoch int
	// Stop, when set, is watched between steps: once it is closed (or a value is sent), the run finishes the step
	// under way, writes a checkpoint of it to CheckpointDir (a mid-epoch one, see StepCheckpointPath; at an epoch
	// boundary the epoch's own checkpoint serves) and returns an *InterruptedError (errors.Is(err,
	// ErrInterrupted)) naming it. The channel is only read; FineTune never closes it.
	Stop <-chan struct{}
	// Progress, when set, is called after every step (see TerminalProgress).
	Progress func(ProgressInfo)
	// BF16 trains in mixed precision: float32 weights and optimizer state, the image tower's matrix products in
	// bfloat16 (see clipmodel.SetComputeDType). Worth it on accelerators; on SimpleGo it is slower.
	BF16 bool
	// AfterEpoch, when set, is called after each epoch (0-based, as the paper's current_epoch) and its checkpoint
	// with the classifier as trained so far, e.g. to evaluate it as the paper's fine-tuning does after every
	// epoch. The classifier is the one being trained: use it during the call (an Evaluator copies its weights),
	// Clone it to keep it. An error stops the run and is returned.
	AfterEpoch func(epoch int, c *Classifier) error
}

// DefaultFineTuneConfig returns the paper's end-to-end fine-tuning settings (ImageNet, ViT-B/32): 10 epochs,
// batch 512, learning rate 3e-5, weight decay 0.1, 500 warmup steps, no label smoothing, gradient norm clipped at 1.
func DefaultFineTuneConfig() FineTuneConfig {
	return FineTuneConfig{Epochs: 10, BatchSize: 512, LR: 3e-5, WeightDecay: 0.1, WarmupSteps: 500, GradClipNorm: 1}
}

// withDefaults fills zero fields with the defaults, maps negative "off" values to 0 and validates.
func (c FineTuneConfig) withDefaults() (FineTuneConfig, error) {
	d := DefaultFineTuneConfig()
	if c.Epochs == 0 {
		c.Epochs = d.Epochs
	}
	if c.BatchSize == 0 {
		c.BatchSize = d.BatchSize
	}
	if c.LR == 0 {
		c.LR = d.LR
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = d.WeightDecay
	}
	if c.WarmupSteps == 0 {
		c.WarmupSteps = d.WarmupSteps
	}
	if c.GradClipNorm == 0 {
		c.GradClipNorm = d.GradClipNorm
	}
	c.WeightDecay = max(c.WeightDecay, 0)
	c.WarmupSteps = max(c.WarmupSteps, 0)
	c.GradClipNorm = max(c.GradClipNorm, 0)
	switch {
	case c.Epochs < 0:
		return c, fmt.Errorf("fine-tune: %d epochs", c.Epochs)
	case c.BatchSize < 0:
		return c, fmt.Errorf("fine-tune: batch size %d", c.BatchSize)
	case c.LR < 0 || math.IsNaN(c.LR) || math.IsInf(c.LR, 0):
		return c, fmt.Errorf("fine-tune: learning rate %g", c.LR)
	case c.LabelSmoothing < 0 || c.LabelSmoothing >= 1:
		return c, fmt.Errorf("fine-tune: label smoothing %g outside [0, 1)", c.LabelSmoothing)
	case c.StopAfterEpoch < 0:
		return c, fmt.Errorf("fine-tune: StopAfterEpoch %d", c.StopAfterEpoch)
	}
	return c, nil
}

// trainer holds the state of one FineTune run.
type trainer struct {
	cfg       FineTuneConfig
	cls       *Classifier // the classifier being trained; its weights are refreshed from ctx at checkpoints
	train     datasets.Dataset
	transform preprocess.Transform
	feats     *Features // linear classifier only
	makeBatch func(perm []int, epoch, step int) trainBatch

	keys    []string // the trainable weights, held in ctx
	ctx     *context.Context
	exec    *context.Exec
	lrVar   *context.Variable
	classes int

	n, batch, stepsPerEpoch, totalSteps int
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
// on all cores, one batch ahead of the step that runs.
func FineTune(zs *Classifier, train datasets.Dataset, cfg FineTuneConfig) (*Classifier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if zs == nil || zs.Model == nil || zs.Model.Weights[HeadWeight] == nil || zs.Model.Weights[HeadBias] == nil {
		return nil, fmt.Errorf("fine-tune: the classifier has no head")
	}
	if err := zs.Model.Weights.Check(zs.Model.Config); err != nil {
		return nil, fmt.Errorf("fine-tune: %w", err)
	}
	n := train.Len()
	if n == 0 {
		return nil, fmt.Errorf("fine-tune: the training set %s is empty", train.Name())
	}
	classes := zs.NumClasses()
	if names := train.ClassNames(); len(names) != 0 && len(names) != classes {
		return nil, fmt.Errorf("fine-tune: %s has %d classes, the classifier's head %d", train.Name(), len(names), classes)
	}
	t := &trainer{cfg: cfg, cls: zs.Clone(), train: train, classes: classes, n: n}
	t.transform = modelTransform(zs.Model)
	if t.transform.Size != zs.Model.Config.Vision.ImageSize {
		return nil, fmt.Errorf("fine-tune: the model's transform makes %d-pixel images, its image tower expects %d",
			t.transform.Size, zs.Model.Config.Vision.ImageSize)
	}
	t.batch = min(cfg.BatchSize, n)
	t.stepsPerEpoch = (n + t.batch - 1) / t.batch
	t.totalSteps = cfg.Epochs * t.stepsPerEpoch

	startEpoch, startStep := 0, 0
	var resume *CheckpointState
	if cfg.ResumeFrom != "" {
		if resume, err = t.loadResumeWeights(); err != nil {
			return nil, err
		}
		startEpoch, startStep = resume.Epoch, resume.StepInEpoch
	}
	if cfg.FreezeEncoder {
		// The features depend only on the image tower, which a linear classifier leaves untouched.
		if t.feats, err = DatasetFeatures(t.cls.Model, train, cfg.CacheDir); err != nil {
			return nil, err
		}
		t.makeBatch = t.featureBatch
	} else {
		t.makeBatch = t.imageBatch
	}
	if err := t.build(); err != nil {
		return nil, err
	}
	if resume != nil {
		if err := trainstate.Restore(t.ctx, filepath.Join(cfg.ResumeFrom, OptimizerFile)); err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
	}
	if err := t.run(startEpoch, startStep); err != nil {
		return nil, err
	}
	return t.cls, nil
}

// trainableKeys lists the weights FineTune trains.
func trainableKeys(w clipmodel.Weights, freezeEncoder bool) []string {
	var keys []string
	for _, k := range w.Names() {
		if strings.HasPrefix(k, clipmodel.HeadPrefix) || (!freezeEncoder && isImageFeatureWeight(k)) {
			keys = append(keys, k)
		}
	}
	return keys
}

// gradientOptimizer is a GoMLX optimizer that applies given (here: clipped) gradients.
type gradientOptimizer interface {
	UpdateGraphWithGradients(ctx *context.Context, grads []*graph.Node, lossDType dtypes.DType)
}

// build creates the training context (holding only the trainable weights: the text tower and logit_scale never
// enter it), the optimizer and the compiled training step.
func (t *trainer) build() error {
	clipmodel.InstallFastGradients()
	backend, err := clipmodel.Backend()
	if err != nil {
		return err
	}
	t.keys = trainableKeys(t.cls.Model.Weights, t.cfg.FreezeEncoder)
	sub := make(clipmodel.Weights, len(t.keys))
	for _, k := range t.keys {
		sub[k] = t.cls.Model.Weights[k]
	}
	t.ctx = context.New()
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
	modelCfg, linear, ls, clip := t.cls.Model.Config, t.cfg.FreezeEncoder, t.cfg.LabelSmoothing, t.cfg.GradClipNorm
	t.exec, err = context.NewExec(backend, t.ctx, func(ctx *context.Context, x, labels, weights *graph.Node) (*graph.Node, *graph.Node) {
		var logits *graph.Node
		if linear {
			logits = HeadLogits(ctx, x)
		} else {
			logits = Logits(ctx, modelCfg, x)
		}
		loss := SmoothedCrossEntropy(logits, labels, weights, ls)
		grads, norm := ClipByGlobalNorm(ctx.BuildTrainableVariablesGradientsGraph(loss), clip)
		opt.UpdateGraphWithGradients(ctx, grads, loss.DType())
		return loss, norm
	})
	return err
}

// run trains from step startStep of epoch startEpoch (both 0-based) to the end, checkpointing after each epoch,
// and stops early, with a checkpoint, when cfg.Stop fires.
func (t *trainer) run(startEpoch, startStep int) error {
	last := t.cfg.Epochs
	if t.cfg.StopAfterEpoch > 0 {
		last = min(last, t.cfg.StopAfterEpoch)
	}
	if startEpoch >= last {
		return nil
	}
	done := make(chan struct{})
	defer close(done)
	batches := t.prefetch(done, startEpoch, startStep)
	var (
		start       = time.Now()
		firstEnd    time.Time
		steps       int
		images      int
		firstImages int
	)
	for epoch := startEpoch; epoch < last; epoch++ {
		first := 0
		if epoch == startEpoch {
			first = startStep
		}
		for step := first; step < t.stepsPerEpoch; step++ {
			if t.stopRequested() {
				return t.interrupt(epoch, step, steps)
			}
			b, ok := <-batches
			if !ok {
				return fmt.Errorf("fine-tune: the data pipeline stopped early")
			}
			if b.err != nil {
				return fmt.Errorf("fine-tune: %w", b.err)
			}
			global := epoch*t.stepsPerEpoch + step
			lr := CosineLR(t.cfg.LR, t.cfg.WarmupSteps, t.totalSteps, global)
			if err := t.lrVar.SetValue(tensors.FromScalar(float32(lr))); err != nil {
				return err
			}
			out, err := t.exec.Exec(b.x, b.labels, b.weights)
			b.finalize()
			if err != nil {
				return fmt.Errorf("fine-tune: step %d: %w", global+1, err)
			}
			loss := float64(tensors.ToScalar[float32](out[0]))
			norm := float64(tensors.ToScalar[float32](out[1]))
			for _, o := range out {
				_ = o.FinalizeAll()
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return fmt.Errorf("fine-tune: the loss is %g at step %d (epoch %d); lower the learning rate", loss, global+1, epoch+1)
			}
			steps++
			images += b.examples
			now := time.Now()
			var rate float64
			if steps == 1 {
				firstEnd, firstImages = now, images
				rate = float64(images) / now.Sub(start).Seconds()
			} else {
				rate = float64(images-firstImages) / now.Sub(firstEnd).Seconds()
			}
			if t.cfg.Progress != nil {
				left := t.totalSteps - (global + 1)
				var eta time.Duration
				if rate > 0 {
					eta = time.Duration(float64(left*t.batch) / rate * float64(time.Second))
				}
				t.cfg.Progress(ProgressInfo{Epoch: epoch + 1, Epochs: t.cfg.Epochs, Step: global + 1,
					TotalSteps: t.totalSteps, Loss: loss, LR: lr, GradNorm: norm, ImagesPerSec: rate, ETA: eta})
			}
		}
		if err := t.syncWeights(); err != nil {
			return err
		}
		if t.cfg.CheckpointDir != "" {
			if _, err := writeCheckpoint(t.cfg.CheckpointDir, t.cls, t.ctx, t.state(epoch+1, 0)); err != nil {
				return fmt.Errorf("fine-tune: checkpoint after epoch %d: %w", epoch+1, err)
			}
		}
		if t.cfg.AfterEpoch != nil {
			if err := t.cfg.AfterEpoch(epoch, t.cls); err != nil {
				return fmt.Errorf("fine-tune: after epoch %d: %w", epoch+1, err)
			}
		}
	}
	return nil
}

// state describes the training after stepInEpoch steps of epoch epoch (0-based; stepInEpoch 0: the end of
// epoch−1).
func (t *trainer) state(epoch, stepInEpoch int) *CheckpointState {
	return &CheckpointState{Epoch: epoch, Step: epoch*t.stepsPerEpoch + stepInEpoch, StepInEpoch: stepInEpoch,
		StepsPerEpoch: t.stepsPerEpoch, TotalSteps: t.totalSteps, Dataset: t.train.Name(), DatasetLen: t.n,
		ClassNames: t.cls.ClassNames, Config: checkpointConfig(t.cfg)}
}

// stopRequested reports whether cfg.Stop has fired.
func (t *trainer) stopRequested() bool {
	if t.cfg.Stop == nil {
		return false
	}
	select {
	case <-t.cfg.Stop:
		return true
	default:
		return false
	}
}

// interrupt ends a stopped run before step stepInEpoch of epoch epoch (0-based), after stepsRun steps in this
// run: it writes a mid-epoch checkpoint when the steps done since the last checkpoint would otherwise be lost.
func (t *trainer) interrupt(epoch, stepInEpoch, stepsRun int) error {
	e := &InterruptedError{Epoch: epoch + 1, Epochs: t.cfg.Epochs, StepInEpoch: stepInEpoch,
		StepsPerEpoch: t.stepsPerEpoch, Step: epoch*t.stepsPerEpoch + stepInEpoch, TotalSteps: t.totalSteps}
	switch {
	case stepsRun == 0:
		e.Checkpoint = t.cfg.ResumeFrom // nothing new since the checkpoint this run started from
	case t.cfg.CheckpointDir == "":
	case stepInEpoch == 0:
		e.Checkpoint = CheckpointPath(t.cfg.CheckpointDir, epoch) // written at the end of the previous epoch
	default:
		if err := t.syncWeights(); err != nil {
			return err
		}
		path, err := writeCheckpoint(t.cfg.CheckpointDir, t.cls, t.ctx, t.state(epoch, stepInEpoch))
		if err != nil {
			return fmt.Errorf("fine-tune: stopped at step %d, but writing its checkpoint failed: %w", e.Step, err)
		}
		e.Checkpoint = path
	}
	return e
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

// loadResumeWeights checks the checkpoint at cfg.ResumeFrom against this run and loads its weights into t.cls.
func (t *trainer) loadResumeWeights() (*CheckpointState, error) {
	dir := t.cfg.ResumeFrom
	state, err := VerifyCheckpoint(dir)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	saved, now := state.Config, checkpointConfig(t.cfg)
	saved.Epochs = now.Epochs // the one setting allowed to change
	if saved != now {
		return nil, fmt.Errorf("resume from %s: the checkpoint was trained with %+v, this run asks for %+v",
			dir, state.Config, checkpointConfig(t.cfg))
	}
	if state.Dataset != t.train.Name() || state.DatasetLen != t.n {
		return nil, fmt.Errorf("resume from %s: the checkpoint was trained on %s (%d examples), this run on %s (%d)",
			dir, state.Dataset, state.DatasetLen, t.train.Name(), t.n)
	}
	if state.StepsPerEpoch != t.stepsPerEpoch || state.StepInEpoch < 0 || state.StepInEpoch >= t.stepsPerEpoch ||
		state.Step != state.Epoch*t.stepsPerEpoch+state.StepInEpoch {
		return nil, fmt.Errorf("resume from %s: inconsistent state (epoch %d, step %d, step %d in the epoch, %d steps per epoch; this run has %d)",
			dir, state.Epoch, state.Step, state.StepInEpoch, state.StepsPerEpoch, t.stepsPerEpoch)
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
