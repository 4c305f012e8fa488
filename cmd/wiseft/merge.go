package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
)

func runMerge(args []string) error {
	fs := newFlags("merge", "--mode MODE --out DIR MODEL...")
	mode := fs.String("mode", "interpolate", "interpolate (2 models, --alpha), task-vector (2 models, --lambda), uniform-soup or greedy-soup (N models)")
	out := fs.String("out", "", "folder for the merged classifier (Hugging Face layout)")
	alpha := fs.Float64("alpha", 0.5, "θ = (1−α)·θ0 + α·θ1 for --mode interpolate")
	lambda := fs.Float64("lambda", 1, "θ = θ0 + λ·(θ1 − θ0) for --mode task-vector (any λ)")
	allow := fs.Bool("allow-extrapolation", false, "accept --alpha outside [0, 1]")
	heldOut := fs.String("held-out", "", "dataset whose test split scores the greedy soup's candidates")
	dataLoc := fs.String("data-location", "", "data folder for --held-out")
	evalLimit := fs.Int("eval-limit", 0, "score on only the first N held-out examples (0: all)")
	models, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *mode == "interpolate" && (*alpha < 0 || *alpha > 1) && !*allow {
		return usagef("--alpha %v is outside [0, 1]; pass --allow-extrapolation to extrapolate", *alpha)
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
		if len(models) != 2 {
			return usagef("--mode %s takes exactly 2 models (θ0 θ1), got %d", *mode, len(models))
		}
		if *mode == "interpolate" {
			if *allow {
				merged, err = wiseft.Extrapolate(weights[0], weights[1], *alpha)
			} else {
				merged, err = wiseft.Interpolate(weights[0], weights[1], *alpha)
			}
		} else {
			merged, err = wiseft.TaskVector(weights[0], weights[1], *lambda)
		}
	case "uniform-soup":
		if len(models) == 0 {
			return usagef("--mode uniform-soup needs at least one model")
		}
		merged, err = wiseft.UniformSoup(weights...)
	case "greedy-soup":
		if len(models) == 0 || *heldOut == "" {
			return usagef("--mode greedy-soup needs models and --held-out")
		}
		merged, err = greedySoup(loaded, weights, *heldOut, *dataLoc, *evalLimit)
	default:
		return usagef("unknown --mode %q: interpolate, task-vector, uniform-soup or greedy-soup", *mode)
	}
	if err != nil {
		return err
	}
	result := loaded[0].Clone()
	result.Weights = merged
	if err := saveModelDir(*out, result.Save); err != nil {
		return err
	}
	fmt.Printf("%s of %d models written to %s\n", *mode, len(models), *out)
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
	fmt.Printf("greedy soup kept models %s\n", strconv.Quote(fmt.Sprint(chosen)))
	return soup, nil
}
