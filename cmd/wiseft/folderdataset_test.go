package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
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

// TestRunSkipsUnreadableTrainingImages: a corrupt and an empty training image are left out of fine-tuning as
// evaluation leaves such images out, counted on standard error and in the results log's train_skipped (once per
// epoch each), instead of stopping the run mid fine-tune.
func TestRunSkipsUnreadableTrainingImages(t *testing.T) {
	dir := t.TempDir()
	for k, f := range []string{"train/a/1.png", "train/a/2.png", "train/b/3.png", "train/b/4.png", "val/a/5.png", "val/b/6.png"} {
		writeTestImage(t, filepath.Join(dir, f), k)
	}
	writeFile(t, filepath.Join(dir, "train", "a", "corrupt.png"), "not a png at all")
	writeFile(t, filepath.Join(dir, "train", "b", "empty.jpg"), "")
	out := t.TempDir()
	db := filepath.Join(out, "results.jsonl")
	_, stderr, code := run(t, "run", "--model", modelWithTokenizer(t), "--folder-dataset", "Mine="+dir,
		"--train-dataset", "Mine", "--eval-datasets", "Mine", "--epochs", "2", "--batch-size", "3", "--lr", "1e-5",
		"--alpha", "0,1", "--progress-every", "0", "--save", filepath.Join(out, "run"), "--results-db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "Mine (training): 4 unreadable examples skipped (first: Mine example ") {
		t.Errorf("stderr %q: want the 2 unreadable images × 2 epochs counted", stderr)
	}
	recs, _, err := results.Read(db)
	if err != nil || len(recs) == 0 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if got, ok := recs[0]["train_skipped"].(float64); !ok || got != 4 {
		t.Errorf("train_skipped = %v, want 4", recs[0]["train_skipped"])
	}
}
