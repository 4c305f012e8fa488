package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/realdata"
)

// folderDatasetFlag is the repeatable --folder-dataset NAME=DIR of `wiseft run`.
type folderDatasetFlag []string

func (f *folderDatasetFlag) String() string { return strings.Join(*f, " ") }

func (f *folderDatasetFlag) Set(v string) error {
	*f = append(*f, v)
	return nil
}

// registerFolderDatasets registers each NAME=DIR of --folder-dataset as a dataset named NAME (realdata.SplitFolder:
// DIR/train and DIR/val in ImageNet's layout, ImageNet class names and templates when the folders are WordNet
// ids), so that --train-dataset, --eval-datasets and --held-out take NAME like any registered dataset. A name
// already registered, an empty name or one with a comma, and a DIR that is not a folder are refused. It returns
// the specs as NAME=DIR with DIR made absolute, for the results log (a relative DIR says nothing once the working
// folder is another).
func registerFolderDatasets(specs []string) ([]string, error) {
	var resolved []string
	for _, spec := range specs {
		name, dir, ok := strings.Cut(spec, "=")
		name, dir = strings.TrimSpace(name), strings.TrimSpace(dir)
		switch {
		case !ok || name == "" || dir == "":
			return nil, usagef("--folder-dataset: %s is not NAME=DIR", quoteValue(spec))
		case strings.ContainsAny(name, ", \t"):
			return nil, usagef("--folder-dataset: the name %s holds a comma or a space", quoteValue(name))
		case slices.Contains(datasets.Names(), name):
			return nil, usagef("--folder-dataset: %s is already a dataset's name", quoteValue(name))
		}
		dir = expandHome(dir)
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("--folder-dataset %s: %w", name, err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("--folder-dataset %s: %s is not a folder", name, quoteValue(dir))
		}
		datasets.Register(name, func(o datasets.Options) (datasets.Dataset, error) {
			return realdata.SplitFolder(name, dir, o.Split)
		})
		resolved = append(resolved, name+"="+dir)
	}
	return resolved, nil
}

// folderDatasetNames are the NAMEs of --folder-dataset NAME=DIR.
func folderDatasetNames(specs []string) []string {
	var names []string
	for _, spec := range specs {
		name, _, _ := strings.Cut(spec, "=")
		names = append(names, strings.TrimSpace(name))
	}
	return names
}
