package widgets

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
)

// CachedClassifier returns the classifier saved in dir (wiseft.LoadClassifier) if there is one, and otherwise
// makes it with make and saves it there. Every GoNB cell runs as a program of its own, so a classifier one cell
// fine-tunes reaches the next through a folder; use a WorkDir keyed by the settings so that other settings never
// read this one.
//
//	ft := widgets.Must(widgets.CachedClassifier(filepath.Join(dir, "finetuned"), names, func() (*wiseft.Classifier, error) {
//		return wiseft.FineTune(ctx, zs, train, cfg, run)
//	}))
func CachedClassifier(dir string, classNames []string, make func() (*wiseft.Classifier, error)) (*wiseft.Classifier, error) {
	if _, err := os.Stat(filepath.Join(dir, clipmodel.WeightsFile)); err == nil {
		return wiseft.LoadClassifier(dir, classNames)
	}
	c, err := make()
	if err != nil {
		return nil, err
	}
	if err := c.Save(dir); err != nil {
		return nil, fmt.Errorf("widgets: saving the classifier to %s: %w", dir, err)
	}
	return c, nil
}

// ClassifierSaved reports whether dir holds a saved classifier (what CachedClassifier would load).
func ClassifierSaved(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, clipmodel.WeightsFile))
	return err == nil
}

// Cached returns the value saved at path (gob-encoded) if there is one, and otherwise runs make and saves its
// result there, atomically. It carries results from one notebook cell to the next.
//
//	path := filepath.Join(dir, "path.gob")
//	points := widgets.Must(widgets.Cached(path, func() ([]widgets.PathPoint, error) { ... }))
func Cached[T any](path string, make func() (T, error)) (T, error) {
	if data, err := os.ReadFile(path); err == nil {
		var v T
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&v); err != nil {
			return v, fmt.Errorf("widgets: %s: %w", path, err)
		}
		return v, nil
	}
	v, err := make()
	if err != nil {
		return v, err
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return v, fmt.Errorf("widgets: encoding %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return v, err
	}
	_, err = figures.WriteFileAtomic(filepath.Dir(path), filepath.Base(path), buf.Bytes())
	return v, err
}

// CachedSweep is Cached for sweep results (every metric, confusion matrices included).
func CachedSweep(path string, make func() (*wiseft.SweepResult, error)) (*wiseft.SweepResult, error) {
	return Cached(path, make)
}

// LoadSweep reads a sweep result saved by CachedSweep.
func LoadSweep(path string) (*wiseft.SweepResult, error) {
	return Cached(path, func() (*wiseft.SweepResult, error) {
		return nil, fmt.Errorf("widgets: no saved sweep at %s (run the cell that makes it first)", path)
	})
}
