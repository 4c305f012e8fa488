package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
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
	expName, classnamesSet, modelsDir, ensemble, fisherSplit                                          string
	epochs, batchSize, warmup, evalLimit, evalBatch, trainLimit, fisherExamples, fisherEpochs         int
	lr, ls, wd, fisherFloor                                                                           float64
	freezeEncoder, allowExtrapolation, resumeSet, evalEveryEpoch                                      bool
	seed                                                                                              uint64
	progressEvery                                                                                     time.Duration
}

// Defaults of the paper's src/args.py where a flag is not given (the project's main job, scripts/main.sh,
// passes its own).
const (
	paperBatchSize = 128
	paperLR        = 0.001
	paperAlpha     = "0.5"
)

func runRun(args []string) error {
	def := wiseft.DefaultFineTuneConfig()
	var f runFlags
	const synopsis = "--model M --train-dataset D --eval-datasets D1,D2,... [flags]"
	fs := newFlags("run", synopsis)
	fs.Usage = func() { printFlags(fs, synopsis) }
	fs.StringVar(&f.trainDataset, "train-dataset", "", "dataset to fine-tune on (its training split)")
	fs.StringVar(&f.model, "model", "", "CLIP model: Hugging Face folder, .safetensors file, the shipped \"wiseft-tiny\", or an architecture (\"ViT-B/32\") whose weights are in the models folder")
	fs.StringVar(&f.modelsDir, "models-dir", "", "folder of named models: --model ViT-B/32 loads <dir>/ViT-B-32 (or ViT-B/32, clip-vit-base-patch32) (default $"+ModelsEnv+")")
	fs.StringVar(&f.evalDatasets, "eval-datasets", "", "comma-separated datasets to evaluate (test splits); the first is the in-distribution one")
	fs.StringVar(&f.template, "template", "", "prompt template set for the zero-shot head (default: the training dataset's own)")
	fs.StringVar(&f.resultsDB, "results-db", "", "append one JSON line per α to this file")
	fs.StringVar(&f.save, "save", "", "folder for the zero-shot and fine-tuned classifiers, checkpoints and plots")
	fs.StringVar(&f.dataLocation, "data-location", "", "data folder (default $WISEFT_DATA or ./data)")
	fs.StringVar(&f.alpha, "alpha", paperAlpha, "mixing coefficients α, space-separated as the paper writes them (--alpha 0 0.1 0.2) or comma-separated")
	fs.StringVar(&f.load, "load", "", "ZEROSHOT,FINETUNED classifier folders: skip training, only sweep α; one folder: evaluate that classifier")
	fs.StringVar(&f.expName, "exp_name", "", "name of the experiment, written to the results (for organisation only)")
	fs.StringVar(&f.classnamesSet, "classnames", "openai", "which class names the zero-shot head uses: \"openai\", the datasets' own (see --class-names for a file)")
	fs.StringVar(&f.ensemble, "ensemble", "weights", "what each α evaluates: weights (WiSE-FT), outputs (the output-space ensemble of the two classifiers, the paper's baseline) or both")
	fs.BoolVar(&f.evalEveryEpoch, "eval-every-epoch", false, "evaluate the fine-tuned classifier after every epoch and append a results line each (current_epoch), as the paper's fine-tuning does")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "cache for image features of the linear classifier (--freeze-encoder)")
	fs.StringVar(&f.fisher, "fisher", "", "FISHER0,FISHER1 safetensors files, or \"compute\": merge with Fisher weights instead of plain interpolation")
	fs.Float64Var(&f.fisherFloor, "fisher_floor", 1e-8, "floor of the Fisher values")
	fs.IntVar(&f.fisherExamples, "fisher-examples", 0, "--fisher=compute: 0 passes over every example (the paper's estimate); N estimates from a seeded sample of N in one pass (cheaper)")
	fs.IntVar(&f.fisherEpochs, "fisher-epochs", 0, "--fisher=compute: passes over the examples (0: --epochs, as the paper's fisher.py; 1 with --fisher-examples)")
	fs.StringVar(&f.fisherSplit, "fisher-split", "train", "--fisher=compute: the split of --train-dataset to estimate on; test is what the paper's fisher.py reads")
	fs.IntVar(&f.epochs, "epochs", def.Epochs, "fine-tuning epochs")
	fs.IntVar(&f.batchSize, "batch-size", paperBatchSize, "fine-tuning batch size")
	fs.Float64Var(&f.lr, "lr", paperLR, "peak learning rate")
	fs.Float64Var(&f.ls, "ls", 0, "label smoothing")
	fs.Float64Var(&f.wd, "wd", def.WeightDecay, "AdamW weight decay")
	fs.IntVar(&f.warmup, "warmup_length", def.WarmupSteps, "learning-rate warm-up steps")
	fs.BoolVar(&f.freezeEncoder, "freeze-encoder", false, "train only the head on cached image features (linear classifier)")
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
	args = paperSpelling(fs, args, "alpha")
	args, f.resume, f.resumeSet = takeOptionalValueFlag(args, "resume")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	expandPaths(&f)
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
	if n := len(splitList(f.load)); f.load != "" && n != 1 && n != 2 {
		return usagef("--load takes two folders, ZEROSHOT,FINETUNED (or one classifier to evaluate); got %d", n)
	}
	if f.classnamesSet != "openai" {
		return usagef("--classnames %q: only \"openai\" (the datasets' own names) is supported; give other names with --class-names FILE", f.classnamesSet)
	}
	ensemble, err := wiseft.ParseEnsemble(f.ensemble)
	if err != nil {
		return usagef("--ensemble: %v", err)
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
		if model, err = resolveNamedModel(f.model, f.modelsDir); err != nil {
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
	if paths := splitList(f.load); len(paths) == 1 {
		return evaluateLoaded(f, alphas, paths[0], sets, train)
	}
	var zs, ft *wiseft.Classifier
	if f.load != "" {
		if zs, ft, err = loadPair(f.load, train, sets); err != nil {
			return err
		}
	} else {
		var afterEpoch func(int, *wiseft.Classifier) error
		if f.evalEveryEpoch {
			afterEpoch = epochEvaluation(f, alphas, evalSetsOnly(sets, evalNames, heldOut))
		}
		if zs, ft, err = trainPair(f, model, train, afterEpoch); err != nil {
			return err
		}
	}
	opts := wiseft.SweepOptions{BatchSize: f.evalBatch, AllowExtrapolation: f.allowExtrapolation,
		Progress: sweepProgress(), Ensemble: ensemble}
	if f.fisher != "" {
		mix, err := fisherMix(f, zs, ft, train)
		if err != nil {
			return err
		}
		opts.Mix = mix
	}
	start := time.Now()
	res, err := wiseft.Sweep(zs, ft, alphas, sets, opts)
	if isTerminal(os.Stderr) {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "sweep: %d α × %d sets in %.0fs\n", len(alphas), len(sets), time.Since(start).Seconds())
	shown := res
	if res.Metrics == nil {
		shown = res.OutputResult()
	}
	for j, set := range res.Sets {
		if m := shown.Metrics[0][j]; m.Skipped > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d unreadable examples skipped (first: %s)\n", set, m.Skipped, m.SkipErrors[0])
		}
	}
	idName := evalNames[0]
	shifts := slices.DeleteFunc(slices.Clone(evalNames[1:]), func(s string) bool { return s == heldOut })
	printSweep(res, idName, shifts)
	if heldOut != "" {
		best, err := wiseft.BestAlpha(shown, heldOut)
		if err != nil {
			return err
		}
		fmt.Printf("\nα chosen on %s: %g\n%s", heldOut, best.Alpha, best.String())
	}
	recs := res.Records(paperRecord(f, alphas, f.load == ""))
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
		paths, err := savePlots(recs, idName, shifts, plotDir)
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

// trainPair builds the zero-shot classifier, fine-tunes it (calling afterEpoch, when set, after every epoch), and
// saves both under f.save.
func trainPair(f runFlags, m *clipmodel.Model, train datasets.Dataset,
	afterEpoch func(int, *wiseft.Classifier) error) (zs, ft *wiseft.Classifier, err error) {
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
	cfg.LabelSmoothing, cfg.Seed, cfg.FreezeEncoder, cfg.CacheDir = f.ls, f.seed, f.freezeEncoder, f.cacheDir
	cfg.CheckpointDir = filepath.Join(f.save, "checkpoints")
	cfg.Progress = wiseft.TerminalProgressEvery(os.Stderr, f.progressEvery)
	cfg.AfterEpoch = afterEpoch
	if f.wd == 0 {
		cfg.WeightDecay = -1 // FineTuneConfig reads 0 as "default"; a negative value switches decay off
	}
	start = time.Now()
	if ft, err = fineTuneInterruptible(zs, train, cfg, f, resumeFrom); err != nil {
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
		"train_limit": f.trainLimit, "held_out": f.heldOut, "fisher_examples": f.fisherExamples,
		"fisher_epochs": fisherOptions(f).Epochs, "fisher_split": f.fisherSplit,
	}
}

func savePlots(recs []results.Record, id string, shifts []string, dir string) ([]string, error) {
	paths, err := figures.SaveAll(recs, id, shifts, dir)
	if err != nil {
		return nil, err
	}
	curves, err := figures.AlphaCurves(recs, id, shifts)
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
func sweepProgress() func(alpha float64, set string, done, total int) {
	last := time.Time{}
	tty := isTerminal(os.Stderr)
	return func(alpha float64, set string, done, total int) {
		if !tty {
			if done == total {
				fmt.Fprintf(os.Stderr, "sweep α=%g %s: %d images\n", alpha, set, total)
			}
			return
		}
		if time.Since(last) < 500*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(os.Stderr, "\r\033[Ksweep α=%-4g %-16s %d/%d", alpha, set, done, total)
	}
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// fisherMix returns the Fisher-weighted merge for each α (the paper's --fisher): coefficients (1−α, α) on the
// zero-shot and fine-tuned models with their diagonal Fisher information.
func fisherMix(f runFlags, zs, ft *wiseft.Classifier, train datasets.Dataset) (func(float64) (clipmodel.Weights, error), error) {
	var fishers []clipmodel.Weights
	if f.fisher == "compute" {
		if train == nil {
			return nil, usagef("--fisher=compute needs --train-dataset")
		}
		data, err := fisherData(f, train)
		if err != nil {
			return nil, err
		}
		for _, c := range []*wiseft.Classifier{zs, ft} {
			fw, err := wiseft.ComputeFisherWith(c, data, fisherOptions(f))
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
	thetas := []clipmodel.Weights{zs.Model.Weights, ft.Model.Weights}
	return func(alpha float64) (clipmodel.Weights, error) {
		return wiseft.FisherMerge(thetas, fishers, []float64{1 - alpha, alpha}, f.fisherFloor)
	}, nil
}
