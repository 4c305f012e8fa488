package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/wiseft"
)

// saveClassifier writes a classifier folder (see saveModelDir).
func saveClassifier(c *wiseft.Classifier, dir string) error { return saveModelDir(dir, c.Save) }

// saveModelDir writes a model folder with save, whole: assembled under a hidden name beside dir and swapped in by
// renaming the folder (atomicfile.WriteDir), never file by file, so a kill leaves either the old folder or the
// new one complete. Whether dir may be replaced at all is the command's decision (checkOutputs, before any work);
// as a last guard, a folder holding anything but a model's files is never replaced, since it would go with it.
func saveModelDir(dir string, save func(string) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, e := range entries {
		if !slices.Contains(modelFiles, e.Name()) {
			return fmt.Errorf("refusing to replace %s: it holds %s, which is not part of a model", dir, quoteValue(e.Name()))
		}
	}
	return atomicfile.WriteDir(dir, save)
}
