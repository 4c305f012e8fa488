package datasets

import (
	"fmt"
	"io/fs"
)

// MissingFileError reports a data file that is not there, and the set-up step that provides it.
// It matches fs.ErrNotExist with errors.Is, so callers (and tests) can tell missing data from broken data.
type MissingFileError struct {
	// Dataset is the dataset that needs the file.
	Dataset string
	// Path is the file looked for (the first candidate, when several places are tried).
	Path string
	// Step says how to get the file.
	Step string
}

// Error says which file is missing and how to get it.
func (e *MissingFileError) Error() string {
	return fmt.Sprintf("datasets: %s: missing file %s (%s)", e.Dataset, e.Path, e.Step)
}

// Unwrap returns fs.ErrNotExist.
func (e *MissingFileError) Unwrap() error { return fs.ErrNotExist }

// indexError is the error of Example for an index out of range.
func indexError(name string, i, n int) error {
	return fmt.Errorf("datasets: %s: index %d out of range [0, %d)", name, i, n)
}
