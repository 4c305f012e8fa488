package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/filelock"
	"github.com/gowiseft/wiseft/internal/sysmem"
	"github.com/gowiseft/wiseft/wiseft"
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
	styled := fs.Float64("styled-handwriting", world.DefaultStyledShare, "share of the handwriting pairs drawn in a style other than plain (rotated, inverted, ...), in (0, 1]")
	initFrom := fs.String("init-from", def.InitFrom, "start from this model folder's weights (Hugging Face layout, the world's architecture), with a fresh optimiser and schedule, instead of random ones; e.g. world/model to continue the shipped model's pretraining")
	width := fs.Int("width", world.DefaultWidth, "width of both towers (MLPs 4 × it, 4 heads, the 64-dimensional shared space kept); the shipped model's is 64, other widths are trials of a larger or smaller world model")
	seed := fs.Uint64("seed", def.Seed, "seed of the corpus, the initialisation and the order")
	data := fs.String("data-location", "", "data folder (default $WISEFT_DATA or ./data)")
	evalN := fs.Int("eval-examples", defRun.EvalExamples, "MNIST test images for the zero-shot check after each epoch")
	logEvery := fs.Int("log-every", defRun.LogEvery, "steps between progress lines")
	overwrite := fs.Bool(overwriteFlag, false, "replace --out when it already holds a model ("+overwriteHelp+")")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %s", quoteValue(rest[0]))
	}
	// Each test is written so that NaN fails it (NaN compares false).
	switch {
	case *batch < 2:
		return usagef("--batch-size must be at least 2 (a contrastive batch needs pairs to contrast), got %d", *batch)
	case *pairs < *batch:
		return usagef("--pairs %d is fewer than --batch-size %d", *pairs, *batch)
	case *epochs < 1:
		return usagef("--epochs must be at least 1, got %d", *epochs)
	case !(*lr > 0) || math.IsInf(*lr, 0):
		return usagef("--lr must be a finite number above 0, got %v", *lr)
	case !(*wd >= 0) || math.IsInf(*wd, 0):
		return usagef("--wd must be a finite number, at least 0, got %v", *wd)
	case !(*handwriting >= 0 && *handwriting <= 1):
		return usagef("--handwriting %v is outside [0, 1]", *handwriting)
	case !(*styled > 0 && *styled <= 1):
		return usagef("--styled-handwriting %v is outside (0, 1]", *styled)
	case *warmup < 0:
		return usagef("--warmup-length %d is negative (0 means no warm-up)", *warmup)
	case *evalN < 0:
		return usagef("--eval-examples %d is negative (0 skips the check)", *evalN)
	case *logEvery < 1:
		return usagef("--log-every must be at least 1, got %d", *logEvery)
	case *width < 4 || *width > 1024 || *width%4 != 0:
		return usagef("--width must be a multiple of 4 (the towers' 4 heads) from 4 to 1024, got %d", *width)
	}
	if err := checkPretrainMemory(*pairs, *batch, def.Merges, *width); err != nil {
		return err
	}
	if *ckpt == "" {
		*ckpt = filepath.Clean(*out) + "-checkpoints"
	}
	outputs := []ioPath{{flag: "out", path: *out, kind: outModelDir}, {flag: "checkpoint-dir", path: *ckpt, kind: outCacheDir}}
	var inputs []ioPath
	if *data != "" {
		inputs = append(inputs, ioPath{flag: "data-location", path: *data, dir: true})
	}
	if *initFrom != "" {
		fi, err := fileio.Stat(*initFrom)
		switch {
		case err != nil:
			return fmt.Errorf("--init-from: %w", err)
		case !fi.IsDir():
			return usagef("--init-from %s is %s, not a folder", quoteValue(*initFrom), fileio.Kind(fi.Mode()))
		}
		// Read and checked now, not after the output folders are locked: a folder of another architecture is one
		// error that leaves nothing behind.
		m, err := clipmodel.Load(*initFrom)
		if err != nil {
			return fmt.Errorf("--init-from: %w", err)
		}
		if err := world.CheckInitModel(m, def.Merges, *width); err != nil {
			return fmt.Errorf("--init-from %s %w", quoteValue(*initFrom), err)
		}
		inputs = append(inputs, ioPath{flag: "init-from", path: *initFrom, dir: true})
	}
	if *resume { // before the lock, which would make the folder
		if _, err := os.Stat(*ckpt); errors.Is(err, os.ErrNotExist) {
			return usagef("--resume: %s does not exist, so there is no run to continue (leave out --resume to start one)", *ckpt)
		}
	}
	outLock, err := filelock.Output(*out, "--out")
	if err != nil {
		return err
	}
	defer outLock.Release()
	ckptLock, err := filelock.Folder(*ckpt, "--checkpoint-dir")
	if err != nil {
		return err
	}
	defer ckptLock.Release()
	if err := checkOutputs(outputs, inputs, *overwrite); err != nil {
		return err
	}
	cfg := def
	cfg.Corpus = world.CorpusConfig{Pairs: *pairs, Seed: *seed, HandwritingWeight: *handwriting, DataLocation: *data}
	if *styled != world.DefaultStyledShare { // the default stays the zero value, as in the recipes of earlier checkpoints
		cfg.Corpus.StyledHandwriting = *styled
	}
	cfg.InitFrom = *initFrom
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WeightDecay, cfg.WarmupSteps = *epochs, *batch, *lr, *wd, *warmup
	cfg.Seed = *seed
	cfg.Width = *width // the recipe records the default as 0, as earlier checkpoints do
	run := world.PretrainRun{Out: *out, Log: os.Stderr, EvalExamples: *evalN, ZeroShot: wiseft.ZeroShotMNIST, LogEvery: *logEvery, CheckpointDir: *ckpt}

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

// checkPretrainMemory refuses a corpus or a batch the machine cannot hold, before the tokenizer is trained: the
// order of an epoch (8 bytes a pair), one training step of both towers, and the contrastive batch's similarity
// matrices (logits, targets and the two softmaxes, batch² values each).
func checkPretrainMemory(pairs, batch, merges, width int) error {
	cfg := world.WidthConfig(512+merges+2, width)
	need := sysmem.Sum(sysmem.Product(8, int64(pairs)), cfg.TowerTrainBytes(batch, true),
		sysmem.Product(16, int64(batch), int64(batch)))
	if err := sysmem.Check(fmt.Sprintf("pretraining on %d pairs in batches of %d", pairs, batch), need); err != nil {
		return usageError{err.Error()}
	}
	return nil
}
