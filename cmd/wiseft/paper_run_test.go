package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// TestRunPaperFlags runs `wiseft run` with the paper's spellings on MNIST: underscore flags, a space-separated
// --alpha, --exp_name, per-epoch evaluation and both ensembles; then --load of one classifier, and the paper's
// defaults when flags are left out.
func TestRunPaperFlags(t *testing.T) {
	data := dataOrSkip(t)
	model := modelWithTokenizer(t)
	work := t.TempDir()
	save, db := filepath.Join(work, "run"), filepath.Join(work, "results.jsonl")
	stdout, stderr, code := run(t, "run", "--model", model, "--train_dataset", "MNIST", "--eval_datasets", "MNIST,MNIST-Inverted",
		"--data_location", data, "--epochs", "2", "--batch_size", "32", "--lr", "1e-3", "--warmup_length", "2",
		"--train_limit", "64", "--eval_limit", "32", "--alpha", "0", "0.5", "1.0", "--save", save, "--results_db", db,
		"--exp_name", "paper", "--eval_every_epoch", "--ensemble", "both")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"after epoch 1 (current_epoch 0):", "after epoch 2", "output-space ensemble"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 2 per-epoch lines and 3 sweep lines:\n%s", len(lines), raw)
	}
	for i, frag := range []string{`"alpha":[0.0,0.5,1.0]`, `"alpha":[0.0,0.5,1.0]`, `"alpha":0.0,`, `"alpha":0.5,`, `"alpha":1.0,`} {
		if !bytes.Contains(lines[i], []byte(frag)) {
			t.Errorf("line %d lacks %s: %s", i+1, frag, lines[i])
		}
	}
	recs, _, err := results.Read(db)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0, 1, 1, 1, 1} {
		r := recs[i]
		if r["current_epoch"] != want || r["exp_name"] != "paper" || r["classnames"] != "openai" || r["device"] != "cpu" ||
			r["warmup_length"] != 2.0 || r["batch_size"] != 32.0 {
			t.Errorf("line %d: current_epoch %v, exp_name %v, classnames %v, device %v, warmup %v, batch %v", i+1,
				r["current_epoch"], r["exp_name"], r["classnames"], r["device"], r["warmup_length"], r["batch_size"])
		}
	}
	for _, k := range []string{"MNIST:top1", "MNIST:output_ensemble_top1", "MNIST-Inverted:output_ensemble_top1", "MNIST-Val:top1"} {
		if _, ok := recs[3][k].(float64); !ok {
			t.Errorf("sweep line lacks %s", k)
		}
	}
	// The classifier after the last epoch is the fine-tuned one, evaluated on the same images.
	if recs[1]["MNIST:top1"] != recs[4]["MNIST:top1"] || recs[2]["MNIST:top1"] != recs[2]["MNIST:output_ensemble_top1"] {
		t.Errorf("epoch 2 MNIST %v, α=1 %v; α=0 weights %v, outputs %v", recs[1]["MNIST:top1"], recs[4]["MNIST:top1"],
			recs[2]["MNIST:top1"], recs[2]["MNIST:output_ensemble_top1"])
	}

	// --load of one classifier evaluates it: one line, α the run's list (the default 0.5), the same accuracy.
	if _, stderr, code := run(t, "run", "--load", filepath.Join(save, "finetuned"), "--eval-datasets", "MNIST",
		"--data-location", data, "--eval-limit", "32", "--results-db", db); code != 0 {
		t.Fatalf("run --load one: exit %d: %s", code, stderr)
	}
	// The paper's defaults where flags are not given.
	if _, stderr, code := run(t, "run", "--load", filepath.Join(save, "zeroshot")+","+filepath.Join(save, "finetuned"),
		"--eval-datasets", "MNIST", "--data-location", data, "--eval-limit", "8", "--results-db", db); code != 0 {
		t.Fatalf("run --load two: exit %d: %s", code, stderr)
	}
	recs, _, _ = results.Read(db)
	if len(recs) != 7 {
		t.Fatalf("%d lines, want 7", len(recs))
	}
	one, swept := recs[5], recs[6]
	if a, ok := one["alpha"].([]any); !ok || len(a) != 1 || a[0] != 0.5 || one["MNIST:top1"] != recs[4]["MNIST:top1"] {
		t.Errorf("--load one: alpha %v, MNIST %v (the sweep's α=1: %v)", one["alpha"], one["MNIST:top1"], recs[4]["MNIST:top1"])
	}
	if a, _ := swept.Alpha(); a != 0.5 {
		t.Errorf("default alpha %v", a)
	}
	// A sweep of loaded classifiers fine-tuned nothing: its line records no fine-tuning settings (issue 11: never
	// record what did not run); the paper's defaults are checked in --help below.
	for _, k := range []string{"batch_size", "lr", "epochs"} {
		if v, has := swept[k]; has {
			t.Errorf("a --load sweep records %s = %v", k, v)
		}
	}
	if _, has := swept["current_epoch"]; has {
		t.Error("a --load sweep carries current_epoch")
	}
	if _, stderr, code := run(t, "run", "--load", "a,b", "--eval-datasets", "MNIST", "--ensemble", "logits"); code != 2 ||
		!strings.Contains(stderr, "--ensemble") {
		t.Errorf("bad --ensemble: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, "run", "--load", "a,b", "--eval-datasets", "MNIST", "--classnames", "objectnet_classnames"); code != 2 ||
		!strings.Contains(stderr, "--class-names FILE") {
		t.Errorf("unsupported --classnames: exit %d, %s", code, stderr)
	}
	// --help lists the paper's flags (src/args.py) in the paper's spelling.
	help, _, code := run(t, "run", "--help")
	if code != 0 {
		t.Errorf("--help: exit %d", code)
	}
	for _, f := range []string{"--data-location", "--eval-datasets", "--train-dataset", "--template", "--classnames", "--alpha",
		"--exp_name", "--results-db", "--model", "--batch-size", "--lr", "--wd", "--ls", "--warmup_length", "--epochs", "--load",
		"--save", "--freeze-encoder", "--cache-dir", "--fisher", "--fisher_floor"} {
		if !strings.Contains(help, "\n  "+f+" ") && !strings.Contains(help, "\n  "+f+"  ") && !strings.Contains(help, "\n  "+f+"\n") {
			t.Errorf("--help does not list %s:\n%s", f, help)
		}
	}
	for _, d := range []string{"\tfine-tuning batch size (default 128)\n", "\tpeak learning rate (default 0.001)\n",
		"\tfine-tuning epochs (default 10)\n"} {
		if !strings.Contains(help, d) {
			t.Errorf("--help lacks the paper's default %q", d)
		}
	}
}
