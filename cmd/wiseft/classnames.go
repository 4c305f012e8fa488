package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/wiseft"
)

// readClassNames reads --class-names: one class name per line, in label order; blank lines and lines starting
// with '#' are skipped. An empty path gives nil (the datasets' own names).
//
// A name given twice is refused (two classes with one prompt cannot be told apart: the zero-shot head would have
// two equal rows), and so is a name longer than maxClassName bytes (named by its start and length).
func readClassNames(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := fileio.ReadFile(path, maxClassNamesFile)
	if err != nil {
		return nil, fmt.Errorf("--class-names: %w", err)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("--class-names: %s is not UTF-8 text", path)
	}
	var names []string
	lineOf := map[string]int{}
	n := 0
	for line := range strings.Lines(string(data)) {
		n++
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) > maxClassName {
			return nil, fmt.Errorf("--class-names: %s line %d is a name of %d bytes (%s), more than %d", path, n,
				len(line), quoteValue(line), maxClassName)
		}
		if first, dup := lineOf[line]; dup {
			return nil, fmt.Errorf("--class-names: %s names %s twice (lines %d and %d); each class needs its own name",
				path, quoteValue(line), first, n)
		}
		lineOf[line] = n
		names = append(names, line)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--class-names: %s holds no class names (one per line, in label order)", path)
	}
	return names, nil
}

// maxClassName bounds one class name (ImageNet's longest is 38 bytes), maxClassNamesFile the whole file.
const (
	maxClassName      = 1000
	maxClassNamesFile = 64 << 20
)

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
