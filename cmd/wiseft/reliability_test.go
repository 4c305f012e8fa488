//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/filelock"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// oneErrorLine fails the test unless stderr is exactly one line containing want.
func oneErrorLine(t *testing.T, stderr, want string) {
	t.Helper()
	line := strings.TrimSuffix(stderr, "\n")
	if line == "" || strings.Contains(line, "\n") || !strings.Contains(line, want) {
		t.Errorf("standard error %q: want one line containing %q", stderr, want)
	}
}

// A standard output that cannot be written (>/dev/full) is a failure with one line, not exit 0 with the results
// lost.
func TestUnwritableStdoutFails(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	model := modelWithTokenizer(t)
	cases := [][]string{
		{"embed", "--model", model, "--text", "a cat", "a dog"},
		{"tokenize", "--model", model, "a photo of a cat."},
		{"run", "--help"},
		{"--help"},
	}
	if data, err := filepath.Abs("../../data"); err == nil {
		if _, err := os.Stat(filepath.Join(data, "mnist")); err == nil {
			cases = append(cases, []string{"run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST",
				"--data-location", data, "--epochs", "1", "--batch-size", "16", "--train-limit", "32", "--eval-limit", "16",
				"--alpha", "0,1", "--save", filepath.Join(t.TempDir(), "run")})
		}
	}
	for _, args := range cases {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			cmd := exec.Command(binary, args...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = full, &stderr
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 1 {
				t.Fatalf("%v: exit %v, want 1; stderr %s", args, err, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, "no space left on device") {
				t.Errorf("last line %q does not say why", last)
			}
		})
	}
}

// Two runs with the same --save: the second is refused with one line naming the first one's pid, and the first
// one's lock (here held by this test process) is left alone.
func TestSecondRunOnTheSameSaveIsRefused(t *testing.T) {
	model := modelWithTokenizer(t)
	save := filepath.Join(t.TempDir(), "run")
	lock, err := filelock.Folder(save, "--save")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	_, stderr, code := run(t, "run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--save", save)
	if code == 0 {
		t.Fatal("a second run on a locked --save started")
	}
	oneErrorLine(t, stderr, "is in use by another wiseft (pid "+strconv.Itoa(os.Getpid())+")")
	if b, err := os.ReadFile(filepath.Join(save, filelock.FolderLockName)); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("the first run's lock file was touched: %q, %v", b, err)
	}
}

// runAsOtherUser runs the binary as user nobody when the tests run as root (root reads and writes everything,
// so permissions can only be seen from another user), and as this user otherwise.
func runAsOtherUser(t *testing.T, args ...string) (stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var e bytes.Buffer
	cmd.Stderr = &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return e.String(), 0
}

// sharedDir is a folder every user can enter, holding a copy of the fixture model.
func sharedDir(t *testing.T) (dir, model string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "wiseft-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755); os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	model = filepath.Join(dir, "model")
	os.Mkdir(model, 0o755)
	src := modelWithTokenizer(t)
	for _, name := range []string{clipmodel.ConfigFile, clipmodel.WeightsFile, clipmodel.VocabFile, clipmodel.MergesFile} {
		data, _ := os.ReadFile(filepath.Join(src, name))
		if err := os.WriteFile(filepath.Join(model, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, model
}

// A read-only --results-db is refused before any work (it used to fail after the sweep), and a model folder that
// cannot be read is named as such (it used to read "no model.safetensors").
func TestPermissionsAreNamedBeforeWork(t *testing.T) {
	dir, model := sharedDir(t)
	db := filepath.Join(dir, "results.jsonl")
	os.WriteFile(db, []byte(`{"alpha":0,"MNIST:top1":0.5}`+"\n"), 0o444)
	save := filepath.Join(dir, "save")
	os.Mkdir(save, 0o777)
	os.Chmod(save, 0o777)
	stderr, code := runAsOtherUser(t, "run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST",
		"--save", save, "--results-db", db)
	if code == 0 {
		t.Fatal("a run with a read-only results log started")
	}
	oneErrorLine(t, stderr, "--results-db "+db+" cannot be written: permission denied")
	if entries, _ := os.ReadDir(save); len(entries) != 0 {
		t.Errorf("the refused run left %v in --save", entries)
	}

	locked := filepath.Join(dir, "locked")
	os.Rename(model, locked)
	os.Chmod(locked, 0)
	stderr, code = runAsOtherUser(t, "embed", "--model", locked, "--text", "a cat")
	if code == 0 {
		t.Fatal("an unreadable model folder was read")
	}
	oneErrorLine(t, stderr, "the folder "+locked+" cannot be read")
	if !strings.Contains(stderr, "permission denied") {
		t.Errorf("%q does not name the cause", stderr)
	}
}

// merge writes its folder whole and swaps it in by renaming the folder (never file by file: the folder is a new
// one, and nothing of the old one stays in it), and a kill between the swap's two renames is recovered: the old
// folder comes back whole and is not replaced without --overwrite.
func TestMergeSwapsTheFolderWhole(t *testing.T) {
	work := t.TempDir()
	model := modelWithTokenizer(t)
	base, err := clipmodel.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(work, "a"), filepath.Join(work, "b")
	for i, dir := range []string{a, b} {
		m := base.Clone()
		m.Weights["logit_scale"].Data[0] = float32(i + 1)
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(work, "out")
	if _, stderr, code := run(t, "merge", "--out", out, a, b); code != 0 {
		t.Fatalf("first merge: exit %d: %s", code, stderr)
	}
	before, _ := os.Stat(out)
	os.WriteFile(filepath.Join(out, clipmodel.VocabFile), []byte("{}"), 0o644) // a model file the merge does not write
	if _, stderr, code := run(t, "merge", "--overwrite", "--alpha", "1", "--out", out, a, b); code != 0 {
		t.Fatalf("merge --overwrite: exit %d: %s", code, stderr)
	}
	after, _ := os.Stat(out)
	if os.SameFile(before, after) {
		t.Error("the folder was written in place, not swapped in")
	}
	if m, err := clipmodel.Load(out); err != nil || m.Weights["logit_scale"].Data[0] != 2 {
		t.Fatalf("the swapped-in folder: %v", err)
	}

	// The state a SIGKILL between the two renames leaves: no folder at out, the old one set aside beside it.
	aside := filepath.Join(work, ".out"+atomicfile.OldInfix+"4242")
	os.Mkdir(aside, 0o755)
	if err := os.Rename(out, filepath.Join(aside, "dir")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "merge", "--out", out, a, b)
	if code == 0 {
		t.Fatal("a merge replaced the recovered folder without --overwrite")
	}
	oneErrorLine(t, stderr, "already holds a model: pass --overwrite")
	if m, err := clipmodel.Load(out); err != nil || m.Weights["logit_scale"].Data[0] != 2 {
		t.Fatalf("the set-aside folder was not recovered whole: %v", err)
	}
	if entries, _ := os.ReadDir(work); len(entries) != 3 {
		t.Errorf("beside the folders: %v, want only a, b and out", entries)
	}
}

// The results log carries the values the run used: --warmup-length 0 is no warm-up (the first step runs at the
// peak learning rate; it used to become 500 steps), the held-out set is the one α was chosen on, and a sweep of
// saved classifiers (--load) records no fine-tuning settings, since none ran.
func TestResultsCarryTheValuesUsed(t *testing.T) {
	data := dataOrSkip(t)
	model := modelWithTokenizer(t)
	work := t.TempDir()
	save, db := filepath.Join(work, "run"), filepath.Join(work, "results.jsonl")
	_, stderr, code := run(t, "run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST",
		"--data-location", data, "--epochs", "1", "--batch-size", "16", "--lr", "1e-3", "--warmup-length", "0",
		"--train-limit", "32", "--eval-limit", "16", "--alpha", "0,1", "--progress-every", "0", "--save", save,
		"--results-db", db)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "step 1/2 (") || !strings.Contains(stderr, " lr 0.001 ") {
		t.Errorf("the first step did not run at the peak learning rate:\n%s", stderr)
	}
	_, stderr, code = run(t, "run", "--load", filepath.Join(save, "zeroshot")+","+filepath.Join(save, "finetuned"),
		"--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--data-location", data, "--eval-limit", "16",
		"--alpha", "0.5", "--results-db", db)
	if code != 0 {
		t.Fatalf("run --load: exit %d: %s", code, stderr)
	}
	recs, _, err := results.Read(db)
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if recs[0]["warmup_length"] != 0.0 || recs[0]["held_out"] != "MNIST-Val" || recs[0]["epochs"] != 1.0 {
		t.Errorf("the fine-tuning run's line: %v", recs[0])
	}
	for _, k := range []string{"epochs", "lr", "batch_size", "warmup_length", "wd", "ls"} {
		if _, ok := recs[2][k]; ok {
			t.Errorf("the --load line records %q, a setting of no fine-tuning that ran: %v", k, recs[2])
		}
	}
	if recs[2]["held_out"] != "MNIST-Val" {
		t.Errorf("the --load line's held_out = %v", recs[2]["held_out"])
	}
}

// A fine-tuning batch the machine cannot hold is refused before training (checked in process: through the binary
// it needs a training set large enough, which the tests do not read).
func TestTrainingBatchMemoryIsChecked(t *testing.T) {
	b32, _ := clipmodel.ConfigByName("ViT-B/32")
	f := runFlags{batchSize: 1000000000, evalBatch: 8}
	err := checkRunMemory(f, b32, 1281167)
	if err == nil || !strings.Contains(err.Error(), "--batch-size 1281167 (a fine-tuning step) needs about") {
		t.Errorf("err = %v", err)
	}
	if err := checkRunMemory(runFlags{batchSize: 4, evalBatch: 8}, b32, 1281167); err != nil {
		t.Errorf("a batch of 4 refused: %v", err)
	}
	f.freezeEncoder = true
	if err := checkRunMemory(f, b32, 1281167); err != nil {
		t.Errorf("the linear classifier's batch is not an image batch: %v", err)
	}
}

// FLYP trains the text tower on one prompt per image as well: its step is checked with both towers, so a batch
// that fits for end-to-end fine-tuning may not fit for FLYP.
func TestFLYPBatchMemoryCountsTheTextTower(t *testing.T) {
	b32, _ := clipmodel.ConfigByName("ViT-B/32")
	_, ft := fineTuneStepBytes(methodFT, b32, 512)
	what, flyp := fineTuneStepBytes(methodFLYP, b32, 512)
	if want := b32.TowerTrainBytes(512, true) + 16*512*512; flyp != want || what != "a FLYP step of both towers" {
		t.Errorf("FLYP at 512: %q, %d bytes, want both towers and the logits, %d", what, flyp, want)
	}
	if ft != b32.TowerTrainBytes(512, false) || !(flyp > ft) {
		t.Errorf("fine-tuning at 512: %d bytes, FLYP %d: want the image tower alone, less than FLYP", ft, flyp)
	}
	f := runFlags{method: methodFLYP, batchSize: 1000000000, evalBatch: 8}
	err := checkRunMemory(f, b32, 1281167)
	if err == nil || !strings.Contains(err.Error(), "--batch-size 1281167 (a FLYP step of both towers) needs about") {
		t.Errorf("err = %v", err)
	}
}
