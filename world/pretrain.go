package world

import (
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
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
	Out          string    // folder of the final model (Hugging Face layout); each epoch is saved there too
	Log          io.Writer // progress lines
	EvalExamples int       // MNIST test images for the zero-shot check after each epoch (0: none)
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

// Pretrain trains the world's CLIP from scratch and saves it to cfg.Out.
func Pretrain(cfg PretrainConfig) (*clipmodel.Model, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
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
	ctx := context.New()
	clipmodel.SetWeights(ctx, clipmodel.RandomWeights(mcfg, cfg.Seed))
	st, err := newStepper(ctx, mcfg, cfg.WeightDecay, 1.0)
	if err != nil {
		return nil, err
	}
	transform := preprocess.New(mcfg.Vision.ImageSize)
	stepsPerEpoch := corpus.Len() / cfg.BatchSize
	total := stepsPerEpoch * cfg.Epochs
	names := make([]string, 0)
	for name := range mcfg.ExpectedShapes() {
		names = append(names, name)
	}
	model := &clipmodel.Model{Config: mcfg, Tokenizer: tok, Transform: transform}
	start := time.Now()
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		perm := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch))).Perm(corpus.Len())
		next := make(chan batch, 1)
		go func() {
			defer close(next)
			for s := 0; s < stepsPerEpoch; s++ {
				next <- makeBatch(corpus, tok, mcfg, transform, perm[s*cfg.BatchSize:(s+1)*cfg.BatchSize],
					rand.New(rand.NewPCG(cfg.Seed^0xa5a5, uint64(epoch*stepsPerEpoch+s))))
			}
		}()
		var lossSum float64
		s := 0
		for b := range next {
			if b.err != nil {
				return nil, b.err
			}
			step := epoch*stepsPerEpoch + s
			loss, err := st.step(wiseft.CosineLR(cfg.LR, cfg.WarmupSteps, total, step), b.pixels, b.ids, b.targets)
			if err != nil {
				return nil, err
			}
			lossSum += float64(loss)
			s++
			if s%50 == 0 || s == stepsPerEpoch {
				el := time.Since(start).Seconds()
				fmt.Fprintf(cfg.Log, "epoch %d step %d/%d loss %.4f (mean %.4f) lr %.2e %.0f pairs/s elapsed %.0fs\n",
					epoch+1, s, stepsPerEpoch, loss, lossSum/float64(s), wiseft.CosineLR(cfg.LR, cfg.WarmupSteps, total, step),
					float64((step+1)*cfg.BatchSize)/el, el)
			}
		}
		model.Weights, err = clipmodel.GetWeights(ctx, names)
		if err != nil {
			return nil, err
		}
		if cfg.Out != "" {
			if err := model.Save(cfg.Out); err != nil {
				return nil, err
			}
		}
		if cfg.EvalExamples > 0 {
			acc, err := ZeroShotMNIST(model, cfg.Corpus.DataLocation, cfg.EvalExamples)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(cfg.Log, "epoch %d: zero-shot MNIST test accuracy %.2f%% on %d images\n", epoch+1, 100*acc, cfg.EvalExamples)
		}
	}
	return model, nil
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
