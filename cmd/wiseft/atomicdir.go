package main

import (
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/internal/atomicfile"

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
	return atomicfile.WriteDir(dir, save)
}
