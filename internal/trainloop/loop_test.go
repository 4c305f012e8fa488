package trainloop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// toy is a driver whose "model" is a running value updated by every step from its batch, so that the order and
// the content of the batches decide the result, as for a real model: v ← 0.9·v + batch.
type toy struct {
	value   float64
	batches []string // "epoch.step" of every batch made, in order
	steps   []string // of every batch stepped
	epochs  []int    // AfterEpoch calls
}

func (d *toy) loop(dir string, epochs, steps int) *Loop[float64] {
	return &Loop[float64]{
		Epochs: epochs, StepsPerEpoch: steps, Dir: dir, Recipe: map[string]int{"lr": 3},
		Batch: func(e, s int) (float64, error) {
			d.batches = append(d.batches, fmt.Sprintf("%d.%d", e, s))
			return float64(10*e + s + 1), nil
		},
		Step: func(e, s int, b float64) (StepStats, error) {
			d.steps = append(d.steps, fmt.Sprintf("%d.%d", e, s))
			d.value = 0.9*d.value + b
			return StepStats{Loss: d.value, Examples: 2}, nil
		},
		Save: func(tmp string) error {
			w := map[string]*safetensors.Tensor{"v": safetensors.FromFloat32([]float32{float32(d.value)})}
			if err := os.WriteFile(filepath.Join(tmp, "config.json"), []byte("{}"), 0o644); err != nil {
				return err
			}
			if err := safetensors.WriteFile(filepath.Join(tmp, "model.safetensors"), w, nil); err != nil {
				return err
			}
			return safetensors.WriteFile(filepath.Join(tmp, OptimizerFile), w, nil)
		},
		AfterEpoch: func(e int) error { d.epochs = append(d.epochs, e); return nil },
	}
}

// restore reads the toy's value back from a checkpoint.
func (d *toy) restore(t *testing.T, dir string) {
	f, err := safetensors.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.Tensors["v"].Float32()
	d.value = float64(v[0])
}

func TestLoopRunsEveryStepInOrder(t *testing.T) {
	var d toy
	dir := t.TempDir()
	var progress []Progress
	l := d.loop(dir, 2, 3)
	l.Progress = func(p Progress) { progress = append(progress, p) }
	if err := l.Run(context.Background(), Position{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"0.0", "0.1", "0.2", "1.0", "1.1", "1.2"}
	if !slices.Equal(d.steps, want) || !slices.Equal(d.batches, want) {
		t.Fatalf("batches %v, steps %v; want %v", d.batches, d.steps, want)
	}
	if !slices.Equal(d.epochs, []int{1, 2}) {
		t.Errorf("AfterEpoch calls %v, want [1 2]", d.epochs)
	}
	last := progress[len(progress)-1]
	if len(progress) != 6 || last.Step != 6 || last.TotalSteps != 6 || last.Epoch != 2 || last.StepInEpoch != 3 ||
		last.ExamplesRun != 12 || last.StepsRun != 6 {
		t.Errorf("progress: %d reports, last %+v", len(progress), last)
	}
	// The mean of epoch 2's losses, recomputed from the recurrence.
	v, sum := 0.0, 0.0
	for i, b := range []float64{1, 2, 3, 11, 12, 13} {
		v = 0.9*v + b
		if i >= 3 {
			sum += v
		}
	}
	if d := last.EpochMeanLoss - sum/3; d > 1e-12 || d < -1e-12 {
		t.Errorf("epoch mean loss %g, want %g", last.EpochMeanLoss, sum/3)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "checkpoint_1 checkpoint_2" {
		t.Errorf("checkpoints %v", names)
	}
	s, _, err := VerifyCheckpoint[map[string]int](CheckpointPath(dir, 2))
	if err != nil || s.Epoch != 2 || s.Step != 6 || s.StepInEpoch != 0 || s.TotalSteps != 6 || s.Recipe["lr"] != 3 {
		t.Errorf("checkpoint_2: %+v, %v", s, err)
	}
}

// TestLoopStopAndResume cancels the context during step 2 of epoch 1 (0-based step 1): the step finishes, a
// mid-epoch checkpoint of 2 steps is written, and a run resumed from it makes exactly the remaining batches and ends
// with the uninterrupted run's value.
func TestLoopStopAndResume(t *testing.T) {
	var whole toy
	if err := whole.loop("", 2, 3).Run(context.Background(), Position{}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	var a toy
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := a.loop(dir, 2, 3)
	l.Progress = func(p Progress) {
		if p.Step == 2 {
			cancel()
		}
	}
	err := l.Run(ctx, Position{})
	var stopped *StoppedError
	if !errors.As(err, &stopped) || !errors.Is(err, ErrStopped) {
		t.Fatalf("err = %v, want a StoppedError", err)
	}
	if stopped.Step != 2 || stopped.StepInEpoch != 2 || stopped.Epoch != 1 || stopped.Checkpoint != StepCheckpointPath(dir, 2) {
		t.Fatalf("stopped at %+v", stopped)
	}
	if !slices.Equal(a.steps, []string{"0.0", "0.1"}) {
		t.Errorf("steps before the stop: %v", a.steps)
	}
	path, state, skipped, err := LatestCheckpoint[map[string]int](dir, nil)
	if err != nil || path != stopped.Checkpoint || len(skipped) != 0 {
		t.Fatalf("LatestCheckpoint = %s, %v, %v", path, skipped, err)
	}

	var b toy
	b.restore(t, path)
	l = b.loop(dir, 2, 3)
	l.ResumedFrom = path
	if err := l.Run(context.Background(), state.Position()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"0.2", "1.0", "1.1", "1.2"}; !slices.Equal(b.batches, want) || !slices.Equal(b.steps, want) {
		t.Errorf("resumed run made %v and stepped %v, want %v", b.batches, b.steps, want)
	}
	if float32(b.value) != float32(whole.value) {
		t.Errorf("resumed run ends at %v, the uninterrupted one at %v", b.value, whole.value)
	}
	if _, err := os.Stat(StepCheckpointPath(dir, 2)); !os.IsNotExist(err) {
		t.Errorf("the mid-epoch checkpoint was not removed once the epoch's replaced it (%v)", err)
	}

	// Cancelled before its first step, a resumed run writes nothing and names the checkpoint it started from.
	var c toy
	l = c.loop(t.TempDir(), 2, 3)
	l.ResumedFrom = CheckpointPath(dir, 1)
	if err := l.Run(ctx, Position{Epoch: 1}); !errors.As(err, &stopped) || stopped.Checkpoint != l.ResumedFrom ||
		stopped.Step != 3 || len(c.steps) != 0 {
		t.Errorf("stop before the first step: %v, %d steps", err, len(c.steps))
	}
}

func TestLoopStopAfterEpoch(t *testing.T) {
	var d toy
	dir := t.TempDir()
	l := d.loop(dir, 3, 2)
	l.StopAfterEpoch = 1
	err := l.Run(context.Background(), Position{})
	var stopped *StoppedError
	if !errors.As(err, &stopped) || stopped.Step != 2 || stopped.Checkpoint != CheckpointPath(dir, 1) || len(d.steps) != 2 {
		t.Fatalf("err = %v after %d steps", err, len(d.steps))
	}
	if !strings.Contains(err.Error(), "at the end of epoch 1/3") {
		t.Errorf("message %q", err)
	}
}

// A failing or panicking batch ends the run with its error, and the producer goroutine stops.
func TestLoopBatchErrors(t *testing.T) {
	for _, fail := range []func() (float64, error){
		func() (float64, error) { return 0, errors.New("corrupt file") },
		func() (float64, error) { panic("decoder bug") },
	} {
		var d toy
		l := d.loop("", 2, 3)
		inner := l.Batch
		l.Batch = func(e, s int) (float64, error) {
			if e == 0 && s == 2 {
				return fail()
			}
			return inner(e, s)
		}
		err := l.Run(context.Background(), Position{})
		if err == nil || !(strings.Contains(err.Error(), "corrupt file") || strings.Contains(err.Error(), "decoder bug")) {
			t.Errorf("err = %v, want the batch's error", err)
		}
		if len(d.steps) != 2 {
			t.Errorf("%d steps ran, want the 2 before the failing batch", len(d.steps))
		}
	}
}
