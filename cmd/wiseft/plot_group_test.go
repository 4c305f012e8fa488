package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPlotGroupByMethodAndOverwrite: records written before methods were recorded group as method ft (the curve
// is "ft", not "method unset"); a second plot with --overwrite into the same folder removes the first one's
// figures it does not write again (alpha-ft, alpha-lp-ft beside the new alpha), and no other file.
func TestPlotGroupByMethodAndOverwrite(t *testing.T) {
	work := t.TempDir()
	line := func(method string, alpha, id, shift float64) string {
		m := ""
		if method != "" {
			m = `"method":"` + method + `",`
		}
		return `{` + m + `"alpha":` + strconv.FormatFloat(alpha, 'g', -1, 64) + `,"eval_datasets":["MNIST","MNIST-Inverted"],"MNIST:top1":` +
			strconv.FormatFloat(id, 'g', -1, 64) + `,"MNIST-Inverted:top1":` + strconv.FormatFloat(shift, 'g', -1, 64) + "}\n"
	}
	mixed := writeFile(t, filepath.Join(work, "mixed.jsonl"),
		line("", 0, 0.5, 0.4)+line("", 1, 0.9, 0.3)+line("lp-ft", 0, 0.5, 0.4)+line("lp-ft", 1, 0.92, 0.35))
	lpft := writeFile(t, filepath.Join(work, "lpft.jsonl"), line("lp-ft", 0, 0.5, 0.4)+line("lp-ft", 1, 0.92, 0.35))
	figs := filepath.Join(work, "figs")

	if _, stderr, code := run(t, "plot", "--results-db", mixed, "--save", figs, "--group-by", "method"); code != 0 {
		t.Fatalf("plot --group-by method: exit %d: %s", code, stderr)
	}
	for _, name := range []string{"alpha-ft.svg", "alpha-lp-ft.svg", "alpha-ft.png", "MNIST-Inverted.svg"} {
		if _, err := os.Stat(filepath.Join(figs, name)); err != nil {
			t.Errorf("the first plot did not write %s: %v", name, err)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(figs, "MNIST-Inverted.svg"))
	if strings.Contains(string(svg), "unset") {
		t.Errorf("a curve of records without a method is labelled unset")
	}
	mine := []string{"mine.svg", "notes.txt", "alpha-notes.txt"}
	for _, name := range mine {
		writeFile(t, filepath.Join(figs, name), "the user's")
	}

	if _, stderr, code := run(t, "plot", "--results-db", lpft, "--save", figs, "--group-by", "method", "--overwrite"); code != 0 {
		t.Fatalf("plot --overwrite: exit %d: %s", code, stderr)
	}
	for _, name := range []string{"alpha-ft.svg", "alpha-ft.png", "alpha-lp-ft.svg", "alpha-lp-ft.png"} {
		if _, err := os.Stat(filepath.Join(figs, name)); !os.IsNotExist(err) {
			t.Errorf("the earlier plot's %s is still there (%v)", name, err)
		}
	}
	for _, name := range append([]string{"alpha.svg", "alpha.png", "MNIST-Inverted.svg", "average.png"}, mine...) {
		if _, err := os.Stat(filepath.Join(figs, name)); err != nil {
			t.Errorf("%s is gone: %v", name, err)
		}
	}
}
