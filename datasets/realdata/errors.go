package realdata

import (
	"fmt"
	"os"

	"github.com/gowiseft/wiseft/datasets"
)

// LayoutError reports a data folder or file that exists but is not laid out as the dataset expects.
type LayoutError struct {
	// Dataset is the dataset being opened.
	Dataset string
	// Path is the folder or file at fault.
	Path string
	// Problem says what is wrong there.
	Problem string
	// Expected describes the layout the loader reads.
	Expected string
}

// Error says what is wrong where, and what was expected.
func (e *LayoutError) Error() string {
	return fmt.Sprintf("datasets: %s: %s: %s (expected %s)", e.Dataset, e.Path, e.Problem, e.Expected)
}

// missing returns the error for a missing file or folder; its errors.Is matches fs.ErrNotExist.
func missing(dataset, path, expected string) error {
	return &datasets.MissingFileError{Dataset: dataset, Path: path, Step: "expected " + expected}
}

// requireDir checks that path is a directory, giving a MissingFileError or LayoutError otherwise.
func requireDir(dataset, path, expected string) error {
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return missing(dataset, path, expected)
		}
		return fmt.Errorf("datasets: %s: %w", dataset, err)
	}
	if !st.IsDir() {
		return &LayoutError{Dataset: dataset, Path: path, Problem: "not a folder", Expected: expected}
	}
	return nil
}

// requireFile checks that path is a regular file, giving a MissingFileError or LayoutError otherwise.
func requireFile(dataset, path, expected string) error {
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return missing(dataset, path, expected)
		}
		return fmt.Errorf("datasets: %s: %w", dataset, err)
	}
	if st.IsDir() {
		return &LayoutError{Dataset: dataset, Path: path, Problem: "is a folder, not a file", Expected: expected}
	}
	return nil
}

// withDefaults fills empty options as datasets.Open does, for the exported constructors called directly:
// Location from $WISEFT_DATA or datasets.DefaultLocation, Split Test.
func withDefaults(o datasets.Options) datasets.Options {
	if o.Location == "" {
		o.Location = os.Getenv(datasets.LocationEnv)
		if o.Location == "" {
			o.Location = datasets.DefaultLocation
		}
	}
	if o.Split == "" {
		o.Split = datasets.Test
	}
	return o
}

// evalOnly returns an error unless split is the evaluation split.
func evalOnly(name string, split datasets.Split) error {
	if split != datasets.Test {
		return fmt.Errorf("datasets: %s has only an evaluation split (Split %q), not %q", name, datasets.Test, split)
	}
	return nil
}

// checkSplit returns an error for a split other than Train and Test.
func checkSplit(name string, split datasets.Split) error {
	if split != datasets.Train && split != datasets.Test {
		return fmt.Errorf("datasets: %s: unknown split %q (want %q or %q)", name, split, datasets.Train, datasets.Test)
	}
	return nil
}
