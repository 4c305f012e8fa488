package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/sysmem"
	"github.com/gowiseft/wiseft/wiseft"
)

// runPlan is what `wiseft run` will do, worked out from its flags before any work: every flag and every path is
// checked first, so a bad one fails in a second rather than after minutes of fine-tuning.
type runPlan struct {
	alphas     []float64
	evalNames  []string
	heldOut    string // the held-out set α is chosen on ("" for none): --held-out, or <train-dataset>-Val
	classNames []string
	ensemble   wiseft.Ensemble
	modelPath  string // --model resolved to a path (fine-tuning only)
	dataDir    string // where the datasets are read
	plotDir    string
	inputs     []ioPath
	outputs    []ioPath
}

// planRun validates the flags of `wiseft run` and the paths they read, and lists its outputs (checked by
// checkOutputs once the --save folder is locked); it writes nothing.
func planRun(f runFlags) (*runPlan, error) {
	p := &runPlan{}
	var err error
	if p.alphas, err = parseAlphas(f.alpha, f.allowExtrapolation); err != nil {
		return nil, err
	}
	if p.evalNames = splitList(f.evalDatasets); len(p.evalNames) == 0 {
		return nil, usagef("--eval-datasets is required")
	}
	for i, name := range p.evalNames {
		if err := knownDataset(name); err != nil {
			return nil, err
		}
		if slices.Contains(p.evalNames[:i], name) {
			return nil, usagef("--eval-datasets lists %s twice", quoteValue(name))
		}
	}
	switch {
	case f.load == "" && f.trainDataset == "":
		return nil, usagef("give --train-dataset to fine-tune, or --load ZEROSHOT,FINETUNED to sweep saved classifiers")
	case f.load == "" && f.save == "":
		return nil, usagef("--save is required when fine-tuning (the classifiers and checkpoints go there)")
	case f.load != "" && len(splitList(f.load)) != 1 && len(splitList(f.load)) != 2:
		return nil, usagef("--load takes two folders, ZEROSHOT,FINETUNED (or one classifier to evaluate); got %d",
			len(splitList(f.load)))
	case f.resumeSet && f.load != "":
		return nil, usagef("--resume continues an interrupted fine-tuning; --load does not fine-tune")
	case f.evalEveryEpoch && f.load != "":
		return nil, usagef("--eval-every-epoch evaluates during fine-tuning; --load does not fine-tune")
	case f.classnamesSet != "openai":
		return nil, usagef("--classnames %s: only \"openai\" (the datasets' own names) is supported; give other "+
			"names with --class-names FILE", quoteValue(f.classnamesSet))
	}
	if err := checkMethod(f); err != nil {
		return nil, err
	}
	if p.ensemble, err = wiseft.ParseEnsemble(f.ensemble); err != nil {
		return nil, usagef("--ensemble: %v", err)
	}
	one := len(splitList(f.load)) == 1
	switch {
	case p.ensemble != wiseft.EnsembleWeights && f.fisher != "":
		return nil, usagef("--ensemble %s mixes the two classifiers' outputs; --fisher merges their weights: give one "+
			"of them", f.ensemble)
	case one && f.fisher != "":
		return nil, usagef("--fisher merges two classifiers; --load with one folder evaluates that classifier alone")
	case one && p.ensemble != wiseft.EnsembleWeights:
		return nil, usagef("--ensemble %s mixes two classifiers; --load with one folder evaluates that classifier alone",
			f.ensemble)
	}
	if f.template != "" {
		if _, err := knownTemplate(f.template); err != nil {
			return nil, err
		}
	}
	if err := p.chooseHeldOut(f); err != nil {
		return nil, err
	}
	if err := checkRunNumbers(f); err != nil {
		return nil, err
	}
	if p.classNames, err = readClassNames(f.classNames); err != nil {
		return nil, err
	}
	if err := p.gatherPaths(f); err != nil {
		return nil, err
	}
	return p, nil
}

// The methods of --method.
const (
	methodFT         = "ft"
	methodLPFT       = "lp-ft"
	methodFLYP       = "flyp"
	methodModelStock = "model-stock"
)

// checkMethod validates --method against the other flags: what it trains, or, with --load, what made the
// fine-tuned endpoint.
func checkMethod(f runFlags) error {
	switch f.method {
	case methodFT, methodLPFT, methodFLYP:
	case methodModelStock:
		if f.load == "" {
			return usagef("--method model-stock merges fine-tuned models (wiseft merge --mode model-stock); sweep the " +
				"merged one with --load ZEROSHOT,MERGED --method model-stock")
		}
	default:
		return usagef("unknown --method %s: ft, lp-ft or flyp (with --load also model-stock)", quoteValue(f.method))
	}
	switch {
	case f.method != methodFT && f.freezeEncoder:
		return usagef("--freeze-encoder trains the linear classifier; --method %s fine-tunes end to end", f.method)
	case f.method == methodFLYP && f.ls != 0:
		return usagef("--ls is label smoothing of the cross-entropy; --method flyp trains on the contrastive loss")
	case f.load != "" && (f.given["probe-epochs"] || f.given["probe-lr"]):
		return usagef("--probe-epochs and --probe-lr are for fine-tuning with --method lp-ft, not for --load")
	case f.method != methodLPFT && f.load == "" && (f.given["probe-epochs"] || f.given["probe-lr"]):
		return usagef("--probe-epochs and --probe-lr are for --method lp-ft")
	case f.method == methodLPFT && f.probeEpochs < 1:
		return usagef("--probe-epochs must be at least 1, got %d", f.probeEpochs)
	case f.method == methodLPFT && !(f.probeLR > 0 && !math.IsInf(f.probeLR, 0)):
		return usagef("--probe-lr must be a finite number above 0, got %v", f.probeLR)
	}
	return nil
}

// chooseHeldOut resolves the held-out set: --held-out, else <train-dataset>-Val when registered. It must not be
// the in-distribution test set (α would be chosen on the numbers it is then reported with); when it is another
// of --eval-datasets it is evaluated once and not counted as a shift.
func (p *runPlan) chooseHeldOut(f runFlags) error {
	if f.trainDataset != "" {
		if err := knownDataset(f.trainDataset); err != nil {
			return err
		}
	}
	p.heldOut = f.heldOut
	if p.heldOut != "" {
		if err := knownDataset(p.heldOut); err != nil {
			return err
		}
	} else if f.trainDataset != "" && slices.Contains(datasets.Names(), f.trainDataset+"-Val") {
		p.heldOut = f.trainDataset + "-Val"
	}
	if p.heldOut != "" && p.heldOut == p.evalNames[0] {
		return usagef("the held-out set %s is also the in-distribution test set (the first of --eval-datasets): α "+
			"would be chosen on the numbers it is reported with; give another --held-out", p.heldOut)
	}
	return nil
}

// checkRunNumbers refuses numbers a run cannot use; a zero means zero, never "the default".
func checkRunNumbers(f runFlags) error {
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return usagef("--%s %v is not a finite number", name, v)
		}
		return nil
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"lr", f.lr}, {"wd", f.wd}, {"ls", f.ls}, {"fisher-floor", f.fisherFloor}} {
		if err := finite(c.name, c.v); err != nil {
			return err
		}
	}
	switch {
	case f.evalLimit < 0:
		return usagef("--eval-limit %d is negative (0 evaluates every example)", f.evalLimit)
	case f.evalBatch < 1:
		return usagef("--eval-batch-size must be at least 1, got %d", f.evalBatch)
	case f.fisherFloor < 0:
		return usagef("--fisher-floor %v is negative (Fisher values are never negative)", f.fisherFloor)
	case f.fisherExamples < 0:
		return usagef("--fisher-examples %d is negative (0 estimates on every example)", f.fisherExamples)
	case f.fisherEpochs < 0:
		return usagef("--fisher-epochs %d is negative (0 makes as many passes as --epochs)", f.fisherEpochs)
	case f.fisherSplit != string(datasets.Train) && f.fisherSplit != string(datasets.Test):
		return usagef("--fisher-split %s: want train or test", quoteValue(f.fisherSplit))
	case f.fisher == "compute" && f.trainDataset == "":
		return usagef("--fisher=compute needs --train-dataset")
	case f.fisher != "" && !alphasInUnit(f.alpha):
		return usagef("--fisher merges with coefficients 1−α and α, which must not be negative: give --alpha values in [0, 1]")
	case f.load != "":
		return nil // the fine-tuning numbers are not used
	case f.epochs == 0:
		return usagef("--epochs 0 would not fine-tune (every α would be the zero-shot model): give --epochs 1 or " +
			"more; the zero-shot model's accuracy is the α = 0 line of any run")
	case f.epochs < 0:
		return usagef("--epochs must be at least 1, got %d", f.epochs)
	case f.batchSize < 1:
		return usagef("--batch-size must be at least 1, got %d", f.batchSize)
	case f.shards < 1:
		return usagef("--shards must be at least 1, got %d", f.shards)
	case f.shards > f.batchSize:
		return usagef("--shards %d is more than --batch-size %d: each shard of a batch needs at least one example",
			f.shards, f.batchSize)
	case f.lr == 0:
		return usagef("--lr must be above 0, got 0 (a learning rate of 0 does not fine-tune)")
	case !(f.lr > 0):
		return usagef("--lr must be above 0, got %v", f.lr)
	case f.wd < 0:
		return usagef("--wd %v is negative (0 turns weight decay off)", f.wd)
	case f.ls < 0 || f.ls >= 1:
		return usagef("--ls %v is outside [0, 1) (label smoothing)", f.ls)
	case f.warmup < 0:
		return usagef("--warmup-length %d is negative (0 means no warm-up)", f.warmup)
	case f.trainLimit < 0:
		return usagef("--train-limit %d is negative (0 fine-tunes on every example)", f.trainLimit)
	case f.progressEvery < 0:
		return usagef("--progress-every %v is negative (0 prints every step)", f.progressEvery)
	}
	return nil
}

// gatherPaths resolves and checks the run's inputs (model, classifiers, Fisher files, class names, data) and
// lists its outputs.
func (p *runPlan) gatherPaths(f runFlags) error {
	p.dataDir = f.dataLocation
	if p.dataDir == "" {
		if p.dataDir = os.Getenv(datasets.LocationEnv); p.dataDir == "" {
			p.dataDir = datasets.DefaultLocation
		}
	}
	if fi, err := fileio.Stat(p.dataDir); err == nil && fi.IsDir() {
		p.inputs = append(p.inputs, ioPath{flag: "data-location", path: p.dataDir, dir: true})
	} else if f.dataLocation != "" {
		if err == nil {
			err = fmt.Errorf("%s is %s, not a folder", p.dataDir, fileio.Kind(fi.Mode()))
		}
		return fmt.Errorf("--data-location: %w", err)
	}
	if f.load == "" {
		path, err := namedModelPath(f.model, f.modelsDir)
		if err != nil {
			return err
		}
		p.modelPath = path
		p.inputs = append(p.inputs, modelInputs("model", path)...)
	} else {
		for _, dir := range splitList(f.load) {
			if err := fileio.CheckDir(dir); err != nil {
				return fmt.Errorf("--load: %w", err)
			}
			p.inputs = append(p.inputs, ioPath{flag: "load", path: dir, dir: true})
		}
	}
	if f.fisher != "" && f.fisher != "compute" {
		files := splitList(f.fisher)
		if len(files) != 2 {
			return usagef("--fisher takes FISHER0,FISHER1 or \"compute\"")
		}
		for _, path := range files {
			if err := checkFisherFile(path); err != nil {
				return fmt.Errorf("--fisher: %w", err)
			}
			p.inputs = append(p.inputs, ioPath{flag: "fisher", path: path})
		}
	}
	if f.classNames != "" {
		p.inputs = append(p.inputs, ioPath{flag: "class-names", path: f.classNames})
	}
	if f.resume != "" {
		if _, err := fileio.Stat(f.resume); err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
	}
	p.plotDir = f.plots
	if p.plotDir == "" && f.save != "" {
		p.plotDir = filepath.Join(f.save, "plots")
	}
	if f.load == "" {
		p.outputs = append(p.outputs,
			ioPath{flag: "save", path: filepath.Join(f.save, "zeroshot"), kind: outModelDir},
			ioPath{flag: "save", path: filepath.Join(f.save, "finetuned"), kind: outModelDir})
		if f.method == methodLPFT {
			p.outputs = append(p.outputs, ioPath{flag: "save", path: filepath.Join(f.save, "probe"), kind: outModelDir})
		}
		if (f.freezeEncoder || f.method == methodLPFT) && f.cacheDir != "" { // LP-FT's probe caches features too
			p.outputs = append(p.outputs, ioPath{flag: "cache-dir", path: f.cacheDir, kind: outCacheDir})
		}
	}
	if p.plotDir != "" && len(p.shifts()) > 0 {
		flag := "plots"
		if f.plots == "" {
			flag = "save"
		}
		p.outputs = append(p.outputs, ioPath{flag: flag, path: p.plotDir, kind: outFilesDir})
	}
	if f.resultsDB != "" {
		p.outputs = append(p.outputs, ioPath{flag: "results-db", path: f.resultsDB, kind: outLog})
	}
	return nil
}

// shifts are the evaluation sets after the first, without the held-out set.
func (p *runPlan) shifts() []string {
	return slices.DeleteFunc(slices.Clone(p.evalNames[1:]), func(s string) bool { return s == p.heldOut })
}

// checkRunMemory refuses, before the work that needs them, batches the machine cannot hold: the evaluation batch
// (trainLen < 0: checked as soon as the model's config is known) and the fine-tuning batch, which depends on the
// training set's size (for the linear classifier, the features are computed in evaluation-sized batches).
func checkRunMemory(f runFlags, cfg clipmodel.Config, trainLen int) error {
	if trainLen < 0 {
		err := cfg.CheckImageBatch(fmt.Sprintf("--eval-batch-size %d (an evaluation batch)", f.evalBatch), f.evalBatch, false)
		if err != nil {
			return usageError{err.Error()}
		}
		return nil
	}
	if f.load != "" || f.freezeEncoder {
		return nil
	}
	batch := min(f.batchSize, max(trainLen, 1))
	what, need := fineTuneStepBytes(f.method, cfg, batch)
	if err := sysmem.Check(fmt.Sprintf("--batch-size %d (%s)", batch, what), need); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// fineTuneStepBytes is the memory of one fine-tuning step of method over batch examples, and what it is: the
// image tower's step, and for FLYP the text tower's too (one prompt per image) and the batch × batch logits.
func fineTuneStepBytes(method string, cfg clipmodel.Config, batch int) (string, int64) {
	if method == methodFLYP {
		return "a FLYP step of both towers", sysmem.Sum(cfg.TowerTrainBytes(batch, true), sysmem.Product(16, int64(batch), int64(batch)))
	}
	return "a fine-tuning step", cfg.TowerTrainBytes(batch, false)
}

// checkExtrapolations merges, before the sweep evaluates anything, the models of the α outside [0, 1] (the only
// ones whose weights can overflow float32: inside, each value lies between the two models'), so that an α too
// large fails at once instead of after the sets of the α before it.
func checkExtrapolations(zs, ft *wiseft.Classifier, alphas []float64, plain bool) error {
	if !plain {
		return nil
	}
	for _, a := range alphas {
		if a >= 0 && a <= 1 {
			continue
		}
		if _, err := wiseft.Extrapolate(zs.Model.Weights, ft.Model.Weights, a); err != nil {
			return fmt.Errorf("--alpha %v: %w", a, err)
		}
	}
	return nil
}

// alphasInUnit reports whether every --alpha value that parses lies in [0, 1].
func alphasInUnit(list string) bool {
	alphas, err := parseAlphas(list, true)
	if err != nil {
		return true // reported by parseAlphas itself
	}
	for _, a := range alphas {
		if a < 0 || a > 1 {
			return false
		}
	}
	return true
}

// checkLabelSpaces refuses, before the zero-shot head and any fine-tuning (or, with --load, before the sweep), an
// evaluation set (of --eval-datasets, --held-out or the automatic <train-dataset>-Val) whose labels are not those
// of the classifier, whose class names are names and which comes from source ("fine-tuned on X", "loaded from
// DIR"): another number of classes (unless the set covers a subset of the classifier's classes, as
// datasets.SubsetOf says), or, where the set or the training set (trainName) is a --folder-dataset (whose labels
// are positions in its sorted class folders), other class names in the same number.
func checkLabelSpaces(names []string, source, trainName string, sets []wiseft.EvalSet, folderNames []string) error {
	for _, s := range sets {
		ds := s.Dataset
		if _, subset := datasets.SubsetOf(ds); subset {
			continue
		}
		got := ds.ClassNames()
		if len(got) != len(names) {
			return fmt.Errorf("%s has %d classes, but the classifier %s has %d: an evaluation set must have the "+
				"classifier's classes", ds.Name(), len(got), source, len(names))
		}
		if !slices.Contains(folderNames, ds.Name()) && (trainName == "" || !slices.Contains(folderNames, trainName)) {
			continue
		}
		for i := range got {
			if got[i] != names[i] {
				return fmt.Errorf("%s's class %d is %q, but the classifier's (%s) is %q: a folder dataset's labels "+
					"follow its sorted class folders, so both must have the same class folders", ds.Name(), i, got[i],
					source, names[i])
			}
		}
	}
	return nil
}
