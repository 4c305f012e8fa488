package main

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

var progressLine = regexp.MustCompile(`^epoch (\d+)/\d+ step (\d+)/\d+ `)

// runUntil starts the binary and sends sig once a progress line on standard error satisfies when(epoch, step)
// (1-based epoch, global step); it returns standard error and the exit status (-1 when killed by a signal).
func runUntil(t *testing.T, when func(epoch, step int) bool, sig syscall.Signal, args ...string) (stderr []string, code int, signalled bool) {
	t.Helper()
	return runUntilSignals(t, when, []syscall.Signal{sig}, args...)
}

// runUntilSignals is runUntil sending each of sigs in turn, 50 ms apart.
func runUntilSignals(t *testing.T, when func(epoch, step int) bool, sigs []syscall.Signal, args ...string) (stderr []string, code int, signalled bool) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		stderr = append(stderr, line)
		if m := progressLine.FindStringSubmatch(line); m != nil && !signalled {
			epoch, _ := strconv.Atoi(m[1])
			step, _ := strconv.Atoi(m[2])
			if when(epoch, step) {
				for i, sig := range sigs {
					if i > 0 {
						time.Sleep(50 * time.Millisecond)
					}
					if err := cmd.Process.Signal(sig); err != nil {
						t.Fatal(err)
					}
				}
				signalled = true
			}
		}
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stderr, code, signalled
}

// sameWeights compares two model.safetensors files tensor by tensor (within 1e-6; bitwise is logged).
func sameWeights(t *testing.T, a, b string) {
	t.Helper()
	fa, err := safetensors.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := safetensors.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fa.Tensors) != len(fb.Tensors) {
		t.Fatalf("%d tensors against %d", len(fa.Tensors), len(fb.Tensors))
	}
	bitwise := true
	for name, ta := range fa.Tensors {
		tb := fb.Tensors[name]
		if tb == nil {
			t.Fatalf("%s missing from %s", name, b)
		}
		va, _ := ta.Float32()
		vb, _ := tb.Float32()
		for i := range va {
			if d := math.Abs(float64(va[i] - vb[i])); d > 1e-6 {
				t.Fatalf("%s[%d]: %g against %g", name, i, va[i], vb[i])
			} else if d > 0 {
				bitwise = false
			}
		}
	}
	if !bitwise {
		t.Logf("%s and %s agree within 1e-6 but not bitwise", a, b)
	}
}

// TestInterruptAndResume fine-tunes the fixture-sized CLIP on 192 MNIST images (48 steps per epoch, 2 epochs)
// four times, as real processes: uninterrupted; stopped by SIGTERM in epoch 1 (a mid-epoch checkpoint, exit
// 143 and a one-line hint); resumed with --resume and killed with SIGKILL in epoch 2 (the results log and
// checkpoint_1 survive intact; a torn checkpoint_2 planted beside it is refused; a resume with another --template
// is refused first); resumed again from
// checkpoint_1. The last run ends with the weights of the uninterrupted one.
func TestInterruptAndResume(t *testing.T) {
	data := dataOrSkip(t)
	model := modelWithTokenizer(t)
	work := t.TempDir()
	args := func(save string, extra ...string) []string {
		return append([]string{"run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST",
			"--data-location", data, "--epochs", "2", "--batch-size", "4", "--lr", "1e-3", "--warmup-length", "4",
			"--train-limit", "192", "--eval-limit", "8", "--eval-batch-size", "8", "--alpha", "1",
			"--progress-every", "0", "--save", save}, extra...)
	}
	const stepsPerEpoch = 48

	uninterrupted := filepath.Join(work, "uninterrupted")
	if _, stderr, code := run(t, args(uninterrupted)...); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}

	// SIGTERM in epoch 1, after step 2.
	save := filepath.Join(work, "run")
	checkpoints := filepath.Join(save, "checkpoints")
	stderr, code, signalled := runUntil(t, func(epoch, step int) bool { return epoch == 1 && step >= 2 }, syscall.SIGTERM, args(save)...)
	if !signalled {
		t.Fatalf("no progress line of epoch 1 seen:\n%s", strings.Join(stderr, "\n"))
	}
	last := stderr[len(stderr)-1]
	if code != 128+int(syscall.SIGTERM) || !strings.Contains(last, "interrupted by SIGTERM") || !strings.Contains(last, "--resume") {
		t.Fatalf("after SIGTERM: exit %d, last line %q", code, last)
	}
	for _, l := range stderr {
		if strings.Contains(l, "panic") || strings.Contains(l, "goroutine") {
			t.Fatalf("panic trace: %s", strings.Join(stderr, "\n"))
		}
	}
	path, state, skipped, err := wiseft.LatestCheckpoint(checkpoints)
	if err != nil || len(skipped) > 0 {
		t.Fatalf("after SIGTERM: %v %v", err, skipped)
	}
	if state.Epoch != 0 || state.StepInEpoch < 2 || state.StepInEpoch >= stepsPerEpoch || filepath.Base(path) != "checkpoint_step_"+strconv.Itoa(state.Step) {
		t.Fatalf("after SIGTERM: checkpoint %s with state %+v, want a mid-epoch one in epoch 1", path, state)
	}
	if !strings.Contains(last, path) {
		t.Errorf("the message %q does not name the checkpoint %s", last, path)
	}
	t.Logf("SIGTERM: %s", last)

	// Without --resume, the checkpoints are not overwritten.
	if _, stderr, code := run(t, args(save)...); code == 0 || !strings.Contains(stderr, "--resume") {
		t.Fatalf("a fresh run over the checkpoints: exit %d: %s", code, stderr)
	}

	// --resume with another template set would make another zero-shot classifier than the one the run started
	// from, and replace it: refused in one line, before anything is written.
	zsFile := filepath.Join(save, "zeroshot", "model.safetensors")
	zsBefore, err := os.ReadFile(zsFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, args(save, "--resume", "--template", "simple_template")...); code != 2 ||
		!strings.Contains(stderr, "the zero-shot classifier this run makes differs from "+filepath.Join(save, "zeroshot")) ||
		!strings.Contains(stderr, "its head differs: another --template?") || strings.Count(stderr, "wiseft run:") != 1 {
		t.Fatalf("--resume with another --template: exit %d: %s", code, stderr)
	}
	if zsAfter, err := os.ReadFile(zsFile); err != nil || !bytes.Equal(zsAfter, zsBefore) {
		t.Fatalf("the refused resume changed %s (%v)", zsFile, err)
	}

	// --resume continues at the next step; SIGKILL it in epoch 2. A results log written before must survive.
	db := filepath.Join(work, "results.jsonl")
	if err := os.WriteFile(db, []byte(`{"alpha":0,"MNIST:top1":0.5}`+"\n"+`{"alpha":1,"MNIST:top1":0.75}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr, _, signalled = runUntil(t, func(epoch, step int) bool { return epoch == 2 && step >= stepsPerEpoch+2 },
		syscall.SIGKILL, args(save, "--resume", "--results-db", db)...)
	if !signalled {
		t.Fatalf("the resumed run showed no progress in epoch 2:\n%s", strings.Join(stderr, "\n"))
	}
	if !strings.Contains(stderr[0], "resuming from "+path) {
		t.Errorf("the resumed run did not report %s: %q", path, stderr[0])
	}
	if recs, warnings, err := results.Read(db); err != nil || len(warnings) > 0 || len(recs) != 2 {
		t.Fatalf("results log after SIGKILL: %d records, %v, %v", len(recs), warnings, err)
	}
	path, state, skipped, err = wiseft.LatestCheckpoint(checkpoints)
	if err != nil || len(skipped) > 0 || filepath.Base(path) != "checkpoint_1" || state.Step != stepsPerEpoch {
		t.Fatalf("after SIGKILL: newest checkpoint %s %+v, %v %v; want checkpoint_1", path, state, skipped, err)
	}
	if _, err := os.Stat(filepath.Join(save, "finetuned")); !os.IsNotExist(err) {
		t.Errorf("the killed run left a fine-tuned classifier (%v)", err)
	}

	// A torn checkpoint_2 (its weights cut short, its state claiming epoch 2) and a writer's temporary folder:
	// --resume must skip both and continue from checkpoint_1.
	torn := filepath.Join(checkpoints, "checkpoint_2")
	for _, name := range []string{"config.json", "model.safetensors", "optimizer.safetensors", "state.json", "vocab.json", "merges.txt"} {
		data, err := os.ReadFile(filepath.Join(path, name))
		if err != nil {
			t.Fatal(err)
		}
		switch name {
		case "model.safetensors":
			data = data[:len(data)-1000]
		case "state.json":
			data = []byte(strings.Replace(strings.Replace(string(data), `"epoch": 1`, `"epoch": 2`, 1),
				`"step": 48`, `"step": 96`, 1))
		}
		for _, dir := range []string{torn, filepath.Join(checkpoints, ".checkpoint_2.partial-1")} {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, errOut, code := run(t, args(save, "--resume", "--results-db", db)...)
	if code != 0 {
		t.Fatalf("second resume: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "not resuming from a damaged checkpoint") || !strings.Contains(errOut, "resuming from "+path) {
		t.Errorf("second resume did not skip the torn checkpoint_2 for checkpoint_1:\n%s", errOut)
	}
	if !strings.Contains(out, "results: 1 lines appended") {
		t.Errorf("stdout: %s", out)
	}
	if recs, warnings, err := results.Read(db); err != nil || len(warnings) > 0 || len(recs) != 3 {
		t.Errorf("results log: %d records, %v, %v", len(recs), warnings, err)
	}
	sameWeights(t, filepath.Join(uninterrupted, "finetuned", "model.safetensors"), filepath.Join(save, "finetuned", "model.safetensors"))
	entries, _ := os.ReadDir(checkpoints)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "checkpoint_1 checkpoint_2" {
		t.Errorf("checkpoints at the end: %v, want checkpoint_1 checkpoint_2", names)
	}
	if _, err := wiseft.VerifyCheckpoint(torn); err != nil {
		t.Errorf("checkpoint_2 was not rewritten: %v", err)
	}
}

// TestSecondSignalQuitsAtOnce sends SIGTERM twice, 50 ms apart, during a fine-tuning step of the shipped model
// (a step of batch 128 takes longer than that): the first asks for a stop after the step, the second must end the
// process at once with its own line and a non-zero status, keeping what was written (the CPU profile included).
func TestSecondSignalQuitsAtOnce(t *testing.T) {
	data := dataOrSkip(t)
	model, err := filepath.Abs("../../world/model")
	if err != nil {
		t.Fatal(err)
	}
	save := filepath.Join(t.TempDir(), "run")
	profile := filepath.Join(t.TempDir(), "cpu.prof") // os.Exit skips deferred calls: the profile must still be written
	t.Setenv(CPUProfileEnv, profile)
	lines, code, signalled := runUntilSignals(t, func(int, int) bool { return true },
		[]syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, "run", "--model", model, "--train-dataset", "MNIST",
		"--eval-datasets", "MNIST", "--data-location", data, "--epochs", "1", "--batch-size", "128",
		"--train-limit", "6400", "--eval-limit", "8", "--alpha", "1", "--progress-every", "0", "--save", save)
	if !signalled || code == 0 {
		t.Fatalf("signalled %v, exit %d; want a non-zero exit. stderr:\n%s", signalled, code, strings.Join(lines, "\n"))
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "second SIGTERM: quitting now") {
		t.Errorf("last line %q, want the second signal's", last)
	}
	if _, err := os.Stat(filepath.Join(save, "zeroshot", "model.safetensors")); err != nil {
		t.Errorf("the zero-shot classifier written before the signals: %v", err)
	}
	if !isProfile(t, profile) {
		t.Errorf("the CPU profile %s was not written out before the process quit", profile)
	}
}
