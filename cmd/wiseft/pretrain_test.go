package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPretrainInterruptAndResume sends SIGINT to a small `wiseft pretrain` in the middle of its first epoch: it
// must exit with status 130, saying how to continue, leave a checkpoint and no model; the same command then
// refuses to start over the checkpoints without --resume, and with --resume ends with the model of an
// uninterrupted run, bit for bit.
func TestPretrainInterruptAndResume(t *testing.T) {
	data := dataOrSkip(t)
	dir := t.TempDir()
	common := []string{"pretrain", "--data-location", data, "--pairs", "192", "--batch-size", "32", "--epochs", "2",
		"--warmup-length", "2", "--eval-examples", "0", "--log-every", "2"}

	// The uninterrupted run also makes the per-epoch zero-shot check (wiseft.ZeroShotMNIST through
	// PretrainRun.ZeroShot), which must not change its weights.
	whole := filepath.Join(dir, "whole")
	_, stderr, code := run(t, append(common, "--out", whole, "--eval-examples", "50")...)
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	for _, epoch := range []string{"epoch 1", "epoch 2"} {
		if !strings.Contains(stderr, epoch+": zero-shot MNIST test accuracy ") || !strings.Contains(stderr, "% on 50 images") {
			t.Errorf("no zero-shot check after %s in:\n%s", epoch, stderr)
		}
	}

	out := filepath.Join(dir, "model")
	args := append(common, "--out", out)
	cmd := exec.Command(binary, args...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(pipe)
	signalled := false
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !signalled && strings.HasPrefix(sc.Text(), "epoch 1 step 2/") {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
	err = cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !signalled || !ok || ee.ExitCode() != 130 {
		t.Fatalf("signalled %v, wait: %v; want exit 130. stderr:\n%s", signalled, err, strings.Join(lines, "\n"))
	}
	last := lines[len(lines)-1]
	if !strings.Contains(last, "SIGINT") || !strings.Contains(last, "--resume") {
		t.Errorf("last line %q does not say it was interrupted and how to continue", last)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the model folder exists after the interrupted run (%v)", err)
	}

	_, stderr, code = run(t, args...)
	if code != 2 || !strings.Contains(stderr, "--resume") {
		t.Errorf("a second start without --resume: exit %d, %q; want 2 and a hint", code, stderr)
	}
	if _, stderr, code := run(t, append(args, "--resume")...); code != 0 {
		t.Fatalf("--resume: exit %d: %s", code, stderr)
	}
	a, err := os.ReadFile(filepath.Join(whole, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("the resumed model differs from the uninterrupted one")
	}
}

// TestPretrainResumeWithoutRunLeavesNothing: --resume where no run was started is one error line, and neither the
// checkpoint folder nor the model folder is made (the checkpoint folder's lock used to create it, empty).
func TestPretrainResumeWithoutRunLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		gone string
	}{
		{[]string{"--checkpoint-dir", filepath.Join(dir, "ck")}, filepath.Join(dir, "ck")},
		{nil, filepath.Join(dir, "m-checkpoints")}, // the default checkpoint folder beside --out
	} {
		args := append([]string{"pretrain", "--resume", "--out", filepath.Join(dir, "m")}, c.args...)
		_, stderr, code := run(t, args...)
		if code == 0 || !strings.Contains(stderr, "does not exist, so there is no run to continue") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 0 {
			t.Errorf("%v left %v in %s (want %s and everything else absent)", args, entries, dir, c.gone)
		}
	}
}
