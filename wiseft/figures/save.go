package figures

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// SaveAll draws the [Scatter] figures and writes them to dir, creating
// it if needed: <shift>.svg and <shift>.png for each shift dataset, then
// average.svg and average.png. Each file is written atomically. It
// returns the paths written, in that order.
//
//	files, err := figures.SaveAll(curves, "ImageNet", []string{"ImageNetV2", "ImageNetSketch"}, "plots")
func SaveAll(curves []results.Curve, idDataset string, shiftDatasets []string, dir string, opts ...Option) ([]string, error) {
	figs, err := Scatter(curves, idDataset, shiftDatasets, opts...)
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for _, f := range figs {
		base := FileName(f.Name)
		if prev, dup := seen[base]; dup {
			return nil, fmt.Errorf("plot: figures %q and %q would both be written to %s.svg", prev, f.Name, base)
		}
		seen[base] = f.Name
	}
	var paths []string
	for _, f := range figs {
		ps, err := f.Save(dir)
		paths = append(paths, ps...)
		if err != nil {
			return paths, err
		}
	}
	return paths, nil
}

// WriteFileAtomic writes data to dir/name so that readers see either the
// old file or the whole new one: it writes a temporary file in dir,
// fsyncs it, renames it over dir/name and fsyncs dir. It creates dir if
// needed and returns the path written; the file's mode is 0644.
func WriteFileAtomic(dir, name string, data []byte) (path string, err error) {
	path = filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("plot: %w", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return "", fmt.Errorf("plot: %w", err)
	}
	return path, nil
}
