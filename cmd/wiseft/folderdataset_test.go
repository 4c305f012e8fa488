package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestFolderDatasetAbsolute: a relative DIR of --folder-dataset is recorded absolute (the results log's
// folder_datasets must name the folder read, whatever the working folder of whoever reads the log).
func TestFolderDatasetAbsolute(t *testing.T) {
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "mine"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	abs, err := filepath.Abs("mine") // the temporary folder may lie under a link: compare with what Abs says
	if err != nil {
		t.Fatal(err)
	}
	got, err := registerFolderDatasets([]string{"RelativeFolderTest=mine"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"RelativeFolderTest=" + abs}; !slices.Equal(got, want) || !filepath.IsAbs(abs) {
		t.Errorf("registered %v, want %v", got, want)
	}
}
