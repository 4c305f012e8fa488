package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// ModelsEnv names the environment variable of the models folder, where --model finds a named architecture's
// weights (and the shipped "wiseft-tiny"); --models-dir overrides it.
const ModelsEnv = "WISEFT_MODELS"

// hfNames are the Hugging Face repository names of OpenAI's CLIP models, also tried as folder names.
var hfNames = map[string]string{
	"ViT-B/32": "clip-vit-base-patch32", "ViT-B/16": "clip-vit-base-patch16",
	"ViT-L/14": "clip-vit-large-patch14", "ViT-L/14@336px": "clip-vit-large-patch14-336",
}

// modelFolders are the folders of dir where the weights of architecture name may be: the name as written (a
// nested folder for "ViT-B/32"), open_clip's dashed spelling ("ViT-B-32") and the Hugging Face repository name.
func modelFolders(name, dir string) []string {
	cfg, err := clipmodel.ConfigByName(name)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range []string{name, cfg.Name, strings.NewReplacer("/", "-", "@", "-", "px", "").Replace(cfg.Name), hfNames[cfg.Name]} {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, filepath.Join(dir, filepath.FromSlash(n)))
		}
	}
	return out
}

// resolveNamedModel resolves and loads --model as the paper's code takes it (see namedModelPath and
// loadNamedModel).
func resolveNamedModel(name, modelsDir string) (*clipmodel.Model, error) {
	path, err := namedModelPath(name, modelsDir)
	if err != nil {
		return nil, err
	}
	return loadNamedModel(name, path)
}

// namedModelPath is the path of --model without loading it: an architecture name ("ViT-B/32") is a folder under
// the models folder (--models-dir, else $WISEFT_MODELS); anything else goes to resolveModelPath (a path, or the
// shipped "wiseft-tiny").
func namedModelPath(name, modelsDir string) (string, error) {
	if _, err := clipmodel.ConfigByName(name); err != nil || name == "" {
		return resolveModelPath(name)
	}
	if _, err := os.Stat(name); err == nil {
		return resolveModelPath(name) // a path that happens to spell a name
	}
	if modelsDir == "" {
		modelsDir = os.Getenv(ModelsEnv)
	}
	if modelsDir == "" {
		return "", usagef("--model %s names an architecture: give the path of its weights (a Hugging Face CLIP folder or "+
			"a .safetensors file), or set --models-dir or $%s to a folder holding them as %s (nothing is downloaded)",
			name, ModelsEnv, strings.Join(relFolders(name), " or "))
	}
	folders := modelFolders(name, modelsDir)
	for _, dir := range folders {
		if _, err := os.Stat(dir); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("--model %s: no weights in the models folder %s (looked for %s; nothing is downloaded)",
		name, modelsDir, strings.Join(folders, ", "))
}

// loadNamedModel loads the model at path, which namedModelPath found for --model name; when name is an
// architecture found in the models folder, the weights must be of that architecture.
func loadNamedModel(name, path string) (*clipmodel.Model, error) {
	m, err := clipmodel.Load(path)
	want, named := clipmodel.ConfigByName(name)
	if named != nil || path == name {
		return m, err
	}
	if err != nil {
		return nil, fmt.Errorf("--model %s: %s: %w", name, path, err)
	}
	if err := sameArchitecture(want, m.Config); err != nil {
		return nil, fmt.Errorf("--model %s: %s holds another model: %w", name, path, err)
	}
	return m, nil
}

// loadRunModel loads the model of a run (path from its plan).
func loadRunModel(f runFlags, path string) (*clipmodel.Model, error) {
	return loadNamedModel(f.model, path)
}

// relFolders are the folder names modelFolders tries for name.
func relFolders(name string) []string {
	var out []string
	for _, f := range modelFolders(name, "") {
		out = append(out, filepath.ToSlash(f))
	}
	return out
}

// sameArchitecture reports the first size in which got differs from the named config want.
func sameArchitecture(want, got clipmodel.Config) error {
	w, g := want.Vision, got.Vision
	for _, c := range []struct {
		what      string
		want, got int
	}{
		{"image size", w.ImageSize, g.ImageSize}, {"patch size", w.PatchSize, g.PatchSize},
		{"image tower width", w.Width, g.Width}, {"image tower layers", w.Layers, g.Layers},
		{"text tower width", want.Text.Width, got.Text.Width}, {"text tower layers", want.Text.Layers, got.Text.Layers},
		{"embedding size", want.ProjectionDim, got.ProjectionDim},
	} {
		if c.want != c.got {
			return fmt.Errorf("its %s is %d, %s has %d", c.what, c.got, want.Name, c.want)
		}
	}
	return nil
}

// paperRecord is baseRecord with the keys the paper's code writes beside the flags (vars(args)): exp_name,
// classnames, device, the α list of the run, and current_epoch once fine-tuning has run (its last epoch, 0-based,
// as the paper's shared args carry it into the sweep's lines).
func paperRecord(f runFlags, alphas []float64, heldOut string, finetuned bool) results.Record {
	rec := baseRecord(f, heldOut)
	rec["exp_name"] = nullable(f.expName)
	rec["classnames"] = f.classnamesSet
	rec["device"] = "cpu"
	if strings.Contains(os.Getenv("GOMLX_BACKEND"), "cuda") {
		rec["device"] = "cuda"
	}
	rec["ensemble"] = f.ensemble
	rec["load"], rec["fisher"] = listValue(f.load), listValue(f.fisher)
	rec[results.AlphaKey] = alphas
	if finetuned {
		rec["current_epoch"] = f.epochs - 1
	}
	return rec
}

// listValue is a comma-separated flag as the paper's argparse leaves it: null when unset, the string for one item
// (args.py unwraps a one-item --load), the list otherwise.
func listValue(s string) any {
	switch l := splitList(s); len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	default:
		return l
	}
}

// nullable is nil (JSON null, Python's None) for an unset string flag.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// evalSetsOnly drops the held-out set that runWiSEFT puts first when the evaluation sets do not name it.
func evalSetsOnly(sets []wiseft.EvalSet, evalNames []string, heldOut string) []wiseft.EvalSet {
	if heldOut != "" && len(sets) > 0 && sets[0].Dataset.Name() == heldOut && !slices.Contains(evalNames, heldOut) {
		return sets[1:]
	}
	return sets
}

// evaluateSets evaluates one classifier on every set and returns the results line: base with each set's metrics.
func evaluateSets(f runFlags, clf *wiseft.Classifier, sets []wiseft.EvalSet, base results.Record) (results.Record, []wiseft.Metrics, error) {
	ev, err := wiseft.NewEvaluator(clf, wiseft.EvalOptions{BatchSize: f.evalBatch, Workers: f.workers, Devices: f.devices})
	if err != nil {
		return nil, nil, err
	}
	rec := maps.Clone(base)
	var all []wiseft.Metrics
	for _, s := range sets {
		m, err := ev.Evaluate(context.Background(), s.Dataset, s.Limit)
		if err != nil {
			return nil, nil, err
		}
		name := s.Name
		if name == "" {
			name = s.Dataset.Name()
		}
		wiseft.AddMetrics(rec, name, m)
		all = append(all, m)
	}
	return rec, all, nil
}

// printEvaluation prints one line per set: top-1 and the benchmark's scores, in percent.
func printEvaluation(title string, sets []wiseft.EvalSet, ms []wiseft.Metrics) {
	fmt.Fprintln(stdout, title)
	for j, m := range ms {
		name := sets[j].Name
		if name == "" {
			name = sets[j].Dataset.Name()
		}
		line := fmt.Sprintf("  %-24s top-1 %6.2f%%", name, 100*m.Top1)
		for _, k := range []string{"F1-macro_all", "recall-macro_all", "acc_worst_region", "pm0", "pm10"} {
			if v, ok := m.Scores[k]; ok {
				line += fmt.Sprintf("  %s %.2f%%", k, 100*v)
			}
		}
		fmt.Fprintln(stdout, line)
	}
}

// evaluateLoaded is --load with one classifier: evaluate it on every set and append one results line (α is the
// run's α list, as the paper's code writes vars(args) for a plain evaluation).
func evaluateLoaded(f runFlags, alphas []float64, path string, sets []wiseft.EvalSet, train datasets.Dataset, heldOut string) error {
	names := sets[0].Dataset.ClassNames()
	if train != nil {
		names = train.ClassNames()
	}
	clf, err := wiseft.LoadClassifier(path, names)
	if err != nil {
		return err
	}
	if err := checkRunMemory(f, clf.Model.Config, -1); err != nil {
		return err
	}
	rec, ms, err := evaluateSets(f, clf, sets, paperRecord(f, alphas, heldOut, false))
	if err != nil {
		return err
	}
	printEvaluation("evaluation of "+path+":", sets, ms)
	if f.resultsDB != "" {
		if err := results.Append(f.resultsDB, rec); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "results: 1 line appended to %s\n", f.resultsDB)
	}
	return nil
}

// epochEvaluation is the AfterEpoch hook of --eval-every-epoch: the paper's fine-tuning evaluates the classifier
// on the evaluation sets after every epoch and appends a results line with current_epoch.
func epochEvaluation(f runFlags, alphas []float64, sets []wiseft.EvalSet, heldOut string) func(epoch int, c *wiseft.Classifier) error {
	return func(epoch int, c *wiseft.Classifier) error {
		base := paperRecord(f, alphas, heldOut, false)
		base["current_epoch"] = epoch
		rec, ms, err := evaluateSets(f, c, sets, base)
		if err != nil {
			return err
		}
		printEvaluation(fmt.Sprintf("after epoch %d (current_epoch %d):", epoch+1, epoch), sets, ms)
		if f.resultsDB != "" {
			return results.Append(f.resultsDB, rec)
		}
		return nil
	}
}

// fisherOptions are the paper's Fisher estimate for --fisher=compute: every example of the split, --fisher-epochs
// passes (default --epochs, as the paper's fisher.py makes), the label-smoothed loss with --ls; --fisher-examples
// N estimates from a seeded sample of N examples in one pass instead (unless --fisher-epochs says otherwise).
func fisherOptions(f runFlags) wiseft.FisherOptions {
	epochs := f.fisherEpochs
	if epochs <= 0 {
		epochs = f.epochs
		if f.fisherExamples > 0 {
			epochs = 1
		}
	}
	return wiseft.FisherOptions{Examples: f.fisherExamples, Epochs: epochs, LabelSmoothing: f.ls, Seed: f.seed}
}

// fisherData is the dataset the Fisher is estimated on: the training set, or with --fisher-split test the
// training dataset's test split, which is what the paper's fisher.py reads (its _TRAIN_PREPROCESSING = False
// picks the test loader as well as the evaluation preprocessing).
func fisherData(f runFlags, train datasets.Dataset) (datasets.Dataset, error) {
	if f.fisherSplit == "" || f.fisherSplit == string(datasets.Train) {
		return train, nil
	}
	if f.fisherSplit != string(datasets.Test) {
		return nil, usagef("--fisher-split %q: want train or test", f.fisherSplit)
	}
	return openDataset(f.trainDataset, datasets.Test, f.dataLocation, f.seed)
}

// printSweep prints the sweep's summaries: WiSE-FT's, and the output-space ensemble's when computed.
func printSweep(res *wiseft.SweepResult, id string, shifts []string) {
	fmt.Fprint(stdout, res.Summary(id, shifts))
	if p := res.PairedSummary(id, shifts); p != "" {
		fmt.Fprintln(stdout)
		fmt.Fprint(stdout, p)
	}
	if out := res.OutputResult(); out != nil {
		if res.Metrics != nil {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintln(stdout, "output-space ensemble, (1−α)·logits(zero-shot) + α·logits(fine-tuned):")
		fmt.Fprint(stdout, out.Summary(id, shifts))
	}
}
