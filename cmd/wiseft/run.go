package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/console"
	"github.com/gowiseft/wiseft/internal/filelock"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// runFlags are the flags of `wiseft run`, named as in the paper's code (src/wise_ft.py) plus a few of this
// project's own.
type runFlags struct {
	trainDataset, model, evalDatasets, template, resultsDB, save, dataLocation, alpha, load, cacheDir string
	fisher, heldOut, plots, classNames, resume                                                        string
	epochs, batchSize, warmup, evalLimit, evalBatch, trainLimit, fisherExamples                       int
	shards, workers, devices                                                                          int
	lr, ls, wd, fisherFloor                                                                           float64
	freezeEncoder, allowExtrapolation, resumeSet, overwrite, bf16                                     bool
	seed                                                                                              uint64
	progressEvery                                                                                     time.Duration
}

func runRun(args []string) error {
	def := wiseft.DefaultFineTuneConfig()
	var f runFlags
	fs := newFlags("run", "--model M --train-dataset D --eval-datasets D1,D2,... [flags]")
	fs.StringVar(&f.trainDataset, "train-dataset", "", "dataset to fine-tune on (its training split)")
	fs.StringVar(&f.model, "model", "", "CLIP model: Hugging Face folder, .safetensors file, or the shipped \"wiseft-tiny\"")
	fs.StringVar(&f.evalDatasets, "eval-datasets", "", "comma-separated datasets to evaluate (test splits); the first is the in-distribution one")
	fs.StringVar(&f.template, "template", "", "prompt template set for the zero-shot head (default: the training dataset's own)")
	fs.StringVar(&f.resultsDB, "results-db", "", "append one JSON line per α to this file")
	fs.StringVar(&f.save, "save", "", "folder for the zero-shot and fine-tuned classifiers, checkpoints and plots")
	fs.StringVar(&f.dataLocation, "data-location", "", "data folder (default $WISEFT_DATA or ./data)")
	fs.StringVar(&f.alpha, "alpha", "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1", "comma-separated mixing coefficients α")
	fs.StringVar(&f.load, "load", "", "ZEROSHOT,FINETUNED classifier folders: skip training, only sweep α")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "cache for image features of the linear classifier (--freeze-encoder)")
	fs.StringVar(&f.fisher, "fisher", "", "FISHER0,FISHER1 safetensors files, or \"compute\": merge with Fisher weights instead of plain interpolation")
	fs.Float64Var(&f.fisherFloor, "fisher-floor", 1e-8, "floor of the Fisher values")
	fs.IntVar(&f.fisherExamples, "fisher-examples", 512, "training examples used by --fisher=compute")
	fs.IntVar(&f.epochs, "epochs", def.Epochs, "fine-tuning epochs")
	fs.IntVar(&f.batchSize, "batch-size", def.BatchSize, "fine-tuning batch size")
	fs.Float64Var(&f.lr, "lr", def.LR, "peak learning rate")
	fs.Float64Var(&f.ls, "ls", 0, "label smoothing")
	fs.Float64Var(&f.wd, "wd", def.WeightDecay, "AdamW weight decay")
	fs.IntVar(&f.warmup, "warmup-length", def.WarmupSteps, "learning-rate warm-up steps")
	fs.BoolVar(&f.freezeEncoder, "freeze-encoder", false, "train only the head on cached image features (linear classifier)")
	fs.IntVar(&f.shards, "shards", runtime.GOMAXPROCS(0), "split each fine-tuning batch into this many shards whose gradients run concurrently and are summed in a fixed order (the result depends on it, not on --workers; 1: one program for the whole batch)")
	fs.IntVar(&f.workers, "workers", 0, "concurrent executions of the compiled programs, for shards and evaluation batches (0: one per CPU)")
	fs.IntVar(&f.devices, "devices", 0, "XLA devices each batch is split over (0: all the backend has; SimpleGo has one)")
	fs.BoolVar(&f.bf16, "bf16", false, "mixed precision: bfloat16 matrix products, float32 weights and optimizer state (for accelerators; slower on SimpleGo)")
	fs.BoolVar(&f.allowExtrapolation, "allow-extrapolation", false, "accept α outside [0, 1]")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the data order, augmentation and generated datasets")
	fs.IntVar(&f.evalLimit, "eval-limit", 0, "evaluate only the first N examples of each set (0: all)")
	fs.IntVar(&f.trainLimit, "train-limit", 0, "fine-tune on only the first N training examples (0: all)")
	fs.IntVar(&f.evalBatch, "eval-batch-size", 256, "evaluation batch size")
	fs.StringVar(&f.heldOut, "held-out", "", "held-out in-distribution dataset for choosing α (default: <train-dataset>-Val when registered)")
	fs.StringVar(&f.plots, "plots", "", "folder for the figures (default: <save>/plots)")
	fs.StringVar(&f.classNames, "class-names", "", "file of class names, one per line in label order, replacing the training (or, with --load, the first evaluation) dataset's")
	fs.DurationVar(&f.progressEvery, "progress-every", 10*time.Second, "interval between progress lines when standard error is not a terminal (0: every step)")
	fs.BoolVar(&f.overwrite, overwriteFlag, false, "replace the classifiers and figures of an earlier run in --save ("+overwriteHelp+")")
	fs.Var(noopValue{}, "resume", "continue an interrupted fine-tuning from the newest checkpoint in <save>/checkpoints, or from `DIR` (optional: a checkpoint, or a folder of them)")
	args, f.resume, f.resumeSet = takeOptionalValueFlag(args, "resume")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %s", quoteValue(rest[0]))
	}
	return runWiSEFT(f, fs.Args())
}

func parseAlphas(s string, allowExtrapolation bool) ([]float64, error) {
	var out []float64
	for _, p := range splitList(s) {
		a, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(a) || math.IsInf(a, 0) {
			return nil, usagef("--alpha: %s is not a number", quoteValue(p))
		}
		if (a < 0 || a > 1) && !allowExtrapolation {
			return nil, usagef("--alpha: %v is outside [0, 1]; pass --allow-extrapolation to extrapolate", a)
		}
		if slices.Contains(out, a) {
			return nil, usagef("--alpha lists %v twice", a)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, usagef("--alpha is empty")
	}
	return out, nil
}

func runWiSEFT(f runFlags, _ []string) error {
	plan, err := planRun(f)
	if err != nil {
		return err
	}
	if f.save != "" {
		if _, err := os.Stat(f.save); os.IsNotExist(err) {
			// Taking the lock creates --save; a run that fails before writing anything leaves no empty folder.
			defer os.Remove(f.save) // removes only an empty folder
		}
		// Held for the whole run: a second run with the same --save is refused (naming this one), so neither
		// writes over the other nor removes the other's live temporary folders as stale.
		lock, err := filelock.Folder(f.save, "--save")
		if err != nil {
			return err
		}
		defer lock.Release()
	}
	// The checkpoints first: over an earlier run's, what to say is --resume.
	var resumeFrom string
	if f.load == "" {
		if resumeFrom, err = resumeCheckpoint(f); err != nil {
			return err
		}
	}
	if err := checkOutputs(plan.outputs, plan.inputs, f.overwrite || f.resumeSet); err != nil {
		return err
	}
	alphas, evalNames, heldOut, classNames := plan.alphas, plan.evalNames, plan.heldOut, plan.classNames
	var model *clipmodel.Model
	if f.load == "" {
		if model, err = clipmodel.Load(plan.modelPath); err != nil {
			return err
		}
		if err := checkRunMemory(f, model.Config, -1); err != nil {
			return err
		}
	}
	// Open every dataset first, so a bad name fails before minutes of training.
	var train datasets.Dataset
	if f.trainDataset != "" {
		if train, err = openDataset(f.trainDataset, datasets.Train, f.dataLocation, f.seed); err != nil {
			return err
		}
		train = datasets.Limit(train, f.trainLimit)
	}
	var sets []wiseft.EvalSet
	if heldOut != "" && !slices.Contains(evalNames, heldOut) {
		ds, err := openDataset(heldOut, datasets.Test, f.dataLocation, f.seed)
		if err != nil {
			return err
		}
		sets = append(sets, wiseft.EvalSet{Dataset: ds, Limit: f.evalLimit})
	}
	for _, name := range evalNames {
		ds, err := openDataset(name, datasets.Test, f.dataLocation, f.seed)
		if err != nil {
			return err
		}
		sets = append(sets, wiseft.EvalSet{Dataset: ds, Limit: f.evalLimit})
	}
	if train, sets, err = applyClassNames(classNames, f.classNames, train, sets); err != nil {
		return err
	}
	if model != nil {
		if err := checkRunMemory(f, model.Config, train.Len()); err != nil {
			return err
		}
	}
	var zs, ft *wiseft.Classifier
	if f.load != "" {
		if zs, ft, err = loadPair(f.load, train, sets); err != nil {
			return err
		}
	} else {
		if zs, ft, err = trainPair(f, model, train, resumeFrom); err != nil {
			return err
		}
	}
	if f.load != "" {
		if err := checkRunMemory(f, zs.Model.Config, -1); err != nil {
			return err
		}
	}
	opts := wiseft.SweepOptions{BatchSize: f.evalBatch, Workers: f.workers, Devices: f.devices,
		AllowExtrapolation: f.allowExtrapolation, Progress: sweepProgress(len(alphas))}
	if f.fisher != "" {
		if opts.Fisher, err = fisherMix(f, zs, ft, train); err != nil {
			return err
		}
	}
	if err := checkExtrapolations(zs, ft, alphas, f.fisher == ""); err != nil {
		return err
	}
	start := time.Now()
	res, err := wiseft.Sweep(context.Background(), zs, ft, alphas, sets, opts)
	if console.IsTerminal(os.Stderr) {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "sweep: %d α × %d sets in %.0fs\n", len(alphas), len(sets), time.Since(start).Seconds())
	for j, set := range res.Sets {
		if m := res.Metrics[0][j]; m.Skipped > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d unreadable examples skipped (first: %s)\n", set, m.Skipped, m.SkipErrors[0])
		}
	}
	idName := evalNames[0]
	shifts := plan.shifts()
	fmt.Fprint(stdout, res.Summary(idName, shifts))
	if heldOut != "" {
		best, err := wiseft.BestAlpha(res, heldOut)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nα chosen on %s: %g\n%s", heldOut, best.Alpha, best.String())
	}
	recs := res.Records(baseRecord(f, heldOut))
	if f.resultsDB != "" {
		if err := results.Append(f.resultsDB, recs...); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nresults: %d lines appended to %s\n", len(recs), f.resultsDB)
	}
	if plotDir := plan.plotDir; plotDir != "" && len(shifts) > 0 {
		label := "WiSE-FT"
		if f.model != "" {
			label += ", " + f.model
		}
		paths, err := savePlots([]results.Curve{res.Curve(label)}, idName, shifts, plotDir)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "plots:")
		for _, p := range paths {
			fmt.Fprintln(stdout, "  "+p)
		}
	}
	return nil
}

// trainPair builds the zero-shot classifier, fine-tunes it, and saves both under f.save.
// resumeFrom is the checkpoint to continue from ("" for a fresh start; see resumeCheckpoint).
func trainPair(f runFlags, m *clipmodel.Model, train datasets.Dataset, resumeFrom string) (zs, ft *wiseft.Classifier, err error) {
	ts, err := resolveTemplates(f.template, train)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	if zs, err = wiseft.ZeroShotClassifier(m, train.ClassNames(), ts); err != nil {
		return nil, nil, err
	}
	if err := saveClassifier(zs, filepath.Join(f.save, "zeroshot")); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "zero-shot head: %d classes × %d templates in %.1fs, saved to %s\n",
		len(train.ClassNames()), len(ts), time.Since(start).Seconds(), filepath.Join(f.save, "zeroshot"))
	if long := wiseft.LongPrompts(m, train.ClassNames(), ts); len(long) > 0 {
		fmt.Fprintf(os.Stderr, "zero-shot head: %d of %d prompts are longer than the model's %d-token context and were cut (e.g. %q)\n",
			len(long), len(train.ClassNames())*len(ts), m.Config.Text.ContextLength, long[0])
	}
	cfg := wiseft.DefaultFineTuneConfig() // zero means zero in it: --wd 0 and --warmup-length 0 are off
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WeightDecay, cfg.WarmupSteps = f.epochs, f.batchSize, f.lr, f.wd, f.warmup
	cfg.LabelSmoothing, cfg.Seed, cfg.FreezeEncoder = f.ls, f.seed, f.freezeEncoder
	cfg.Shards, cfg.BF16 = f.shards, f.bf16
	run := wiseft.TrainRun{CheckpointDir: filepath.Join(f.save, "checkpoints"), CacheDir: f.cacheDir,
		ResumeFrom: resumeFrom, Progress: wiseft.TerminalProgress(os.Stderr, f.progressEvery), Workers: f.workers,
		Devices: f.devices}
	start = time.Now()
	if ft, err = fineTuneInterruptible(zs, train, cfg, run, f); err != nil {
		return nil, nil, err
	}
	if err := saveClassifier(ft, filepath.Join(f.save, "finetuned")); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "fine-tuned %d epochs on %d images of %s in %.0fs, saved to %s\n", f.epochs, train.Len(),
		train.Name(), time.Since(start).Seconds(), filepath.Join(f.save, "finetuned"))
	return zs, ft, nil
}

// loadPair opens the two classifiers of --load; class names come from the training or first evaluation dataset.
func loadPair(load string, train datasets.Dataset, sets []wiseft.EvalSet) (zs, ft *wiseft.Classifier, err error) {
	paths := splitList(load)
	if len(paths) != 2 {
		return nil, nil, usagef("--load takes two folders, ZEROSHOT,FINETUNED; got %d", len(paths))
	}
	names := sets[0].Dataset.ClassNames()
	if train != nil {
		names = train.ClassNames()
	}
	if zs, err = wiseft.LoadClassifier(paths[0], names); err != nil {
		return nil, nil, err
	}
	if ft, err = wiseft.LoadClassifier(paths[1], names); err != nil {
		return nil, nil, err
	}
	return zs, ft, nil
}

// baseRecord is the run's flags as the paper's code logs them (underscored names), with the values the run
// used: the held-out set actually chosen on, and the fine-tuning settings only when this run fine-tuned (with
// --load they describe nothing that ran, so they are left out).
func baseRecord(f runFlags, heldOut string) results.Record {
	r := results.Record{
		"train_dataset": f.trainDataset, "model": f.model, "eval_datasets": splitList(f.evalDatasets),
		"template": f.template, "results_db": f.resultsDB, "save": f.save, "data_location": f.dataLocation,
		"load": f.load, "fisher": f.fisher, "fisher_floor": f.fisherFloor, "seed": f.seed,
		"eval_limit": f.evalLimit, "held_out": heldOut,
	}
	if f.load == "" {
		for k, v := range map[string]any{"cache_dir": f.cacheDir, "epochs": f.epochs, "batch_size": f.batchSize,
			"lr": f.lr, "ls": f.ls, "wd": f.wd, "warmup_length": f.warmup, "freeze_encoder": f.freezeEncoder,
			"train_limit": f.trainLimit, "shards": f.shards, "bf16": f.bf16} {
			r[k] = v
		}
	}
	return r
}
