package main

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// TestRealSizeTiny runs scripts/real-size.sh --tiny, the CI configuration of the real-size flow (a random CLIP
// at tiny widths with CLIP's real tokenizer, generated ImageNet-layout JPEGs, `wiseft run` end to end), and
// checks what it leaves: one results line per α with a top-1 for both sets that is a count of the 6 images of
// each set, figures that decode as PNG, and a log with every phase's time and peak memory.
func TestRealSizeTiny(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	helper := filepath.Join(dir, "realsize")
	if out, err := exec.Command("go", "build", "-o", helper, "../../internal/cmd/realsize").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command("bash", "../../scripts/real-size.sh", "--tiny", "--out", out)
	cmd.Env = append(os.Environ(), "WISEFT_BIN="+binary, "REALSIZE_BIN="+helper)
	console, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, console)
	}
	recs, warnings, err := results.Read(filepath.Join(out, "results.jsonl"))
	if err != nil || len(warnings) > 0 || len(recs) != 3 {
		t.Fatalf("%d records, %v, %v", len(recs), warnings, err)
	}
	if fd, ok := recs[0]["folder_datasets"].([]any); !ok || len(fd) != 2 || !strings.HasPrefix(fd[0].(string), "RealSize=") {
		t.Errorf("folder_datasets = %v, want the two NAME=DIR", recs[0]["folder_datasets"])
	}
	for i, want := range []float64{0, 0.5, 1} {
		if a, ok := recs[i].Alpha(); !ok || a != want {
			t.Errorf("line %d: α %v, want %v", i+1, recs[i]["alpha"], want)
		}
		for _, set := range []string{"RealSize", "RealSizeSketch"} {
			top1, ok := recs[i].Top1(set)
			// 3 classes × 2 images: the accuracy is k/6.
			if k := top1 * 6; !ok || k < 0 || k > 6 || math.Abs(k-math.Round(k)) > 1e-9 {
				t.Errorf("line %d: %s:top1 = %v, want k/6", i+1, set, recs[i][set+":top1"])
			}
		}
	}
	for _, name := range []string{"alpha.png", "average.png", "RealSizeSketch.png"} {
		data, err := os.ReadFile(filepath.Join(out, "run", "plots", name))
		if err != nil {
			t.Fatal(err)
		}
		if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Empty() {
			t.Errorf("%s: %v", name, err)
		}
	}
	log, err := os.ReadFile(filepath.Join(out, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"model", "images", "run", "check"} {
		if !strings.Contains(string(log), "phase "+p+": ") {
			t.Errorf("log has no line for phase %s:\n%s", p, log)
		}
	}
	if _, err := os.Stat("/usr/bin/time"); err == nil && !strings.Contains(string(log), "peak RSS") {
		t.Errorf("log has no peak RSS:\n%s", log)
	}
	for _, line := range []string{"zero-shot head: 3 classes × 80 templates", "fine-tuned 1 epochs on 6 images of RealSize", "sweep: 3 α × 2 sets"} {
		if !strings.Contains(string(log), line) {
			t.Errorf("log has no %q:\n%s", line, log)
		}
	}
	// The summary at the end repeats the run's phase lines.
	_, summary, _ := strings.Cut(string(log), "\nsummary (")
	for _, line := range []string{"  run: zero-shot head: 3 classes", "  run: ft: fine-tuned 1 epochs on 6 images of RealSize", "  run: sweep: 3 α × 2 sets"} {
		if !strings.Contains(summary, line) {
			t.Errorf("the summary has no %q:\n%s", line, summary)
		}
	}
	realSizeRefusals(t, out, cmd.Env)
}

// realSizeRefusals: scripts/real-size.sh replaces only an earlier run of its own, and only with --overwrite; a
// folder holding a file of the user's, or one it did not mark, is refused untouched; --out without a folder is a
// usage error (exit 2).
func realSizeRefusals(t *testing.T, earlier string, env []string) {
	script := func(args ...string) (string, int) {
		cmd := exec.Command("bash", append([]string{"../../scripts/real-size.sh", "--tiny"}, args...)...)
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	user := t.TempDir()
	mine := filepath.Join(user, "thesis.tex")
	if err := os.WriteFile(mine, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--out", earlier}, 1, "holds an earlier run: pass --overwrite"},
		{[]string{"--out", user, "--overwrite"}, 1, "is not a real-size run's folder"},
		{[]string{"--out"}, 2, "--out needs a folder; usage: scripts/real-size.sh"},
		{[]string{"--out", "--overwrite"}, 2, "--out needs a folder"},
	} {
		if out, code := script(c.args...); code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("real-size.sh %v: exit %d, %q; want exit %d and %q", c.args, code, out, c.code, c.want)
		}
	}
	marked := filepath.Join(earlier, "thesis.tex") // an earlier run's folder the user has since put a file in
	if err := os.WriteFile(marked, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := script("--out", earlier, "--overwrite"); code != 1 || !strings.Contains(out, "holds thesis.tex, which this script did not write") {
		t.Errorf("--overwrite over a run folder holding a user's file: exit %d, %q", code, out)
	}
	for _, f := range []string{mine, marked, filepath.Join(earlier, "results.jsonl")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("a refused run removed %s: %v", f, err)
		}
	}
	if err := os.Remove(marked); err != nil {
		t.Fatal(err)
	}
	if out, code := script("--out", earlier, "--overwrite"); code != 0 || !strings.Contains(out, "real-size: done") {
		t.Errorf("--overwrite over an earlier run: exit %d, %q", code, out)
	}
	if recs, _, err := results.Read(filepath.Join(earlier, "results.jsonl")); err != nil || len(recs) != 3 {
		t.Errorf("after --overwrite: %d records (want the new run's 3, not appended to the old), %v", len(recs), err)
	}
}

// TestFolderDatasetFlag: --folder-dataset refuses what is not NAME=DIR, a registered name and a missing folder,
// each with one line and a non-zero exit, before any work.
func TestFolderDatasetFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ spec, want string }{
		{"nodir", "is not NAME=DIR"},
		{"=x", "is not NAME=DIR"},
		{"a,b=" + t.TempDir(), "comma"},
		{"MNIST=" + t.TempDir(), "already a dataset's name"},
		{"X=" + filepath.Join(t.TempDir(), "missing"), "no such file"},
		{"X=" + file, "is not a folder"},
	} {
		_, stderr, code := run(t, "run", "--model", "wiseft-tiny", "--folder-dataset", c.spec, "--train-dataset", "MNIST",
			"--eval-datasets", "MNIST", "--save", t.TempDir())
		if code == 0 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", c.spec, code, stderr, c.want)
		}
	}
}

// TestGPUCheckRefuses: scripts/gpu-check.sh refuses arguments it does not know (all of them, not only the
// first) with a usage line and exit 2, and an OUT holding files it did not write with exit 1, before it builds,
// unpacks or writes anything.
func TestGPUCheckRefuses(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	user := t.TempDir()
	mine := filepath.Join(user, "notes.txt")
	if err := os.WriteFile(mine, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "out")
	for _, c := range []struct {
		args []string
		out  string
		code int
		want string
	}{
		{[]string{"--dry-run", "--bogus"}, fresh, 2, "one argument at most, got 2: --dry-run --bogus; usage:"},
		{[]string{"--bogus"}, fresh, 2, "unknown argument --bogus; usage:"},
		{[]string{"--dry-run"}, user, 1, "holds files and is not an earlier gpu-check's folder"},
		{[]string{"--dry-run"}, mine, 1, "exists and is not a folder"},
	} {
		cmd := exec.Command("bash", append([]string{"../../scripts/gpu-check.sh"}, c.args...)...)
		cmd.Env = append(os.Environ(), "OUT="+c.out)
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != c.code || !strings.Contains(string(out), c.want) {
			t.Errorf("gpu-check.sh %v (OUT=%s): exit %d, %q; want exit %d and %q", c.args, c.out, code, out, c.code, c.want)
		}
	}
	if entries, _ := os.ReadDir(user); len(entries) != 1 {
		t.Errorf("a refused gpu-check wrote into the user's folder: %v", entries)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Errorf("a refused gpu-check made %s", fresh)
	}
}
