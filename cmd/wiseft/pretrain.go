package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/world"
)

// defaultPretrainOut is where `wiseft pretrain` writes its model unless --out says otherwise: never over the
// shipped world/model.
const defaultPretrainOut = "out/pretrain/model"

func runPretrain(args []string) error {
	def, defRun := world.DefaultPretrainConfig(), world.DefaultPretrainRun()
	fs := newFlags("pretrain", "[flags]")
	out := fs.String("out", defaultPretrainOut, "folder for the pretrained model (Hugging Face layout), written whole at the end; the shipped one is world/model")
	ckpt := fs.String("checkpoint-dir", "", "folder for a checkpoint after every epoch and on SIGINT/SIGTERM (default: <out>-checkpoints)")
	resume := fs.Bool("resume", false, "continue from the newest checkpoint in --checkpoint-dir (the same settings are required)")
	pairs := fs.Int("pairs", def.Corpus.Pairs, "image-caption pairs in the generated corpus")
	epochs := fs.Int("epochs", def.Epochs, "passes over the corpus")
	batch := fs.Int("batch-size", def.BatchSize, "pairs per contrastive batch")
	lr := fs.Float64("lr", def.LR, "peak learning rate (cosine schedule with linear warm-up)")
	wd := fs.Float64("wd", def.WeightDecay, "AdamW weight decay")
	warmup := fs.Int("warmup-length", def.WarmupSteps, "warm-up steps")
	handwriting := fs.Float64("handwriting", def.Corpus.HandwritingWeight, "share of MNIST handwriting (held-back part) in the corpus")
	seed := fs.Uint64("seed", def.Seed, "seed of the corpus, the initialisation and the order")
	data := fs.String("data-location", "", "data folder (default $WISEFT_DATA or ./data)")
	evalN := fs.Int("eval-examples", defRun.EvalExamples, "MNIST test images for the zero-shot check after each epoch")
	logEvery := fs.Int("log-every", defRun.LogEvery, "steps between progress lines")
	if _, err := parseFlags(fs, args, nil); err != nil {
		return err
	}
	if *pairs < *batch || *batch < 2 || *epochs < 1 {
		return usagef("need --pairs >= --batch-size >= 2 and --epochs >= 1")
	}
	if *handwriting < 0 || *handwriting > 1 || *lr <= 0 || *wd < 0 || *warmup < 0 || *evalN < 0 || *logEvery < 1 {
		return usagef("need --handwriting in [0, 1], --lr > 0, --wd >= 0, --warmup-length >= 0, --eval-examples >= 0 and --log-every >= 1")
	}
	if *ckpt == "" {
		*ckpt = filepath.Clean(*out) + "-checkpoints"
	}
	cfg := def
	cfg.Corpus = world.CorpusConfig{Pairs: *pairs, Seed: *seed, HandwritingWeight: *handwriting, DataLocation: *data}
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WeightDecay, cfg.WarmupSteps = *epochs, *batch, *lr, *wd, *warmup
	cfg.Seed = *seed
	run := world.PretrainRun{Out: *out, Log: os.Stderr, EvalExamples: *evalN, LogEvery: *logEvery, CheckpointDir: *ckpt}

	latest, state, err := world.LatestPretrainCheckpoint(*ckpt)
	switch {
	case err != nil && !errors.Is(err, world.ErrNoPretrainCheckpoint):
		return err
	case *resume && err != nil:
		return usagef("--resume: %s holds no complete checkpoint", *ckpt)
	case !*resume && err == nil:
		return usagef("%s holds the checkpoints of an earlier run (newest: %s, step %d of %d): pass --resume to "+
			"continue it, or choose another --checkpoint-dir (or remove that folder) to start over",
			*ckpt, filepath.Base(latest), state.Step, state.TotalSteps)
	case *resume:
		run.ResumeFrom = latest
	}

	w := watchSignals("pretrain")
	_, err = world.Pretrain(w.ctx, cfg, run)
	w.release()
	var stopped *world.StoppedError
	if errors.As(err, &stopped) {
		sig := w.signal()
		return &exitError{code: signalExitCode(sig), msg: fmt.Sprintf("interrupted by %s: %s; to continue, run the "+
			"same command with --resume", signalName(sig), stopped.Error())}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wiseft pretrain: the model is in %s (checkpoints in %s)\n", *out, *ckpt)
	return nil
}
