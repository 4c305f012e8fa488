package main

// The sweep's side of `wiseft run`: the Fisher-weighted mix, progress lines and the figures.

import (
	"fmt"
	"os"
	"time"

	"github.com/gowiseft/wiseft/internal/console"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
	"github.com/gowiseft/wiseft/wiseft/results"
)

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
// logs) it prints a line when each set is done. Every α runs on each batch, so a set is reported once.
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
	return &wiseft.FisherMix{Fishers: [2]clipmodel.Weights{fishers[0], fishers[1]}, Floor: f.fisherFloor}, nil
}
