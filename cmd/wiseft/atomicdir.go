package main

import (
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/wiseft"
)

// saveClassifier writes a classifier folder (see saveModelDir).
func saveClassifier(c *wiseft.Classifier, dir string) error { return saveModelDir(dir, c.Save) }

// saveModelDir writes a model folder with save. A folder that does not exist yet (or is empty) is written under a
// hidden temporary name beside it and renamed into place, so it appears complete or not at all. Into a folder
// that already holds files, save writes in place, each file replaced atomically (the folder may hold files of the
// user's, so it is never moved or removed).
func saveModelDir(dir string, save func(string) error) error {
	dir = filepath.Clean(dir)
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > 0 {
		return save(dir)
	}
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	existsEmpty := err == nil
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	// Temporary folders of an earlier writer that died are never read: remove them.
	if stale, _ := filepath.Glob(filepath.Join(parent, "."+filepath.Base(dir)+".partial-*")); len(stale) > 0 {
		for _, p := range stale {
			_ = os.RemoveAll(p)
		}
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := save(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if existsEmpty {
		_ = os.Remove(dir) // an empty folder: rename cannot replace it on every system
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	if d, err := os.Open(parent); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
