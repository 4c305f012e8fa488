package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// TestMethodsEndToEnd runs the methods of issue 17 through the binary on a few MNIST images: run --method lp-ft
// and flyp (each swept in α, the log naming the method), merge --mode model-stock of the two endpoints and merge
// --layer-alphas (both against the library), the Model Stock model swept with --load, and plot --group-by method.
func TestMethodsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("fine-tunes twice (seconds)")
	}
	data := dataOrSkip(t)
	model := modelWithTokenizer(t)
	work := t.TempDir()
	db := filepath.Join(work, "results.jsonl")
	common := []string{"--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST,MNIST-Inverted",
		"--data-location", data, "--epochs", "1", "--batch-size", "32", "--lr", "1e-3", "--warmup-length", "1",
		"--train-limit", "64", "--eval-limit", "32", "--alpha", "0,0.5,1", "--results-db", db}
	saves := map[string]string{}
	for _, method := range []string{"lp-ft", "flyp"} {
		save := filepath.Join(work, method)
		saves[method] = save
		args := append([]string{"run", "--method", method, "--save", save}, common...)
		if method == "lp-ft" {
			args = append(args, "--probe-epochs", "2")
		}
		stdout, stderr, code := run(t, args...)
		if code != 0 {
			t.Fatalf("run --method %s: exit %d\n%s\n%s", method, code, stdout, stderr)
		}
		if !strings.Contains(stderr, method+": fine-tuned 1 epochs") {
			t.Errorf("run --method %s does not say the method:\n%s", method, stderr)
		}
	}
	// The lp-ft checkpoint resumes with the same flags (no step left), and not as another method or probe.
	lpArgs := append([]string{"run", "--method", "lp-ft", "--save", saves["lp-ft"], "--probe-epochs", "2"}, common...)
	lpArgs = slices.DeleteFunc(lpArgs, func(a string) bool { return a == "--results-db" || a == db })
	if _, stderr, code := run(t, append(lpArgs, "--resume")...); code != 0 || !strings.Contains(stderr, "resuming from") {
		t.Errorf("lp-ft --resume with its own flags: exit %d:\n%s", code, stderr)
	}
	lpArgs[2] = "ft"
	if _, stderr, code := run(t, append(slices.Delete(lpArgs, 5, 7), "--resume")...); code != 2 ||
		!strings.Contains(stderr, "method ft, the checkpoint's lp-ft") || strings.Contains(stderr, "zero-shot head") {
		t.Errorf("ft --resume of an lp-ft checkpoint: exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(saves["lp-ft"], "probe", clipmodel.WeightsFile)); err != nil {
		t.Errorf("LP-FT's probe is not saved: %v", err)
	}
	recs, _, err := results.Read(db)
	if err != nil || len(recs) != 6 {
		t.Fatalf("%d results lines (%v), want 3 per method", len(recs), err)
	}
	for i, r := range recs {
		want := "lp-ft"
		if i >= 3 {
			want = "flyp"
		}
		if r["method"] != want {
			t.Errorf("line %d: method %v, want %s", i, r["method"], want)
		}
	}
	if recs[0]["probe_epochs"] != float64(2) || recs[3]["probe_epochs"] != nil {
		t.Errorf("probe_epochs: %v, %v", recs[0]["probe_epochs"], recs[3]["probe_epochs"])
	}

	// Model Stock of the two fine-tuned endpoints, against the library.
	zsDir := filepath.Join(saves["lp-ft"], "zeroshot")
	ft1, ft2 := filepath.Join(saves["lp-ft"], "finetuned"), filepath.Join(saves["flyp"], "finetuned")
	stock := filepath.Join(work, "stock")
	stdout, stderr, code := run(t, "merge", "--mode", "model-stock", "--out", stock, zsDir, ft1, ft2)
	if code != 0 {
		t.Fatalf("merge --mode model-stock: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "model stock ratio t per block") || !strings.Contains(stdout, "visual projection") {
		t.Errorf("merge --mode model-stock output:\n%s", stdout)
	}
	load := func(p string) clipmodel.Weights {
		m, err := clipmodel.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		return m.Weights
	}
	want, _, err := wiseft.ModelStock(load(zsDir), []clipmodel.Weights{load(ft1), load(ft2)})
	if err != nil {
		t.Fatal(err)
	}
	if d := cliSameBits(load(stock), want); d != "" {
		t.Errorf("merge --mode model-stock differs from ModelStock: %s", d)
	}

	// A layer-wise profile, against the library; all equal is --alpha's merge.
	layered := filepath.Join(work, "layered")
	profile := "vision embeddings=0,visual projection=0.8,head=1,*=0.4"
	if _, stderr, code := run(t, "merge", "--layer-alphas", profile, "--out", layered, zsDir, ft1); code != 0 {
		t.Fatalf("merge --layer-alphas: exit %d: %s", code, stderr)
	}
	p, _ := wiseft.ParseLayerAlphas(profile)
	if want, err = wiseft.InterpolateLayers(load(zsDir), load(ft1), p); err != nil {
		t.Fatal(err)
	}
	if d := cliSameBits(load(layered), want); d != "" {
		t.Errorf("merge --layer-alphas differs from InterpolateLayers: %s", d)
	}
	equal, plain := filepath.Join(work, "equal"), filepath.Join(work, "plain")
	if _, stderr, code := run(t, "merge", "--layer-alphas", "*=0.3", "--out", equal, zsDir, ft1); code != 0 {
		t.Fatalf("merge --layer-alphas *=0.3: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "merge", "--alpha", "0.3", "--out", plain, zsDir, ft1); code != 0 {
		t.Fatalf("merge --alpha 0.3: exit %d: %s", code, stderr)
	}
	if d := cliSameBits(load(equal), load(plain)); d != "" {
		t.Errorf("--layer-alphas *=0.3 differs from --alpha 0.3: %s", d)
	}

	// The Model Stock endpoint swept in α against zero-shot, named in the log; one curve per method.
	if _, stderr, code := run(t, "run", "--load", zsDir+","+stock, "--method", "model-stock", "--train-dataset", "MNIST",
		"--eval-datasets", "MNIST,MNIST-Inverted", "--data-location", data, "--eval-limit", "32", "--alpha", "0,0.5,1",
		"--results-db", db); code != 0 {
		t.Fatalf("run --load --method model-stock: exit %d: %s", code, stderr)
	}
	recs, _, _ = results.Read(db)
	if len(recs) != 9 || recs[8]["method"] != "model-stock" {
		t.Fatalf("%d lines; the last names %v", len(recs), recs[len(recs)-1]["method"])
	}
	curves, err := results.Curves(recs, "method")
	if err != nil || len(curves) != 3 {
		t.Fatalf("%d curves by method (%v), want 3", len(curves), err)
	}
	plots := filepath.Join(work, "plots")
	if _, stderr, code := run(t, "plot", "--results-db", db, "--save", plots, "--group-by", "method"); code != 0 {
		t.Fatalf("plot --group-by method: exit %d: %s", code, stderr)
	}
	svg, err := os.ReadFile(filepath.Join(plots, "MNIST-Inverted.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"lp-ft", "flyp", "model-stock"} {
		if !strings.Contains(string(svg), m) {
			t.Errorf("the figure has no curve labelled %s", m)
		}
	}
}

// cliSameBits reports the first tensor where a and b differ in bits, or "".
func cliSameBits(a, b clipmodel.Weights) string {
	if len(a) != len(b) {
		return "different tensor counts"
	}
	for name, t := range a {
		u := b[name]
		if u == nil || len(u.Data) != len(t.Data) {
			return name + " missing or resized"
		}
		for i := range t.Data {
			if math.Float32bits(t.Data[i]) != math.Float32bits(u.Data[i]) {
				return name
			}
		}
	}
	return ""
}
