package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/filelock"
	"github.com/gowiseft/wiseft/wiseft"
)

func runMerge(args []string) error {
	fs := newFlags("merge", "--mode MODE --out DIR MODEL...")
	mode := fs.String("mode", "interpolate", "interpolate (2 models, --alpha or --layer-alphas), task-vector (2 models, --lambda), uniform-soup or greedy-soup (N models), model-stock (the zero-shot model, then 2 or more fine-tuned ones)")
	out := fs.String("out", "", "folder for the merged classifier (Hugging Face layout)")
	alpha := fs.Float64("alpha", 0.5, "θ = (1−α)·θ0 + α·θ1 for --mode interpolate")
	layerAlphas := fs.String("layer-alphas", "", "--mode interpolate with an α per block instead of --alpha: \"vision embeddings=0.2,vision layer 0=0.4,head=1,*=0.5\" (blocks: vision embeddings, vision layer <i>, vision final norm, visual projection, head, text layer <i>, text tower; * for the rest)")
	lambda := fs.Float64("lambda", 1, "θ = θ0 + λ·(θ1 − θ0) for --mode task-vector (any λ)")
	allow := fs.Bool("allow-extrapolation", false, "accept --alpha outside [0, 1]")
	heldOut := fs.String("held-out", "", "dataset whose test split scores the greedy soup's candidates")
	dataLoc := fs.String("data-location", "", "data folder for --held-out")
	evalLimit := fs.Int("eval-limit", 0, "score on only the first N held-out examples (0: all)")
	overwrite := fs.Bool(overwriteFlag, false, "replace --out when it already holds a model ("+overwriteHelp+")")
	models, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	// Every flag and path is checked before a model is read.
	switch *mode {
	case "interpolate", "task-vector":
		if len(models) != 2 {
			return usagef("--mode %s takes exactly 2 models (θ0 θ1), got %d", *mode, len(models))
		}
	case "uniform-soup":
		if len(models) == 0 {
			return usagef("--mode uniform-soup needs at least one model")
		}
	case "greedy-soup":
		if len(models) == 0 || *heldOut == "" {
			return usagef("--mode greedy-soup needs models and --held-out")
		}
		if err := knownDataset(*heldOut); err != nil {
			return err
		}
	case "model-stock":
		if len(models) < 3 {
			return usagef("--mode model-stock takes the zero-shot model and at least 2 fine-tuned ones, got %d models", len(models))
		}
	default:
		return usagef("unknown --mode %s: interpolate, task-vector, uniform-soup, greedy-soup or model-stock", quoteValue(*mode))
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if *mode == "model-stock" {
		// Model Stock's ratios come from the models themselves: these flags would change nothing.
		for _, name := range []string{"alpha", "lambda", "layer-alphas", "allow-extrapolation", "held-out",
			"data-location", "eval-limit"} {
			if given[name] {
				return usagef("--%s is not for --mode model-stock, whose ratios come from the models' angles", name)
			}
		}
	}
	if given["layer-alphas"] && strings.TrimSpace(*layerAlphas) == "" {
		return usagef("--layer-alphas is empty: give group=α pairs (\"head=1,*=0.5\"), or --alpha for one α")
	}
	var profile wiseft.LayerAlphas
	if *layerAlphas != "" {
		alphaSet := given["alpha"]
		switch {
		case *mode != "interpolate":
			return usagef("--layer-alphas is for --mode interpolate, not %s", *mode)
		case alphaSet:
			return usagef("give --alpha (one α) or --layer-alphas (an α per block), not both")
		case *allow:
			return usagef("--layer-alphas takes α in [0, 1] only; --allow-extrapolation is for --alpha")
		}
		if profile, err = wiseft.ParseLayerAlphas(*layerAlphas); err != nil {
			return usagef("--layer-alphas: %v", err)
		}
		for k, a := range profile {
			if a < 0 || a > 1 {
				return usagef("--layer-alphas: %s=%v is outside [0, 1]", k, a)
			}
		}
	}
	if math.IsNaN(*alpha) || math.IsInf(*alpha, 0) || math.IsNaN(*lambda) || math.IsInf(*lambda, 0) {
		return usagef("--alpha and --lambda must be finite numbers, got %v and %v", *alpha, *lambda)
	}
	if *mode == "interpolate" && (*alpha < 0 || *alpha > 1) && !*allow {
		return usagef("--alpha %v is outside [0, 1]; pass --allow-extrapolation to extrapolate", *alpha)
	}
	if *evalLimit < 0 {
		return usagef("--eval-limit %d is negative (0 scores on every example)", *evalLimit)
	}
	var inputs []ioPath
	for _, p := range models {
		if _, err := fileio.Stat(p); err != nil {
			return fmt.Errorf("model: %w", err)
		}
		inputs = append(inputs, modelInputs("model", p)...)
	}
	if *mode == "model-stock" {
		if err := distinctStockFiles(models); err != nil {
			return err
		}
	}
	if *mode == "greedy-soup" && *dataLoc != "" {
		inputs = append(inputs, ioPath{flag: "data-location", path: *dataLoc, dir: true})
	}
	outputs := []ioPath{{flag: "out", path: *out, kind: outModelDir}}
	lock, err := filelock.Output(*out, "--out")
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := checkOutputs(outputs, inputs, *overwrite); err != nil {
		return err
	}
	loaded := make([]*clipmodel.Model, len(models))
	weights := make([]clipmodel.Weights, len(models))
	for i, p := range models {
		if loaded[i], err = clipmodel.Load(p); err != nil {
			return err
		}
		weights[i] = loaded[i].Weights
	}
	var merged clipmodel.Weights
	switch *mode {
	case "interpolate", "task-vector":
		if profile != nil {
			merged, err = wiseft.InterpolateLayers(weights[0], weights[1], profile)
		} else if *mode == "interpolate" {
			if *allow {
				merged, err = wiseft.Extrapolate(weights[0], weights[1], *alpha)
			} else {
				merged, err = wiseft.Interpolate(weights[0], weights[1], *alpha)
			}
		} else {
			merged, err = wiseft.TaskVector(weights[0], weights[1], *lambda)
		}
	case "uniform-soup":
		merged, err = wiseft.UniformSoup(weights...)
	case "greedy-soup":
		merged, err = greedySoup(loaded, weights, *heldOut, *dataLoc, *evalLimit)
	case "model-stock":
		if err = distinctStockModels(models, weights); err != nil {
			return err
		}
		var ratios []wiseft.StockRatio
		if merged, ratios, err = wiseft.ModelStock(weights[0], weights[1:]); err == nil {
			printStockRatios(ratios)
		}
	}
	if err != nil {
		return err
	}
	result := loaded[0].Clone()
	result.Weights = merged
	if err := saveModelDir(*out, result.Save); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s of %d models written to %s\n", *mode, len(models), *out)
	return nil
}

func greedySoup(models []*clipmodel.Model, weights []clipmodel.Weights, heldOut, loc string, limit int) (clipmodel.Weights, error) {
	ds, err := openDataset(heldOut, datasets.Test, loc, 0)
	if err != nil {
		return nil, err
	}
	clf := &wiseft.Classifier{Model: models[0], ClassNames: ds.ClassNames()}
	if clf.Model.Weights[wiseft.HeadWeight] == nil {
		return nil, fmt.Errorf("greedy soup: the models have no classification head to score")
	}
	ev, err := wiseft.NewEvaluator(clf, wiseft.EvalOptions{})
	if err != nil {
		return nil, err
	}
	score := func(w clipmodel.Weights) (float64, error) {
		if err := ev.SetWeights(w); err != nil {
			return 0, err
		}
		m, err := ev.Evaluate(context.Background(), ds, limit)
		return m.Top1, err
	}
	soup, chosen, err := wiseft.GreedySoup(weights, score)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "greedy soup kept models %s\n", strconv.Quote(fmt.Sprint(chosen)))
	return soup, nil
}

// printStockRatios prints, per block, the mean of Model Stock's per-tensor ratios t and their range.
func printStockRatios(ratios []wiseft.StockRatio) {
	type span struct {
		lo, hi, sum float64
		n           int
	}
	groups := map[string]*span{}
	var order []string
	for _, r := range ratios {
		g := wiseft.TensorGroup(r.Tensor)
		s := groups[g]
		if s == nil {
			s = &span{lo: r.T, hi: r.T}
			groups[g] = s
			order = append(order, g)
		}
		s.lo, s.hi, s.sum, s.n = math.Min(s.lo, r.T), math.Max(s.hi, r.T), s.sum+r.T, s.n+1
	}
	slices.SortStableFunc(order, func(a, b string) int { return strings.Compare(wiseft.GroupRank(a), wiseft.GroupRank(b)) })
	fmt.Fprintln(stdout, "model stock ratio t per block (mean over its tensors, min–max):")
	for _, g := range order {
		s := groups[g]
		fmt.Fprintf(stdout, "  %-20s %.4f  (%.4f–%.4f, %d tensors)\n", g, s.sum/float64(s.n), s.lo, s.hi, s.n)
	}
}

// stockWeightsFile is the weights file a model argument names: the file itself, or a folder's model.safetensors.
func stockWeightsFile(p string) string {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, clipmodel.WeightsFile)
	}
	return p
}

// stockModelName names model i of Model Stock's arguments (the zero-shot one first) in an error.
func stockModelName(models []string, i int) string {
	if i == 0 {
		return "the zero-shot model " + quoteValue(models[0])
	}
	return fmt.Sprintf("fine-tuned model %d %s", i, quoteValue(models[i]))
}

// distinctStockFiles refuses, before a model is read, a weights file given twice to Model Stock (the same path
// spelled twice, a folder and its model.safetensors, a link): the angle between a model and itself makes every
// ratio t 1, and a fine-tuned model that is the zero-shot one makes it 0.
func distinctStockFiles(models []string) error {
	infos := make([]os.FileInfo, len(models))
	for i, p := range models {
		st, err := os.Stat(stockWeightsFile(p))
		if err != nil {
			return fmt.Errorf("model: %w", err)
		}
		infos[i] = st
		for j := range i {
			if os.SameFile(infos[j], st) {
				return usagef("--mode model-stock: %s and %s are the same weights file: Model Stock needs the zero-shot "+
					"model and distinct fine-tuned ones", stockModelName(models, j), stockModelName(models, i))
			}
		}
	}
	return nil
}

// distinctStockModels refuses Model Stock's models whose weights are the same bit for bit (copies of one model):
// two such fine-tuned models make every ratio t 1, a fine-tuned model equal to the zero-shot one makes it 0.
func distinctStockModels(models []string, weights []clipmodel.Weights) error {
	for i := 1; i < len(weights); i++ {
		for j := range i {
			if bitIdentical(weights[j], weights[i]) {
				return usagef("--mode model-stock: %s has the weights of %s: Model Stock needs the zero-shot model and "+
					"distinct fine-tuned ones", stockModelName(models, i), stockModelName(models, j))
			}
		}
	}
	return nil
}

// bitIdentical reports whether a and b hold the same tensors, bit for bit.
func bitIdentical(a, b clipmodel.Weights) bool {
	if len(a) != len(b) {
		return false
	}
	for name, t := range a {
		u := b[name]
		if u == nil || len(u.Data) != len(t.Data) || !slices.Equal(u.Shape, t.Shape) {
			return false
		}
		for k := range t.Data {
			if math.Float32bits(t.Data[k]) != math.Float32bits(u.Data[k]) {
				return false
			}
		}
	}
	return true
}
