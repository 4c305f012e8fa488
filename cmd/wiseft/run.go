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
	"github.com/gowiseft/wiseft/templates"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
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
	freezeEncoder, allowExtrapolation, resumeSet, bf16                                                bool
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
	fs.Var(noopValue{}, "resume", "continue an interrupted fine-tuning from the newest checkpoint in <save>/checkpoints, or from `DIR` (optional: a checkpoint, or a folder of them)")
	args, f.resume, f.resumeSet = takeOptionalValueFlag(args, "resume")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	return runWiSEFT(f, fs.Args())
}

func parseAlphas(s string, allowExtrapolation bool) ([]float64, error) {
	var out []float64
	for _, p := range splitList(s) {
		a, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(a) || math.IsInf(a, 0) {
			return nil, usagef("--alpha: %q is not a number", p)
		}
		if (a < 0 || a > 1) && !allowExtrapolation {
			return nil, usagef("--alpha: %v is outside [0, 1]; pass --allow-extrapolation to extrapolate", a)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, usagef("--alpha is empty")
	}
	return out, nil
}

func runWiSEFT(f runFlags, _ []string) error {
	alphas, err := parseAlphas(f.alpha, f.allowExtrapolation)
	if err != nil {
		return err
	}
	evalNames := splitList(f.evalDatasets)
	if len(evalNames) == 0 {
		return usagef("--eval-datasets is required")
	}
	if f.load == "" && f.trainDataset == "" {
		return usagef("give --train-dataset to fine-tune, or --load ZEROSHOT,FINETUNED to sweep saved classifiers")
	}
	if f.load == "" && f.save == "" {
		return usagef("--save is required when fine-tuning (the classifiers and checkpoints go there)")
	}
	if f.load != "" && len(splitList(f.load)) != 2 {
		return usagef("--load takes two folders, ZEROSHOT,FINETUNED; got %d", len(splitList(f.load)))
	}
	if f.template != "" {
		if _, err := templates.Get(f.template); err != nil {
			return usageError{err.Error()}
		}
	}
	if err := checkRunFlags(f); err != nil {
		return err
	}
	classNames, err := readClassNames(f.classNames)
	if err != nil {
		return err
	}
	var model *clipmodel.Model
	if f.load == "" {
		if model, err = resolveModel(f.model); err != nil {
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
	heldOut := f.heldOut
	if heldOut == "" && f.trainDataset != "" && slices.Contains(datasets.Names(), f.trainDataset+"-Val") {
		heldOut = f.trainDataset + "-Val"
	}
	var sets []wiseft.EvalSet
	if heldOut != "" {
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
	var zs, ft *wiseft.Classifier
	if f.load != "" {
		if zs, ft, err = loadPair(f.load, train, sets); err != nil {
			return err
		}
	} else {
		if zs, ft, err = trainPair(f, model, train); err != nil {
			return err
		}
	}
	opts := wiseft.SweepOptions{BatchSize: f.evalBatch, Workers: f.workers, Devices: f.devices, AllowExtrapolation: f.allowExtrapolation,
		Progress: sweepProgress(len(alphas))}
	if f.fisher != "" {
		if opts.Fisher, err = fisherMix(f, zs, ft, train); err != nil {
			return err
		}
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
	shifts := slices.DeleteFunc(slices.Clone(evalNames[1:]), func(s string) bool { return s == heldOut })
	fmt.Print(res.Summary(idName, shifts))
	if heldOut != "" {
		best, err := wiseft.BestAlpha(res, heldOut)
		if err != nil {
			return err
		}
		fmt.Printf("\nα chosen on %s: %g\n%s", heldOut, best.Alpha, best.String())
	}
	recs := res.Records(baseRecord(f))
	if f.resultsDB != "" {
		if err := results.Append(f.resultsDB, recs...); err != nil {
			return err
		}
		fmt.Printf("\nresults: %d lines appended to %s\n", len(recs), f.resultsDB)
	}
	plotDir := f.plots
	if plotDir == "" && f.save != "" {
		plotDir = filepath.Join(f.save, "plots")
	}
	if plotDir != "" && len(shifts) > 0 {
		label := "WiSE-FT"
		if f.model != "" {
			label += ", " + f.model
		}
		paths, err := savePlots([]results.Curve{res.Curve(label)}, idName, shifts, plotDir)
		if err != nil {
			return err
		}
		fmt.Println("plots:")
		for _, p := range paths {
			fmt.Println("  " + p)
		}
	}
	return nil
}

// trainPair builds the zero-shot classifier, fine-tunes it, and saves both under f.save.
func trainPair(f runFlags, m *clipmodel.Model, train datasets.Dataset) (zs, ft *wiseft.Classifier, err error) {
	ts, err := resolveTemplates(f.template, train)
	if err != nil {
		return nil, nil, err
	}
	resumeFrom, err := resumeCheckpoint(f)
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
	cfg := wiseft.DefaultFineTuneConfig()
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

// baseRecord is the run's flags as the paper's code logs them (underscored names).
func baseRecord(f runFlags) results.Record {
	return results.Record{
		"train_dataset": f.trainDataset, "model": f.model, "eval_datasets": splitList(f.evalDatasets),
		"template": f.template, "results_db": f.resultsDB, "save": f.save, "data_location": f.dataLocation,
		"load": f.load, "cache_dir": f.cacheDir, "fisher": f.fisher, "fisher_floor": f.fisherFloor,
		"epochs": f.epochs, "batch_size": f.batchSize, "lr": f.lr, "ls": f.ls, "wd": f.wd,
		"warmup_length": f.warmup, "freeze_encoder": f.freezeEncoder, "seed": f.seed, "eval_limit": f.evalLimit,
		"shards": f.shards, "bf16": f.bf16,
		"train_limit": f.trainLimit, "held_out": f.heldOut,
	}
}

func savePlots(runs []results.Curve, id string, shifts []string, dir string) ([]string, error) {
	paths, err := figures.SaveAll(runs, id, shifts, dir)
	if err != nil {
		return nil, err
	}
	curves, err := figures.AlphaCurves(runs, id, shifts)
	if err != nil {
		return nil, err
	}
	for _, c := range curves {
		p, err := c.Save(dir)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p...)
	}
	return paths, nil
}

// sweepProgress reports the sweep on one line of standard error, redrawn in place on a terminal; elsewhere (CI
// logs) it prints a line when each set is done.
func sweepProgress(alphas int) func(set string, done, total int) {
	last := time.Time{}
	tty := console.IsTerminal(os.Stderr)
	return func(set string, done, total int) {
		if !tty {
			if done == total {
				fmt.Fprintf(os.Stderr, "sweep %s: %d images × %d α\n", set, total, alphas)
			}
			return
		}
		if time.Since(last) < 500*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "\r\033[Ksweep %-16s %d/%d images × %d α", set, done, total, alphas)
	}
}

// fisherMix returns the Fisher-weighted merge of the sweep (the paper's --fisher): coefficients (1−α, α) on the
// zero-shot and fine-tuned models with their diagonal Fisher information.
func fisherMix(f runFlags, zs, ft *wiseft.Classifier, train datasets.Dataset) (*wiseft.FisherMix, error) {
	var fishers []clipmodel.Weights
	if f.fisher == "compute" {
		if train == nil {
			return nil, usagef("--fisher=compute needs --train-dataset")
		}
		for _, c := range []*wiseft.Classifier{zs, ft} {
			fw, err := wiseft.ComputeFisher(c, train, f.fisherExamples, f.seed)
			if err != nil {
				return nil, err
			}
			fishers = append(fishers, fw)
		}
	} else {
		paths := splitList(f.fisher)
		if len(paths) != 2 {
			return nil, usagef("--fisher takes FISHER0,FISHER1 or \"compute\"")
		}
		for _, p := range paths {
			w, err := loadWeightsFile(p)
			if err != nil {
				return nil, err
			}
			fishers = append(fishers, w)
		}
	}
	return &wiseft.FisherMix{Fishers: [2]clipmodel.Weights{fishers[0], fishers[1]}, Floor: f.fisherFloor}, nil
}
