package world

import (
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
	"github.com/gowiseft/wiseft/internal/trainstate"
	"github.com/gowiseft/wiseft/wiseft"
)

// PretrainConfig sets up the contrastive pretraining of the world's CLIP.
type PretrainConfig struct {
	Corpus       CorpusConfig
	Epochs       int
	BatchSize    int
	LR           float64
	WeightDecay  float64
	WarmupSteps  int
	Merges       int // BPE merges learned on the caption corpus
	Seed         uint64
	Out          string    // folder of the final model (Hugging Face layout), written whole at the end
	Log          io.Writer // progress lines
	LogEvery     int       // steps between progress lines (default 50; the last step of an epoch always logs)
	EvalExamples int       // MNIST test images for the zero-shot check after each epoch (0: none)

	// CheckpointDir receives a checkpoint after every epoch, and one when Stop fires (see PretrainState); empty
	// writes none.
	CheckpointDir string
	// ResumeFrom is a checkpoint folder of an earlier run with the same Recipe: the run continues from it and
	// ends with the weights the uninterrupted run would have, bit for bit.
	ResumeFrom string
	// Stop, when closed, ends the run after the step under way with a checkpoint in CheckpointDir; Pretrain then
	// returns a *PretrainStoppedError.
	Stop <-chan struct{}
}

// PretrainStoppedError is returned by Pretrain when PretrainConfig.Stop ended the run early.
type PretrainStoppedError struct {
	Checkpoint string // the checkpoint written ("" without CheckpointDir)
	Step       int    // optimizer steps done
}

func (e *PretrainStoppedError) Error() string {
	if e.Checkpoint == "" {
		return fmt.Sprintf("pretraining stopped after %d steps (no checkpoint folder)", e.Step)
	}
	return fmt.Sprintf("pretraining stopped after %d steps; checkpoint %s", e.Step, e.Checkpoint)
}

// DefaultPretrainConfig is the recipe of the shipped checkpoint.
func DefaultPretrainConfig() PretrainConfig {
	return PretrainConfig{
		Corpus:       CorpusConfig{Pairs: 48000, Seed: 1, HandwritingWeight: 0.05},
		Epochs:       8,
		BatchSize:    128,
		LR:           1e-3,
		WeightDecay:  0.1,
		WarmupSteps:  200,
		Merges:       400,
		Seed:         1,
		EvalExamples: 1000,
	}
}

// TrainTokenizer learns the world's BPE vocabulary from every caption the corpus can produce.
func TrainTokenizer(merges int) (*tokenizer.Tokenizer, error) {
	return tokenizer.Train(AllCaptions(), merges)
}

type batch struct {
	pixels, ids, targets *tensors.Tensor
	err                  error
}

// Pretrain trains the world's CLIP from scratch (or from cfg.ResumeFrom), checkpointing after every epoch, and
// saves the final model to cfg.Out.
func Pretrain(cfg PretrainConfig) (*clipmodel.Model, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Out != "" {
		if err := checkModelFolder(cfg.Out); err != nil { // before, not after, the hours of training
			return nil, err
		}
	}
	tok, err := TrainTokenizer(cfg.Merges)
	if err != nil {
		return nil, err
	}
	mcfg := TinyConfig(tok.VocabSize())
	corpus, err := NewCorpus(cfg.Corpus)
	if err != nil {
		return nil, err
	}
	stepsPerEpoch := corpus.Len() / cfg.BatchSize
	total := stepsPerEpoch * cfg.Epochs
	ctx := context.New()
	startEpoch, startStep := 0, 0
	if cfg.ResumeFrom != "" {
		state, err := ReadPretrainCheckpoint(cfg.ResumeFrom)
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		if state.Recipe != cfg.Recipe() {
			return nil, fmt.Errorf("resume from %s: the checkpoint was trained with %+v, this run asks for %+v",
				cfg.ResumeFrom, state.Recipe, cfg.Recipe())
		}
		if state.StepsPerEpoch != stepsPerEpoch || state.TotalSteps != total {
			return nil, fmt.Errorf("resume from %s: %d steps per epoch and %d in all, this run has %d and %d",
				cfg.ResumeFrom, state.StepsPerEpoch, state.TotalSteps, stepsPerEpoch, total)
		}
		prev, err := clipmodel.Load(cfg.ResumeFrom)
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		if err := prev.Weights.Check(mcfg); err != nil {
			return nil, fmt.Errorf("resume from %s: %w", cfg.ResumeFrom, err)
		}
		clipmodel.SetWeights(ctx, prev.Weights)
		startEpoch, startStep = state.Epoch, state.StepInEpoch
		fmt.Fprintf(cfg.Log, "resuming from %s: epoch %d, step %d of %d\n", cfg.ResumeFrom, startEpoch+1, startStep, stepsPerEpoch)
	} else {
		clipmodel.SetWeights(ctx, clipmodel.RandomWeights(mcfg, cfg.Seed))
	}
	st, err := newStepper(ctx, mcfg, cfg.WeightDecay, 1.0)
	if err != nil {
		return nil, err
	}
	if cfg.ResumeFrom != "" {
		// After the step is set up (its learning-rate variable exists), before it first runs.
		if err := trainstate.Restore(ctx, filepath.Join(cfg.ResumeFrom, OptimizerFile)); err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
	}
	transform := preprocess.New(mcfg.Vision.ImageSize)
	names := make([]string, 0)
	for name := range mcfg.ExpectedShapes() {
		names = append(names, name)
	}
	model := &clipmodel.Model{Config: mcfg, Tokenizer: tok, Transform: transform}
	checkpoint := func(epoch, stepInEpoch int) (string, error) {
		var err error
		if model.Weights, err = clipmodel.GetWeights(ctx, names); err != nil {
			return "", err
		}
		if cfg.CheckpointDir == "" {
			return "", nil
		}
		return writePretrainCheckpoint(cfg.CheckpointDir, model, st, PretrainState{
			Epoch: epoch, StepInEpoch: stepInEpoch, Step: epoch*stepsPerEpoch + stepInEpoch,
			StepsPerEpoch: stepsPerEpoch, TotalSteps: total, Recipe: cfg.Recipe(),
		})
	}
	logEvery := cfg.LogEvery
	if logEvery <= 0 {
		logEvery = 50
	}
	start := time.Now()
	done := 0 // steps run by this process
	for epoch := startEpoch; epoch < cfg.Epochs; epoch++ {
		first := 0
		if epoch == startEpoch {
			first = startStep
		}
		perm := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch))).Perm(corpus.Len())
		next := make(chan batch, 1)
		quit := make(chan struct{})
		go func() {
			defer close(next)
			for s := first; s < stepsPerEpoch; s++ {
				b := makeBatch(corpus, tok, mcfg, transform, perm[s*cfg.BatchSize:(s+1)*cfg.BatchSize],
					rand.New(rand.NewPCG(cfg.Seed^0xa5a5, uint64(epoch*stepsPerEpoch+s))))
				select {
				case next <- b:
				case <-quit:
					return
				}
			}
		}()
		var lossSum float64
		for s := first; s < stepsPerEpoch; s++ {
			if stopRequested(cfg.Stop) {
				close(quit)
				path, err := checkpoint(epoch, s)
				if err != nil {
					return nil, err
				}
				return nil, &PretrainStoppedError{Checkpoint: path, Step: epoch*stepsPerEpoch + s}
			}
			b, ok := <-next
			if !ok {
				return nil, fmt.Errorf("pretrain: the corpus loader stopped early")
			}
			if b.err != nil {
				close(quit)
				return nil, b.err
			}
			step := epoch*stepsPerEpoch + s
			loss, err := st.step(wiseft.CosineLR(cfg.LR, cfg.WarmupSteps, total, step), b.pixels, b.ids, b.targets)
			if err != nil {
				close(quit)
				return nil, err
			}
			done++
			lossSum += float64(loss)
			if n := s + 1; n%logEvery == 0 || n == stepsPerEpoch {
				el := time.Since(start).Seconds()
				fmt.Fprintf(cfg.Log, "epoch %d step %d/%d loss %.4f (mean %.4f) lr %.2e %.0f pairs/s elapsed %.0fs\n",
					epoch+1, n, stepsPerEpoch, loss, lossSum/float64(n-first), wiseft.CosineLR(cfg.LR, cfg.WarmupSteps, total, step),
					float64(done*cfg.BatchSize)/el, el)
			}
		}
		if _, err := checkpoint(epoch+1, 0); err != nil {
			return nil, err
		}
		if cfg.EvalExamples > 0 {
			acc, err := ZeroShotMNIST(model, cfg.Corpus.DataLocation, cfg.EvalExamples)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(cfg.Log, "epoch %d: zero-shot MNIST test accuracy %.2f%% on %d images\n", epoch+1, 100*acc, cfg.EvalExamples)
		}
	}
	if model.Weights == nil { // resumed from the last checkpoint: nothing left to train
		var err error
		if model.Weights, err = clipmodel.GetWeights(ctx, names); err != nil {
			return nil, err
		}
	}
	if cfg.Out != "" {
		if err := saveModelWhole(model, cfg.Out); err != nil {
			return nil, err
		}
	}
	return model, nil
}

// stopRequested reports whether stop has fired.
func stopRequested(stop <-chan struct{}) bool {
	if stop == nil {
		return false
	}
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

func makeBatch(c *Corpus, tok *tokenizer.Tokenizer, cfg clipmodel.Config, t preprocess.Transform, idx []int, rng *rand.Rand) batch {
	n := len(idx)
	imgs := make([]image.Image, n)
	captions := make([]string, n)
	keys := make([]string, n)
	for i, j := range idx {
		p, err := c.Pair(j)
		if err != nil {
			return batch{err: err}
		}
		imgs[i], captions[i], keys[i] = p.Image, p.Caption, p.Key
	}
	pixels := t.TrainParallel(imgs, rng, 0)
	ids, err := tok.Batch(captions, cfg.Text.ContextLength, true)
	if err != nil {
		return batch{err: err}
	}
	ids32 := make([]int32, len(ids))
	for i, v := range ids {
		ids32[i] = int32(v)
	}
	return batch{
		pixels:  tensors.FromFlatDataAndDimensions(pixels, n, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize),
		ids:     tensors.FromFlatDataAndDimensions(ids32, n, cfg.Text.ContextLength),
		targets: tensors.FromFlatDataAndDimensions(softTargets(keys), n, n),
	}
}
