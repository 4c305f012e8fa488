package wiseft

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStopMidEpochAndResume stops a run after step 2 of its first epoch (of 3 steps), resumes it from the
// mid-epoch checkpoint, and gets the weights of the uninterrupted run.
func TestStopMidEpochAndResume(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(20, 2) // 3 steps per epoch, the last one padded
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 1e-3, WeightDecay: 0.1, WarmupSteps: 2, LabelSmoothing: 0.1,
		GradClipNorm: 1, Seed: 5}
	a, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runB := TrainRun{CheckpointDir: dir, Progress: func(p ProgressInfo) {
		if p.Step == 2 {
			cancel()
		}
	}}
	_, err = FineTune(ctx, zs, ds, cfg, runB)
	var ie *StoppedError
	if !errors.As(err, &ie) || !errors.Is(err, ErrStopped) {
		t.Fatalf("stopped run: err = %v, want a StoppedError", err)
	}
	want := StepCheckpointPath(dir, 2)
	if ie.Checkpoint != want || ie.Step != 2 || ie.StepInEpoch != 2 || ie.Epoch != 1 || ie.StepsPerEpoch != 3 {
		t.Fatalf("interrupted at %+v, want step 2 of epoch 1 in %s", ie, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the checkpoint", err)
	}
	path, state, skipped, err := LatestCheckpoint(dir)
	if err != nil || path != want || state.StepInEpoch != 2 || state.Epoch != 0 || state.Step != 2 || len(skipped) != 0 {
		t.Fatalf("LatestCheckpoint = %s %+v %v %v", path, state, skipped, err)
	}

	var steps []int
	runC := TrainRun{CheckpointDir: dir, ResumeFrom: path, Progress: func(p ProgressInfo) { steps = append(steps, p.Step) }}
	c, err := FineTune(context.Background(), zs, ds, cfg, runC)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 || steps[0] != 3 || steps[3] != 6 {
		t.Errorf("the resumed run did steps %v, want 3..6", steps)
	}
	for k, w := range a.Model.Weights {
		if d := ftMaxAbsDiff(w, c.Model.Weights[k]); d > 1e-6 {
			t.Errorf("%s: resumed run differs by %g", k, d)
		} else if d > 0 {
			t.Logf("%s: resumed run differs by %g (not bitwise)", k, d)
		}
	}
	// The mid-epoch checkpoint is gone once the epoch's checkpoint replaced it.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "checkpoint_1 checkpoint_2" {
		t.Errorf("checkpoint folder holds %v, want checkpoint_1 checkpoint_2", names)
	}

	// Stopping before the first step writes nothing and names the checkpoint the run started from.
	runD := TrainRun{CheckpointDir: t.TempDir(), ResumeFrom: CheckpointPath(dir, 1)}
	if _, err := FineTune(ctx, zs, ds, cfg, runD); !errors.As(err, &ie) || ie.Checkpoint != CheckpointPath(dir, 1) || ie.Step != 3 {
		t.Errorf("stop before the first step: %v", err)
	}
}

// TestLatestCheckpointSkipsTornFolders: a folder that lacks a file, whose safetensors file is cut short, whose
// state disagrees with its name, or that is a temporary folder of a writer that died, is never chosen.
func TestLatestCheckpointSkipsTornFolders(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(16, 2)
	dir := t.TempDir()
	cfg := FineTuneConfig{Epochs: 1, BatchSize: 8, LR: 1e-3, WeightDecay: 0.1, WarmupSteps: 1, GradClipNorm: 1, Seed: 1}
	if _, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dir}); err != nil {
		t.Fatal(err)
	}
	good := CheckpointPath(dir, 1)
	if _, err := VerifyCheckpoint(good); err != nil {
		t.Fatal(err)
	}
	clone := func(name string) string {
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(good)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(good, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dst
	}
	rewriteState := func(p string, edit func(string) string) {
		data, _ := os.ReadFile(filepath.Join(p, StateFile))
		if err := os.WriteFile(filepath.Join(p, StateFile), []byte(edit(string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// checkpoint_2 .. checkpoint_5 claim more steps than checkpoint_1, but each is damaged.
	truncated := clone("checkpoint_2")
	rewriteState(truncated, func(s string) string {
		return strings.Replace(strings.Replace(s, `"epoch": 1`, `"epoch": 2`, 1), `"step": 2`, `"step": 4`, 1)
	})
	data, _ := os.ReadFile(filepath.Join(truncated, "model.safetensors"))
	os.WriteFile(filepath.Join(truncated, "model.safetensors"), data[:len(data)/2], 0o644)
	noState := clone("checkpoint_3")
	os.Remove(filepath.Join(noState, StateFile))
	noOptimizer := clone("checkpoint_step_5")
	rewriteState(noOptimizer, func(s string) string {
		return strings.Replace(strings.Replace(s, `"step": 2`, `"step": 5`, 1), `"step_in_epoch": 0`, `"step_in_epoch": 1`, 1)
	})
	os.Remove(filepath.Join(noOptimizer, OptimizerFile))
	misnamed := clone("checkpoint_4") // state.json says epoch 1
	partial := clone(".checkpoint_9.partial-123")
	_ = partial

	path, state, skipped, err := LatestCheckpoint(dir)
	if err != nil || path != good || state.Epoch != 1 {
		t.Fatalf("LatestCheckpoint = %s %+v %v, want %s", path, state, err, good)
	}
	if len(skipped) != 4 {
		t.Errorf("%d folders skipped, want 4: %v", len(skipped), skipped)
	}
	for _, p := range []string{truncated, noState, noOptimizer, misnamed} {
		if _, err := VerifyCheckpoint(p); err == nil {
			t.Errorf("%s passes VerifyCheckpoint", p)
		}
		if _, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dir, ResumeFrom: p}); err == nil {
			t.Errorf("resuming from the damaged %s was accepted", p)
		}
	}
	if _, _, _, err := LatestCheckpoint(t.TempDir()); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("empty folder: %v", err)
	}
	if _, _, _, err := LatestCheckpoint(filepath.Join(dir, "nope")); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("missing folder: %v", err)
	}
	// The next checkpoint written removes the temporary folder of the dead writer.
	cfg.Epochs = 2
	if _, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dir, ResumeFrom: good}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("the stale temporary folder is still there (%v)", err)
	}
	if _, err := VerifyCheckpoint(CheckpointPath(dir, 2)); err != nil {
		t.Errorf("the torn checkpoint_2 was not replaced: %v", err)
	}
}

// panicky is a dataset whose Example panics (a bug in a dataset or a decoder): FineTune reports it as an error,
// since a panic on a data-loading goroutine could not be recovered by the caller.
type panicky struct{ *ftShapes }

func (p panicky) Example(i int) (image.Image, int, error) {
	if i == 3 {
		panic("decoder bug")
	}
	return p.ftShapes.Example(i)
}

func TestFineTuneReportsADatasetPanic(t *testing.T) {
	_, err := FineTune(context.Background(), ftClassifier(t), panicky{newFTShapes(8, 1)},
		FineTuneConfig{Epochs: 1, BatchSize: 8, Seed: 1}, TrainRun{})
	if err == nil || !strings.Contains(err.Error(), "decoder bug") {
		t.Fatalf("err = %v, want the panic as an error", err)
	}
}
