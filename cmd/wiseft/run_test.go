package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// dataOrSkip returns the data folder, skipping the test when the shipped world's data is not installed (unless
// WISEFT_REQUIRE_DATA=1, as on CI, where a missing folder fails).
func dataOrSkip(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs("../../data")
	if _, err := os.Stat(filepath.Join(dir, "mnist")); err != nil {
		if os.Getenv("WISEFT_REQUIRE_DATA") == "1" {
			t.Fatalf("data missing (run scripts/setup.sh): %v", err)
		}
		t.Skipf("data missing: %v", err)
	}
	return dir
}

// TestRunMergePlotEndToEnd fine-tunes the fixture-sized CLIP on a few hundred MNIST images, sweeps three α, and
// checks the results log, the plots, a merge and a sweep of the saved classifiers.
func TestRunMergePlotEndToEnd(t *testing.T) {
	data := dataOrSkip(t)
	model := modelWithTokenizer(t)
	work := t.TempDir()
	save, db := filepath.Join(work, "run"), filepath.Join(work, "results.jsonl")
	stdout, stderr, code := run(t, "run", "--model", model, "--train-dataset", "MNIST",
		"--eval-datasets", "MNIST,MNIST-Inverted,UCIDigits", "--data-location", data, "--epochs", "1",
		"--batch-size", "32", "--lr", "1e-3", "--warmup-length", "2", "--train-limit", "256", "--eval-limit", "64",
		"--alpha", "0,0.5,1", "--save", save, "--results-db", db)
	if code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"MNIST-Inverted", "shifts", "α chosen on MNIST-Val", "plots:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, stdout)
		}
	}
	recs, warnings, err := results.Read(db)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("results: %v %v", err, warnings)
	}
	if len(recs) != 3 {
		t.Fatalf("%d result lines, want one per α (3)", len(recs))
	}
	for i, want := range []float64{0, 0.5, 1} {
		a, ok := recs[i].Alpha()
		if !ok || a != want {
			t.Errorf("line %d: alpha %v, want %v", i, a, want)
		}
		for _, ds := range []string{"MNIST", "MNIST-Inverted", "UCIDigits", "MNIST-Val"} {
			if v, ok := recs[i].Metric(ds, "top1"); !ok || v < 0 || v > 1 {
				t.Errorf("line %d: %s:top1 = %v, %v", i, ds, v, ok)
			}
		}
		if recs[i]["train_dataset"] != "MNIST" || recs[i]["lr"] != 1e-3 {
			t.Errorf("line %d does not carry the run's flags: %v", i, recs[i])
		}
	}
	// The paired comparison with the endpoints: in the log, and printed from the same values.
	if d, ok := recs[2]["MNIST:top1_vs_finetuned"].(float64); !ok || d != 0 {
		t.Errorf("α = 1 against the fine-tuned model: %v, want 0", recs[2]["MNIST:top1_vs_finetuned"])
	}
	diff, _ := recs[1]["MNIST:top1_vs_finetuned"].(float64)
	se, ok := recs[1]["MNIST:top1_vs_finetuned_se"].(float64)
	top1, _ := recs[1].Metric("MNIST", "top1")
	ftTop1, _ := recs[2].Metric("MNIST", "top1")
	if !ok || math.Abs(diff-(top1-ftTop1)) > 1e-12 || !(se > 0) {
		t.Errorf("α = 0.5 − FT on MNIST: %v ± %v; the top-1s differ by %v", diff, se, top1-ftTop1)
	}
	printed := wiseft.Difference{Diff: diff, SE: se}.String()
	for _, want := range []string{"MNIST − FT", "shifts − ZS", printed} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, stdout)
		}
	}
	for _, name := range []string{"average.png", "MNIST-Inverted.png", "UCIDigits.svg", "alpha.png"} {
		path := filepath.Join(save, "plots", name)
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("plot missing: %v", err)
		}
		if strings.HasSuffix(name, ".png") {
			if _, err := png.Decode(f); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
		f.Close()
	}

	// merge at α=0.5 is the element-wise mean of the two saved classifiers, head included.
	mid := filepath.Join(work, "mid")
	if _, stderr, code := run(t, "merge", "--out", mid, "--alpha", "0.5", filepath.Join(save, "zeroshot"), filepath.Join(save, "finetuned")); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	zs, err := clipmodel.Load(filepath.Join(save, "zeroshot"))
	if err != nil {
		t.Fatal(err)
	}
	ft, err := clipmodel.Load(filepath.Join(save, "finetuned"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := clipmodel.Load(mid)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for name, w := range m.Weights {
		a, b := zs.Weights[name], ft.Weights[name]
		for i := range w.Data {
			want := float32(0.5*float64(a.Data[i]) + 0.5*float64(b.Data[i]))
			if w.Data[i] != want {
				t.Fatalf("%s[%d] = %g, want the mean %g", name, i, w.Data[i], want)
			}
			if a.Data[i] != b.Data[i] {
				changed++
			}
		}
	}
	if changed == 0 {
		t.Fatal("fine-tuning changed no weight")
	}
	if _, ok := m.Weights["classification_head.weight"]; !ok {
		t.Fatal("the merged classifier lost its head")
	}

	// --load sweeps the saved pair without training; plot re-draws from the log.
	if _, stderr, code := run(t, "run", "--load", filepath.Join(save, "zeroshot")+","+filepath.Join(save, "finetuned"),
		"--train-dataset", "MNIST", "--eval-datasets", "MNIST,MNIST-Inverted", "--data-location", data,
		"--eval-limit", "32", "--alpha", "0.25", "--results-db", db); code != 0 {
		t.Fatalf("run --load: exit %d: %s", code, stderr)
	}
	if recs, _, _ := results.Read(db); len(recs) != 4 {
		t.Fatalf("%d lines after the second run, want 4 (appended)", len(recs))
	}
	// --fisher=compute merges with the Fisher information of both classifiers (estimated on a few examples).
	if _, stderr, code := run(t, "run", "--load", filepath.Join(save, "zeroshot")+","+filepath.Join(save, "finetuned"),
		"--train-dataset", "MNIST", "--eval-datasets", "MNIST,MNIST-Inverted", "--data-location", data,
		"--eval-limit", "16", "--alpha", "0.5", "--fisher", "compute", "--fisher-examples", "8", "--results-db", db); code != 0 {
		t.Fatalf("run --fisher compute: exit %d: %s", code, stderr)
	}
	if recs, _, _ := results.Read(db); len(recs) != 5 || recs[4]["fisher"] != "compute" {
		t.Fatalf("the Fisher sweep did not append its line: %d lines", len(recs))
	}
	plots := filepath.Join(work, "plots")
	if _, stderr, code := run(t, "plot", "--results-db", db, "--save", plots, "--id", "MNIST", "--shifts", "MNIST-Inverted"); code != 0 {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(plots, "MNIST-Inverted.svg")); err != nil {
		t.Fatal(err)
	}
}

func TestRunBadInputs(t *testing.T) {
	model := modelWithTokenizer(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown dataset", []string{"run", "--model", model, "--train-dataset", "NoSuchSet", "--eval-datasets", "MNIST", "--save", t.TempDir()}, "known:"},
		{"unknown template", []string{"run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--template", "nope", "--save", t.TempDir()}, "openai_imagenet_template"},
		{"unknown model", []string{"run", "--model", "ViT-Q/99", "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--save", t.TempDir()}, "ViT-B/32"},
		{"architecture without weights", []string{"run", "--model", "ViT-B/32", "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--save", t.TempDir()}, "path"},
		{"alpha outside [0,1]", []string{"run", "--load", "a,b", "--eval-datasets", "MNIST", "--alpha", "0,1.5"}, "--allow-extrapolation"},
		{"alpha not a number", []string{"run", "--load", "a,b", "--eval-datasets", "MNIST", "--alpha", "x"}, "not a number"},
		{"load takes one or two", []string{"run", "--load", "a,b,c", "--eval-datasets", "MNIST"}, "two folders"},
		{"merge mismatched", []string{"merge", "--out", t.TempDir(), "--alpha", "0.5", model, "../../clipmodel/testdata/clip/model.safetensors"}, ""},
		{"merge alpha", []string{"merge", "--out", t.TempDir(), "--alpha", "2", model, model}, "--allow-extrapolation"},
		{"plot missing log", []string{"plot", "--results-db", "/no/such.jsonl", "--save", t.TempDir()}, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := run(t, c.args...)
			if c.name == "merge mismatched" {
				// Both load (the second is the same fixture as a bare file), so the merge succeeds: not an error.
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				return
			}
			if code == 0 {
				t.Fatalf("exit 0: %s", stdout)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not mention %q", stderr, c.want)
			}
			if strings.Contains(stderr, "goroutine ") {
				t.Errorf("panic trace: %s", stderr)
			}
		})
	}
}

// TestDefaultShardsFollowTheBackend: without --shards, SimpleGo (GOMLX_BACKEND unset, empty or go:...) splits a
// batch over the CPUs and XLA keeps it whole for its devices.
func TestDefaultShardsFollowTheBackend(t *testing.T) {
	for config, want := range map[string]bool{"": true, "go": true, "go:ops_sequential": true,
		"xla:cuda": false, "xla": false, "stablehlo:cpu": false} {
		if got := simpleGoConfig(config); got != want {
			t.Errorf("simpleGoConfig(%q) = %v, want %v", config, got, want)
		}
	}
}
