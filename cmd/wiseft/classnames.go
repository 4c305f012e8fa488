package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
)

// readClassNames reads --class-names: one class name per line, in label order; blank lines and lines starting
// with '#' are skipped. An empty path gives nil (the datasets' own names).
func readClassNames(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--class-names: %w", err)
	}
	var names []string
	for line := range strings.Lines(string(data)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--class-names: %s holds no class names (one per line, in label order)", path)
	}
	return names, nil
}

// applyClassNames gives the training set (or, without one, the first evaluation set, whose names label the
// classifiers of --load) the class names of --class-names, and checks that there are classes at all.
func applyClassNames(names []string, path string, train datasets.Dataset, sets []wiseft.EvalSet) (datasets.Dataset, []wiseft.EvalSet, error) {
	target := train
	if target == nil && len(sets) > 0 {
		target = sets[0].Dataset
	}
	if target == nil {
		return train, sets, nil
	}
	own := target.ClassNames()
	if names == nil {
		if len(own) == 0 {
			return nil, nil, fmt.Errorf("dataset %s has no classes; give their names with --class-names FILE", target.Name())
		}
		return train, sets, nil
	}
	if len(own) != 0 && len(own) != len(names) {
		return nil, nil, fmt.Errorf("--class-names: %s holds %d class names, dataset %s has %d classes", path,
			len(names), target.Name(), len(own))
	}
	renamed := withClassNames(target, names)
	if train != nil {
		return renamed, sets, nil
	}
	sets = append([]wiseft.EvalSet{}, sets...)
	sets[0].Dataset = renamed
	return train, sets, nil
}

// withClassNames is ds with other class names (keeping a ClassSubset's classes).
func withClassNames(ds datasets.Dataset, names []string) datasets.Dataset {
	if sub, ok := ds.(datasets.ClassSubset); ok {
		return renamedSubset{renamedClasses{ds, names}, sub}
	}
	return renamedClasses{ds, names}
}

type renamedClasses struct {
	datasets.Dataset
	names []string
}

func (r renamedClasses) ClassNames() []string { return r.names }

type renamedSubset struct {
	renamedClasses
	sub datasets.ClassSubset
}

func (r renamedSubset) SubsetClasses() []int { return r.sub.SubsetClasses() }
