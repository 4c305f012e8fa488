package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	_ "github.com/gowiseft/wiseft/datasets/realdata" // the ImageNet family and CIFAR, by the paper's names
	"github.com/gowiseft/wiseft/templates"
	"github.com/gowiseft/wiseft/world"
)

// resolveModel turns --model into a model: a path (Hugging Face folder or .safetensors file), or the name of a
// model that ships with the project ("wiseft-tiny", found in $WISEFT_MODELS, ./world/model or beside the binary).
func resolveModel(name string) (*clipmodel.Model, error) {
	if name == "" {
		return nil, usagef("--model is required: a Hugging Face CLIP folder, a .safetensors file, or %q", world.TinyConfigName)
	}
	if _, err := os.Stat(name); err == nil {
		return clipmodel.Load(name)
	}
	if name == world.TinyConfigName {
		roots := []string{"."}
		if exe, err := os.Executable(); err == nil {
			roots = append(roots, filepath.Join(filepath.Dir(exe), ".."))
		}
		dir, err := world.FindShippedModel(roots...)
		if err != nil {
			return nil, err
		}
		return clipmodel.Load(dir)
	}
	if _, err := clipmodel.ConfigByName(name); err == nil {
		return nil, fmt.Errorf("%q names an architecture, not weights: give the path of a Hugging Face CLIP folder or "+
			"a .safetensors checkpoint (nothing is downloaded)", name)
	}
	return nil, fmt.Errorf("model %q is neither a file nor a folder; known shipped models: %s; architectures "+
		"(need weights given by path): %s", name, world.TinyConfigName, strings.Join(clipmodel.ConfigNames(), ", "))
}

// openDataset opens a registered dataset; an unknown name lists the known ones.
func openDataset(name string, split datasets.Split, location string, seed uint64) (datasets.Dataset, error) {
	if !slices.Contains(datasets.Names(), name) {
		return nil, usagef("unknown dataset %q; known: %s", name, strings.Join(datasets.Names(), ", "))
	}
	return datasets.Open(name, datasets.Options{Location: location, Split: split, Seed: seed})
}

// resolveTemplates returns the template set named by --template; "" means the training dataset's own.
func resolveTemplates(name string, ds datasets.Dataset) ([]string, error) {
	if name == "" {
		if len(ds.Templates()) == 0 {
			return nil, fmt.Errorf("dataset %s has no templates of its own; choose one with --template (%s)",
				ds.Name(), strings.Join(templates.Names(), ", "))
		}
		return ds.Templates(), nil
	}
	ts, err := templates.Get(name)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return ts, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkRunFlags refuses, before any model or data is read, an unknown name among the datasets of a run
// (training, held-out, evaluation) and --resume with --load (which does not fine-tune).
func checkRunFlags(f runFlags) error {
	if f.resumeSet && f.load != "" {
		return usagef("--resume continues an interrupted fine-tuning; --load does not fine-tune")
	}
	if f.resultsDB != "" {
		// Checked before minutes of work: the results are only written at the end.
		if fi, err := os.Stat(f.resultsDB); err == nil && fi.IsDir() {
			return usagef("--results-db %s is a folder; give a file (JSON lines are appended to it)", f.resultsDB)
		}
		if err := os.MkdirAll(filepath.Dir(f.resultsDB), 0o755); err != nil {
			return fmt.Errorf("--results-db: %w", err)
		}
	}
	names := append([]string{f.trainDataset, f.heldOut}, splitList(f.evalDatasets)...)
	for _, name := range names {
		if name != "" && !slices.Contains(datasets.Names(), name) {
			return usagef("unknown dataset %q; known: %s", name, strings.Join(datasets.Names(), ", "))
		}
	}
	return nil
}
