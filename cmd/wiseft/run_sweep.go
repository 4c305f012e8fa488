package main

// The sweep's side of `wiseft run`: the Fisher-weighted mix, progress lines and the figures.

import (
	"fmt"
	"os"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
	"github.com/gowiseft/wiseft/wiseft/results"
)

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
	thetas := []clipmodel.Weights{zs.Model.Weights, ft.Model.Weights}
	return func(alpha float64) (clipmodel.Weights, error) {
		return wiseft.FisherMerge(thetas, fishers, []float64{1 - alpha, alpha}, f.fisherFloor)
	}, nil
}
