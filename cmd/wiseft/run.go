package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"

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
	expName, classnamesSet, modelsDir, ensemble, fisherSplit                                          string
	method                                                                                            string
	probeEpochs                                                                                       int
	probeLR                                                                                           float64
	epochs, batchSize, warmup, evalLimit, evalBatch, trainLimit, fisherExamples, fisherEpochs         int
	shards, workers, devices                                                                          int
	lr, ls, wd, fisherFloor                                                                           float64
	freezeEncoder, allowExtrapolation, resumeSet, overwrite, bf16, evalEveryEpoch                     bool
	seed                                                                                              uint64
	progressEvery                                                                                     time.Duration
	folderDatasets                                                                                    folderDatasetFlag
	given                                                                                             map[string]bool // the flags set on the command line
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
	helpPrinters[fs] = func(w io.Writer) { printFlags(w, fs, synopsis) }
	fs.StringVar(&f.trainDataset, "train-dataset", "", "dataset to fine-tune on (its training split)")
	fs.StringVar(&f.method, "method", "ft", "how the fine-tuned endpoint is made: ft (end to end, the paper's), lp-ft (a linear probe, then end to end from its head), flyp (both towers on the contrastive loss with class prompts, head made again from the text tower); with --load it names the endpoint's method (also model-stock)")
	fs.IntVar(&f.probeEpochs, "probe-epochs", 10, "--method lp-ft: epochs of the linear probe")
	fs.Float64Var(&f.probeLR, "probe-lr", 0.01, "--method lp-ft: peak learning rate of the linear probe")
	fs.StringVar(&f.model, "model", "", "CLIP model: Hugging Face folder, .safetensors file, the shipped \"wiseft-tiny\", or an architecture (\"ViT-B/32\") whose weights are in the models folder")
	fs.StringVar(&f.modelsDir, "models-dir", "", "folder of named models: --model ViT-B/32 loads <dir>/ViT-B-32 (or ViT-B/32, clip-vit-base-patch32) (default $"+ModelsEnv+")")
	fs.StringVar(&f.evalDatasets, "eval-datasets", "", "comma-separated datasets to evaluate (test splits); the first is the in-distribution one")
	fs.StringVar(&f.template, "template", "", "prompt template set for the zero-shot head (default: the training dataset's own)")
	fs.StringVar(&f.resultsDB, "results-db", "", "append one JSON line per α to this file")
	fs.StringVar(&f.save, "save", "", "folder for the zero-shot and fine-tuned classifiers, checkpoints and plots")
	fs.Var(&f.folderDatasets, "folder-dataset", "NAME=DIR: a dataset NAME read from DIR/train and DIR/val (<class folder>/<images>; ImageNet's class names and templates when the folders are WordNet ids), usable in the dataset flags; repeatable")
	fs.StringVar(&f.dataLocation, "data-location", "", "data folder (default $WISEFT_DATA or ./data)")
	fs.StringVar(&f.alpha, "alpha", paperAlpha, "mixing coefficients α, space-separated as the paper writes them (--alpha 0 0.1 0.2) or comma-separated")
	fs.StringVar(&f.load, "load", "", "ZEROSHOT,FINETUNED classifier folders: skip training, only sweep α; one folder: evaluate that classifier")
	fs.StringVar(&f.expName, "exp_name", "", "name of the experiment, written to the results (for organisation only)")
	fs.StringVar(&f.classnamesSet, "classnames", "openai", "which class names the zero-shot head uses: \"openai\", the datasets' own (see --class-names for a file)")
	fs.StringVar(&f.ensemble, "ensemble", "weights", "what each α evaluates: weights (WiSE-FT), outputs (the output-space ensemble of the two classifiers, the paper's baseline) or both")
	fs.BoolVar(&f.evalEveryEpoch, "eval-every-epoch", false, "evaluate the fine-tuned classifier after every epoch and append a results line each (current_epoch), as the paper's fine-tuning does")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "cache for image features of the linear classifier (--freeze-encoder) and of LP-FT's probe")
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
	fs.IntVar(&f.shards, "shards", runtime.GOMAXPROCS(0), "split each fine-tuning batch into this many shards whose gradients run concurrently and are summed in a fixed order (the result depends on it, not on --workers; 1: one program for the whole batch; default one per CPU on SimpleGo, 1 on XLA)")
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
	args = paperSpelling(fs, args, "alpha")
	args, f.resume, f.resumeSet = takeOptionalValueFlag(args, "resume")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	expandPaths(&f)
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	if !f.given["shards"] && !simpleGoConfig(os.Getenv(backends.ConfigEnvVar)) {
		f.shards = 1 // on XLA the devices split the batch: CPU shards would only cut it into smaller programs
	}
	if !f.given["shards"] && f.batchSize >= 1 {
		f.shards = min(f.shards, f.batchSize) // one per CPU, but no more than a batch has examples
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %s", quoteValue(rest[0]))
	}
	if f.folderDatasets, err = registerFolderDatasets(f.folderDatasets); err != nil {
		return err
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
		if model, err = loadRunModel(f, plan.modelPath); err != nil {
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
	if train != nil && f.load == "" {
		err := checkLabelSpaces(train.ClassNames(), "fine-tuned on "+train.Name(), train.Name(), sets,
			folderDatasetNames(f.folderDatasets))
		if err != nil {
			return err
		}
	}
	if model != nil {
		if err := checkRunMemory(f, model.Config, train.Len()); err != nil {
			return err
		}
	}
	if paths := splitList(f.load); len(paths) == 1 {
		return evaluateLoaded(f, alphas, paths[0], sets, train, heldOut)
	}
	var zs, ft *wiseft.Classifier
	var skips trainSkips
	if f.load != "" {
		if zs, ft, err = loadPair(f.load, train, sets); err != nil {
			return err
		}
		trainName := ""
		if train != nil {
			trainName = train.Name()
		}
		err := checkLabelSpaces(zs.ClassNames, "loaded from "+splitList(f.load)[0], trainName, sets,
			folderDatasetNames(f.folderDatasets))
		if err != nil {
			return err
		}
	} else {
		var afterEpoch func(int, *wiseft.Classifier) error
		if f.evalEveryEpoch {
			afterEpoch = epochEvaluation(f, alphas, evalSetsOnly(sets, evalNames, heldOut), heldOut)
		}
		if zs, ft, err = trainPair(f, model, train, resumeFrom, afterEpoch, &skips); err != nil {
			return err
		}
	}
	if f.load != "" {
		if err := checkRunMemory(f, zs.Model.Config, -1); err != nil {
			return err
		}
	}
	opts := wiseft.SweepOptions{BatchSize: f.evalBatch, Workers: f.workers, Devices: f.devices,
		AllowExtrapolation: f.allowExtrapolation, Progress: sweepProgress(len(alphas)), Ensemble: plan.ensemble}
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
	shown := res // the tables and α choice of what was evaluated: WiSE-FT, or the output-space ensemble alone
	if res.Metrics == nil {
		shown = res.OutputResult()
	}
	for j, set := range res.Sets {
		if m := shown.Metrics[0][j]; m.Skipped > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d unreadable examples skipped (first: %s)\n", set, m.Skipped, m.SkipErrors[0])
		}
	}
	idName := evalNames[0]
	shifts := plan.shifts()
	printSweep(res, idName, shifts)
	if heldOut != "" {
		best, err := wiseft.BestAlpha(shown, heldOut)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nα chosen on %s: %g\n%s", heldOut, best.Alpha, best.String())
	}
	rec := paperRecord(f, alphas, heldOut, f.load == "")
	if f.load == "" {
		rec["train_skipped"] = skips.count // training examples left out as unreadable
	}
	recs := res.Records(rec)
	if f.resultsDB != "" {
		if err := results.Append(f.resultsDB, recs...); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nresults: %d lines appended to %s\n", len(recs), f.resultsDB)
	}
	if plotDir := plan.plotDir; plotDir != "" && len(shifts) > 0 {
		label := "WiSE-FT"
		if f.method != methodFT {
			label += " (" + f.method + ")"
		}
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

// checkResumedZeroShot refuses a resumed run whose zero-shot classifier is not the one the interrupted run saved
// in dir and started from (another --model or --template; see closeWeights): it would replace that classifier,
// and the fine-tuned endpoint would then not have started from the zero-shot endpoint it is interpolated with. A
// dir that does not exist (a checkpoint resumed into another --save) is no objection.
func checkResumedZeroShot(zs *wiseft.Classifier, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, clipmodel.WeightsFile)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	saved, err := wiseft.LoadClassifier(dir, zs.ClassNames)
	if err != nil {
		return fmt.Errorf("--resume: reading the interrupted run's zero-shot classifier: %w", err)
	}
	if closeWeights(zs.Model.Weights, saved.Model.Weights) {
		return nil
	}
	what := "its encoder differs: another --model?"
	withoutHead := func(w clipmodel.Weights) clipmodel.Weights {
		out := maps.Clone(w)
		delete(out, wiseft.HeadWeight)
		delete(out, wiseft.HeadBias)
		return out
	}
	if closeWeights(withoutHead(zs.Model.Weights), withoutHead(saved.Model.Weights)) {
		what = "its head differs: another --template?"
	}
	return usagef("--resume: the zero-shot classifier this run makes differs from %s, the one the interrupted run "+
		"started from (%s): resume with that run's --model and --template, or start over with another --save", dir, what)
}

// closeWeights reports whether a and b hold the same tensors with values equal up to rounding: within 1e-4 of
// each tensor's largest magnitude. The zero-shot head is made again on every resume, possibly on another backend
// or device, whose sums may round differently; another model or template set moves values far more.
func closeWeights(a, b clipmodel.Weights) bool {
	if len(a) != len(b) {
		return false
	}
	for name, t := range a {
		u := b[name]
		if u == nil || len(u.Data) != len(t.Data) || !slices.Equal(u.Shape, t.Shape) {
			return false
		}
		var scale float64
		for _, v := range t.Data {
			scale = max(scale, math.Abs(float64(v)))
		}
		for k, v := range t.Data {
			if !(math.Abs(float64(v)-float64(u.Data[k])) <= 1e-4*scale) {
				return false
			}
		}
	}
	return true
}

// trainPair builds the zero-shot classifier, fine-tunes it (calling afterEpoch, when set, after every epoch), and
// saves both under f.save. resumeFrom is the checkpoint to continue from ("" for a fresh start; see
// resumeCheckpoint).
func trainPair(f runFlags, m *clipmodel.Model, train datasets.Dataset, resumeFrom string,
	afterEpoch func(int, *wiseft.Classifier) error, skips *trainSkips) (zs, ft *wiseft.Classifier, err error) {
	ts, err := resolveTemplates(f.template, train)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	if zs, err = wiseft.ZeroShotClassifier(m, train.ClassNames(), ts); err != nil {
		return nil, nil, err
	}
	if resumeFrom != "" {
		if err := checkResumedZeroShot(zs, filepath.Join(f.save, "zeroshot")); err != nil {
			return nil, nil, err
		}
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
	cfg, probeCfg := fineTuneConfigs(f)
	run := wiseft.TrainRun{CheckpointDir: filepath.Join(f.save, "checkpoints"), CacheDir: f.cacheDir,
		ResumeFrom: resumeFrom, Progress: wiseft.TerminalProgress(os.Stderr, f.progressEvery), Workers: f.workers,
		Devices: f.devices, AfterEpoch: afterEpoch, OnSkip: skips.add}
	start = time.Now()
	train1 := func(ctx context.Context) (*wiseft.Classifier, error) {
		switch f.method {
		case methodLPFT:
			probe, ft, err := wiseft.LPFT(ctx, zs, train, wiseft.LPFTConfig{Probe: probeCfg, FineTune: cfg}, run)
			if err == nil {
				err = saveClassifier(probe, filepath.Join(f.save, "probe"))
			}
			return ft, err
		case methodFLYP:
			return wiseft.FLYP(ctx, zs, train, ts, cfg, run)
		}
		return wiseft.FineTune(ctx, zs, train, cfg, run)
	}
	if ft, err = fineTuneInterruptible(train1, cfg, run, f); err != nil {
		return nil, nil, err
	}
	if err := saveClassifier(ft, filepath.Join(f.save, "finetuned")); err != nil {
		return nil, nil, err
	}
	if skips.count > 0 { // as evaluation does, the unreadable examples were left out, and are counted
		fmt.Fprintf(os.Stderr, "%s (training): %d unreadable examples skipped (first: %v)\n", train.Name(), skips.count,
			skips.first)
	}
	fmt.Fprintf(os.Stderr, "%s: fine-tuned %d epochs on %d images of %s in %.0fs, saved to %s\n", f.method, f.epochs, train.Len(),
		train.Name(), time.Since(start).Seconds(), filepath.Join(f.save, "finetuned"))
	return zs, ft, nil
}

// fineTuneConfigs are the settings the flags ask for: of the fine-tuning, and of LP-FT's linear probe (FLYP is
// set by wiseft.FLYP itself).
func fineTuneConfigs(f runFlags) (cfg, probe wiseft.FineTuneConfig) {
	cfg = wiseft.DefaultFineTuneConfig() // zero means zero in it: --wd 0 and --warmup-length 0 are off
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WeightDecay, cfg.WarmupSteps = f.epochs, f.batchSize, f.lr, f.wd, f.warmup
	cfg.LabelSmoothing, cfg.Seed, cfg.FreezeEncoder = f.ls, f.seed, f.freezeEncoder
	cfg.Shards, cfg.BF16 = f.shards, f.bf16
	probe = cfg
	probe.Epochs, probe.LR, probe.FreezeEncoder = f.probeEpochs, f.probeLR, true
	return cfg, probe
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
		"eval_limit": f.evalLimit, "held_out": heldOut, "fisher_examples": f.fisherExamples, "method": f.method,
		"fisher_epochs": fisherOptions(f).Epochs, "fisher_split": f.fisherSplit,
	}
	if len(f.folderDatasets) > 0 { // where the datasets named by --folder-dataset were read from
		r["folder_datasets"] = []string(f.folderDatasets)
	}
	if f.load == "" {
		for k, v := range map[string]any{"cache_dir": f.cacheDir, "epochs": f.epochs, "batch_size": f.batchSize,
			"lr": f.lr, "ls": f.ls, "wd": f.wd, "warmup_length": f.warmup, "freeze_encoder": f.freezeEncoder,
			"train_limit": f.trainLimit, "shards": f.shards, "bf16": f.bf16} {
			r[k] = v
		}
		if f.method == methodLPFT {
			r["probe_epochs"], r["probe_lr"] = f.probeEpochs, f.probeLR
		}
	}
	return r
}

// simpleGoConfig reports whether a GOMLX_BACKEND value selects SimpleGo (unset or empty: the default, which is).
func simpleGoConfig(config string) bool {
	name, _, _ := strings.Cut(config, ":")
	return config == "" || name == "go"
}

// trainSkips counts the training examples that fine-tuning left out as unreadable (corrupt or empty image files;
// once per epoch each), for the message after fine-tuning and the results log's train_skipped.
type trainSkips struct {
	count int
	first error
}

// add is a wiseft.TrainRun.OnSkip.
func (s *trainSkips) add(err error) {
	if s.count == 0 {
		s.first = err
	}
	s.count++
}
