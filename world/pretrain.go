package world

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
	"github.com/gowiseft/wiseft/internal/trainloop"
)

// PretrainConfig is the recipe of the contrastive pretraining of the world's CLIP: everything that decides the
// weights a run ends with (Corpus.DataLocation aside, which only says where the data are). How the run is
// carried out is PretrainRun's, and stopping is the context's.
type PretrainConfig struct {
	Corpus      CorpusConfig
	Epochs      int
	BatchSize   int
	LR          float64
	WeightDecay float64
	WarmupSteps int
	Merges      int // BPE merges learned on the caption corpus
	Seed        uint64
	// InitFrom is a model folder (of this config) whose weights the run starts from, with a fresh optimiser and
	// schedule, instead of the seed's random initialisation ("": from scratch).
	InitFrom string
	// Width is the width of both towers (WidthConfig; 0: DefaultWidth, the shipped model's).
	Width int
}

// PretrainRun says how a Pretrain run is carried out; nothing in it changes the weights it ends with.
type PretrainRun struct {
	Out          string    // folder of the final model (Hugging Face layout), written whole at the end ("": none)
	Log          io.Writer // progress lines (nil: none)
	LogEvery     int       // steps between progress lines (≤ 0: 50; the last step of an epoch always logs)
	EvalExamples int       // MNIST test images for the zero-shot check after each epoch (0: none)
	// ZeroShot is that check: the zero-shot accuracy of the model on the first n MNIST test images (the command
	// line passes wiseft.ZeroShotMNIST; world does not import the method package). Needed when EvalExamples > 0.
	ZeroShot func(m *clipmodel.Model, dataLocation string, n int) (float64, error)

	// CheckpointDir receives a checkpoint after every epoch, and one when the run is stopped (see PretrainState);
	// empty writes none.
	CheckpointDir string
	// ResumeFrom is a checkpoint folder of an earlier run with the same Recipe: the run continues from it and
	// ends with the weights the uninterrupted run would have, bit for bit.
	ResumeFrom string
}

// DefaultPretrainConfig is the recipe of the shipped checkpoint.
func DefaultPretrainConfig() PretrainConfig {
	return PretrainConfig{
		Corpus:      CorpusConfig{Pairs: 48000, Seed: 1, HandwritingWeight: 0.05},
		Epochs:      8,
		BatchSize:   128,
		LR:          1e-3,
		WeightDecay: 0.1,
		WarmupSteps: 200,
		Merges:      400,
		Seed:        1,
	}
}

// DefaultPretrainRun is how `wiseft pretrain` runs: progress every 50 steps, the zero-shot check on 1,000 MNIST
// test images after each epoch (with ZeroShot set by the caller).
func DefaultPretrainRun() PretrainRun { return PretrainRun{LogEvery: 50, EvalExamples: 1000} }

// TrainTokenizer learns the world's BPE vocabulary from every caption the corpus can produce.
func TrainTokenizer(merges int) (*tokenizer.Tokenizer, error) {
	return tokenizer.Train(AllCaptions(), merges)
}

// CheckInitModel says whether m can start a pretraining run with the given number of BPE merges and width (see
// PretrainConfig.InitFrom): it must be the world's architecture of that width, and its tokenizer must be the one
// the run learns from the captions. A model whose token embeddings belong to another vocabulary, even one of the
// same size, would start from rows that mean other tokens.
func CheckInitModel(m *clipmodel.Model, merges, width int) error {
	tok, err := TrainTokenizer(merges)
	if err != nil {
		return err
	}
	return checkInitModel(m, tok, merges, width)
}

func checkInitModel(m *clipmodel.Model, tok *tokenizer.Tokenizer, merges, width int) error {
	cfg := WidthConfig(tok.VocabSize(), width)
	if err := m.Weights.Check(cfg); err != nil {
		return fmt.Errorf("is not a model of the world's architecture (%s) with its %d-token vocabulary: %w", cfg.Name, tok.VocabSize(), err)
	}
	switch {
	case m.Tokenizer == nil:
		return fmt.Errorf("has no tokenizer (vocab.json and merges.txt), so its token embeddings cannot be matched to the world's vocabulary")
	case !m.Tokenizer.Same(tok):
		return fmt.Errorf("has a tokenizer (vocab.json, merges.txt) that is not the world's (%d merges learned from the captions): its token embeddings belong to another vocabulary", merges)
	}
	return nil
}

type batch struct {
	pixels, ids, targets *tensors.Tensor
}

func (b batch) finalize() {
	for _, t := range []*tensors.Tensor{b.pixels, b.ids, b.targets} {
		_ = t.FinalizeAll()
	}
}

// StoppedError is Pretrain's error when its context was cancelled: where the run stopped and the checkpoint to
// resume from (PretrainRun.ResumeFrom). errors.Is(err, ErrStopped) matches it.
type StoppedError = trainloop.StoppedError

// ErrStopped is matched by Pretrain's error when the run was stopped.
var ErrStopped = trainloop.ErrStopped

// Pretrain trains the world's CLIP from scratch (or from run.ResumeFrom), checkpointing after every epoch, and
// saves the final model to run.Out. When ctx is cancelled, the step under way finishes, a checkpoint of it is
// written and Pretrain returns a *StoppedError naming it.
func Pretrain(ctx context.Context, cfg PretrainConfig, run PretrainRun) (*clipmodel.Model, error) {
	if run.Log == nil {
		run.Log = io.Discard
	}
	if run.LogEvery <= 0 {
		run.LogEvery = 50
	}
	if run.EvalExamples > 0 && run.ZeroShot == nil {
		return nil, fmt.Errorf("pretrain: EvalExamples is %d but PretrainRun.ZeroShot is not set", run.EvalExamples)
	}
	if run.Out != "" {
		if err := checkModelFolder(run.Out); err != nil { // before, not after, the hours of training
			return nil, err
		}
	}
	tok, err := TrainTokenizer(cfg.Merges)
	if err != nil {
		return nil, err
	}
	mcfg := WidthConfig(tok.VocabSize(), cfg.Width)
	var initWeights clipmodel.Weights
	if cfg.InitFrom != "" && run.ResumeFrom == "" { // before the data are opened
		init, err := clipmodel.Load(cfg.InitFrom)
		if err != nil {
			return nil, fmt.Errorf("start from: %w", err)
		}
		if err := checkInitModel(init, tok, cfg.Merges, cfg.Width); err != nil {
			return nil, fmt.Errorf("start from: %s %w", cfg.InitFrom, err)
		}
		initWeights = init.Weights
	}
	corpus, err := NewCorpus(cfg.Corpus)
	if err != nil {
		return nil, err
	}
	stepsPerEpoch := corpus.Len() / cfg.BatchSize
	total := stepsPerEpoch * cfg.Epochs
	mlc := mlctx.New()
	var from trainloop.Position
	if run.ResumeFrom != "" {
		state, err := ReadPretrainCheckpoint(run.ResumeFrom)
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		if state.Recipe != cfg.Recipe() {
			return nil, fmt.Errorf("resume from %s: the checkpoint was trained with %+v, this run asks for %+v",
				run.ResumeFrom, state.Recipe, cfg.Recipe())
		}
		if state.StepsPerEpoch != stepsPerEpoch || state.TotalSteps != total {
			return nil, fmt.Errorf("resume from %s: %d steps per epoch and %d in all, this run has %d and %d",
				run.ResumeFrom, state.StepsPerEpoch, state.TotalSteps, stepsPerEpoch, total)
		}
		prev, err := clipmodel.Load(run.ResumeFrom)
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		if err := prev.Weights.Check(mcfg); err != nil {
			return nil, fmt.Errorf("resume from %s: %w", run.ResumeFrom, err)
		}
		clipmodel.SetWeights(mlc, prev.Weights)
		from = state.Position()
		fmt.Fprintf(run.Log, "resuming from %s: epoch %d, step %d of %d\n", run.ResumeFrom, from.Epoch+1, from.StepInEpoch, stepsPerEpoch)
	} else if initWeights != nil {
		clipmodel.SetWeights(mlc, initWeights)
	} else {
		clipmodel.SetWeights(mlc, clipmodel.RandomWeights(mcfg, cfg.Seed))
	}
	st, err := newStepper(mlc, mcfg, cfg.WeightDecay, 1.0)
	if err != nil {
		return nil, err
	}
	if run.ResumeFrom != "" {
		// After the step is set up (its learning-rate variable exists), before it first runs.
		if err := trainloop.RestoreOptimizerFrom(mlc, run.ResumeFrom); err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
	}
	transform := preprocess.New(mcfg.Vision.ImageSize)
	names := make([]string, 0)
	for name := range mcfg.ExpectedShapes() {
		names = append(names, name)
	}
	model := &clipmodel.Model{Config: mcfg, Tokenizer: tok, Transform: transform}
	sync := func() error {
		var err error
		model.Weights, err = clipmodel.GetWeights(mlc, names)
		return err
	}
	permEpoch, perm := -1, []int(nil)
	loop := &trainloop.Loop[batch]{
		Epochs: cfg.Epochs, StepsPerEpoch: stepsPerEpoch,
		Batch: func(epoch, s int) (batch, error) {
			if epoch != permEpoch {
				permEpoch, perm = epoch, rand.New(rand.NewPCG(cfg.Seed, uint64(epoch))).Perm(corpus.Len())
			}
			return makeBatch(corpus, tok, mcfg, transform, perm[s*cfg.BatchSize:(s+1)*cfg.BatchSize],
				rand.New(rand.NewPCG(cfg.Seed^0xa5a5, uint64(epoch*stepsPerEpoch+s))))
		},
		Release: batch.finalize,
		Step: func(epoch, s int, b batch) (trainloop.StepStats, error) {
			lr := trainloop.CosineLR(cfg.LR, cfg.WarmupSteps, total, epoch*stepsPerEpoch+s)
			loss, err := st.step(lr, b.pixels, b.ids, b.targets)
			b.finalize()
			return trainloop.StepStats{Loss: float64(loss), LR: lr, Examples: cfg.BatchSize}, err
		},
		Dir: run.CheckpointDir, Recipe: cfg.Recipe(), ResumedFrom: run.ResumeFrom,
		Save: func(dir string) error {
			if err := sync(); err != nil {
				return err
			}
			if err := model.Save(dir); err != nil {
				return err
			}
			return trainloop.SaveOptimizerIn(dir, st.ctx, model.Weights)
		},
		Progress: func(p trainloop.Progress) {
			if p.StepInEpoch%run.LogEvery == 0 || p.StepInEpoch == p.StepsPerEpoch {
				el := p.Elapsed.Seconds()
				fmt.Fprintf(run.Log, "epoch %d step %d/%d loss %.4f (mean %.4f) lr %.2e %.0f pairs/s elapsed %.0fs\n",
					p.Epoch, p.StepInEpoch, p.StepsPerEpoch, p.Loss, p.EpochMeanLoss, p.LR,
					float64(p.ExamplesRun)/el, el)
			}
		},
		AfterEpoch: func(epoch int) error {
			if run.EvalExamples <= 0 {
				return nil
			}
			if err := sync(); err != nil {
				return err
			}
			acc, err := run.ZeroShot(model, cfg.Corpus.DataLocation, run.EvalExamples)
			if err != nil {
				return err
			}
			fmt.Fprintf(run.Log, "epoch %d: zero-shot MNIST test accuracy %.2f%% on %d images\n", epoch, 100*acc, run.EvalExamples)
			return nil
		},
	}
	if err := loop.Run(ctx, from); err != nil {
		var stopped *StoppedError
		if errors.As(err, &stopped) {
			stopped.What = "pretraining"
		}
		return nil, err
	}
	if err := sync(); err != nil {
		return nil, err
	}
	if run.Out != "" {
		if err := saveModelWhole(model, run.Out); err != nil {
			return nil, err
		}
	}
	return model, nil
}

func makeBatch(c *Corpus, tok *tokenizer.Tokenizer, cfg clipmodel.Config, t preprocess.Transform, idx []int, rng *rand.Rand) (batch, error) {
	n := len(idx)
	imgs := make([]image.Image, n)
	captions := make([]string, n)
	keys := make([]string, n)
	for i, j := range idx {
		p, err := c.Pair(j)
		if err != nil {
			return batch{}, err
		}
		imgs[i], captions[i], keys[i] = p.Image, p.Caption, p.Key
	}
	pixels := t.TrainParallel(imgs, rng, 0)
	ids, err := tok.Batch(captions, cfg.Text.ContextLength, true)
	if err != nil {
		return batch{}, err
	}
	ids32 := make([]int32, len(ids))
	for i, v := range ids {
		ids32[i] = int32(v)
	}
	return batch{
		pixels:  tensors.FromFlatDataAndDimensions(pixels, n, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize),
		ids:     tensors.FromFlatDataAndDimensions(ids32, n, cfg.Text.ContextLength),
		targets: tensors.FromFlatDataAndDimensions(softTargets(keys), n, n),
	}, nil
}
