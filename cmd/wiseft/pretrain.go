package main

import (
	"os"

	"github.com/gowiseft/wiseft/world"
)

func runPretrain(args []string) error {
	def := world.DefaultPretrainConfig()
	fs := newFlags("pretrain", "[flags]")
	out := fs.String("out", "world/model", "folder for the pretrained model (Hugging Face layout), saved after every epoch")
	pairs := fs.Int("pairs", def.Corpus.Pairs, "image-caption pairs in the generated corpus")
	epochs := fs.Int("epochs", def.Epochs, "passes over the corpus")
	batch := fs.Int("batch-size", def.BatchSize, "pairs per contrastive batch")
	lr := fs.Float64("lr", def.LR, "peak learning rate (cosine schedule with linear warm-up)")
	wd := fs.Float64("wd", def.WeightDecay, "AdamW weight decay")
	warmup := fs.Int("warmup-length", def.WarmupSteps, "warm-up steps")
	handwriting := fs.Float64("handwriting", def.Corpus.HandwritingWeight, "share of MNIST handwriting (held-back part) in the corpus")
	seed := fs.Uint64("seed", def.Seed, "seed of the corpus, the initialisation and the order")
	data := fs.String("data-location", "", "data folder (default $WISEFT_DATA or ./data)")
	evalN := fs.Int("eval-examples", def.EvalExamples, "MNIST test images for the zero-shot check after each epoch")
	if _, err := parseFlags(fs, args, nil); err != nil {
		return err
	}
	if *pairs < *batch || *batch < 2 || *epochs < 1 {
		return usagef("need --pairs >= --batch-size >= 2 and --epochs >= 1")
	}
	cfg := def
	cfg.Corpus = world.CorpusConfig{Pairs: *pairs, Seed: *seed, HandwritingWeight: *handwriting, DataLocation: *data}
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WeightDecay, cfg.WarmupSteps = *epochs, *batch, *lr, *wd, *warmup
	cfg.Seed, cfg.Out, cfg.Log, cfg.EvalExamples = *seed, *out, os.Stderr, *evalN
	_, err := world.Pretrain(cfg)
	return err
}
