package main

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The same seed gives the same JPEG bytes; the sides lie in [min, max]; another seed gives other images.
func TestImagesDeterministic(t *testing.T) {
	write := func(seed string) string {
		dir := filepath.Join(t.TempDir(), "d")
		if err := runImages([]string{"--out", dir, "--classes", "2", "--train", "2", "--val", "1", "--min", "50", "--max", "90", "--seed", seed}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b, c := write("3"), write("3"), write("4")
	files, _ := filepath.Glob(filepath.Join(a, "*", "*", "*", "*.JPEG"))
	sketches, _ := filepath.Glob(filepath.Join(a, "sketch", "*", "*.JPEG"))
	if len(files) != 6 || len(sketches) != 2 {
		t.Fatalf("%d imagenet files, %d sketches", len(files), len(sketches))
	}
	differ := false
	for _, f := range append(files, sketches...) {
		rel, _ := filepath.Rel(a, f)
		x, _ := os.ReadFile(f)
		y, _ := os.ReadFile(filepath.Join(b, rel))
		z, _ := os.ReadFile(filepath.Join(c, rel))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", rel)
		}
		differ = differ || !bytes.Equal(x, z)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(x))
		if err != nil || min(cfg.Width, cfg.Height) < 16 || max(cfg.Width, cfg.Height) > 90 || max(cfg.Width, cfg.Height) < 50 {
			t.Errorf("%s: %dx%d, %v", rel, cfg.Width, cfg.Height, err)
		}
	}
	if !differ {
		t.Error("another seed gave the same images")
	}
}

// goTests reads each top-level test's outcome and first log line from a verbose test log.
func TestGoTests(t *testing.T) {
	log := `=== RUN   TestA
    a_test.go:10: first line
    a_test.go:11: second line
--- PASS: TestA (0.01s)
=== RUN   TestB
=== RUN   TestB/sub
    b_test.go:3: skipped: no plugin
--- SKIP: TestB (0.00s)
    --- SKIP: TestB/sub (0.00s)
=== RUN   TestC
--- FAIL: TestC (0.00s)
FAIL
`
	got := goTests(log)
	want := []test{{"TestC", "FAIL", ""}, {"TestA", "PASS", "a_test.go:10: first line"}, {"TestB", "SKIP", "b_test.go:3: skipped: no plugin"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
