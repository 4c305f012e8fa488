package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	_ "github.com/gowiseft/wiseft/datasets/realdata" // the ImageNet family and CIFAR, by the paper's names
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/templates"
	"github.com/gowiseft/wiseft/world"
)

// resolveModel turns --model into a model: a path (Hugging Face folder or .safetensors file), or the name of a
// model that ships with the project ("wiseft-tiny", found in $WISEFT_MODELS, ./world/model or beside the binary).
func resolveModel(name string) (*clipmodel.Model, error) {
	path, err := resolveModelPath(name)
	if err != nil {
		return nil, err
	}
	return clipmodel.Load(path)
}

// resolveModelPath is the path --model names, without loading it (see resolveModel): the checks that need no
// weights come before any work.
func resolveModelPath(name string) (string, error) {
	if name == "" {
		return "", usagef("--model is required: a Hugging Face CLIP folder, a .safetensors file, or %q", world.TinyConfigName)
	}
	_, err := fileio.Stat(name)
	if err == nil {
		return name, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		// A symbolic-link loop, a permission: the path is there but cannot be followed, which is not "unknown".
		return "", fmt.Errorf("--model: %w", err)
	}
	if name == world.TinyConfigName {
		roots := []string{"."}
		if exe, err := os.Executable(); err == nil {
			roots = append(roots, filepath.Join(filepath.Dir(exe), ".."))
		}
		return world.FindShippedModel(roots...)
	}
	if _, err := clipmodel.ConfigByName(name); err == nil {
		return "", fmt.Errorf("%q names an architecture, not weights: give the path of a Hugging Face CLIP folder or "+
			"a .safetensors checkpoint (nothing is downloaded)", name)
	}
	return "", fmt.Errorf("model %s is neither a file nor a folder; known shipped models: %s; architectures "+
		"(need weights given by path): %s", quoteValue(name), world.TinyConfigName, strings.Join(clipmodel.ConfigNames(), ", "))
}

// openDataset opens a registered dataset; an unknown name lists the known ones.
func openDataset(name string, split datasets.Split, location string, seed uint64) (datasets.Dataset, error) {
	if err := knownDataset(name); err != nil {
		return nil, err
	}
	return datasets.Open(name, datasets.Options{Location: location, Split: split, Seed: seed})
}

// knownDataset refuses a name no dataset is registered under, listing the known ones.
func knownDataset(name string) error {
	if !slices.Contains(datasets.Names(), name) {
		return usagef("unknown dataset %s; known: %s", quoteValue(name), strings.Join(datasets.Names(), ", "))
	}
	return nil
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
	return knownTemplate(name)
}

// knownTemplate returns the template set called name; an unknown name lists the known ones.
func knownTemplate(name string) ([]string, error) {
	ts, err := templates.Get(name)
	if err != nil {
		return nil, usagef("unknown template set %s; known: %s", quoteValue(name), strings.Join(templates.Names(), ", "))
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
