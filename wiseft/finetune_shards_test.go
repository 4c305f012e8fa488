package wiseft

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestShardedStepsDoNotDependOnWorkers: a sharded run ends with the same weights, bit for bit, on one worker and
// on three (the shards' gradients are summed in shard order whatever finishes first), and within rounding of the
// unsharded run; its losses are those of the whole batch.
func TestShardedStepsDoNotDependOnWorkers(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(20, 2) // batches of 8 in 4 shards of 2; the last batch (4 examples) padded
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 2e-3, WeightDecay: 0.1, WarmupSteps: 2, LabelSmoothing: 0.1,
		GradClipNorm: 0.5, Seed: 5}
	run := func(shards, workers int) (*Classifier, []float64) {
		t.Helper()
		c := cfg
		c.Shards = shards
		var losses []float64
		ft, err := FineTune(context.Background(), zs, ds, c, TrainRun{Workers: workers,
			Progress: func(p ProgressInfo) { losses = append(losses, p.Loss) }})
		if err != nil {
			t.Fatal(err)
		}
		return ft, losses
	}
	whole, wholeLoss := run(0, 0)
	one, oneLoss := run(4, 1)
	three, threeLoss := run(4, 3)
	for k, w := range one.Model.Weights {
		if !ftSameTensor(w, three.Model.Weights[k]) {
			t.Fatalf("%s: 4 shards on 1 and on 3 workers differ by %g", k, ftMaxAbsDiff(w, three.Model.Weights[k]))
		}
		// The key projections' biases have a gradient of zero in exact arithmetic (a constant added to every key
		// leaves each query's softmax unchanged): what they get is rounding noise, which Adam scales to full steps,
		// so they differ between any two summation orders.
		if strings.HasSuffix(k, "k_proj.bias") {
			continue
		}
		if d := ftMaxAbsDiff(w, whole.Model.Weights[k]); d > 1e-5 {
			t.Errorf("%s: the sharded run differs from the whole-batch one by %g", k, d)
		}
	}
	for i := range oneLoss {
		if oneLoss[i] != threeLoss[i] {
			t.Errorf("step %d: loss %v on 1 worker, %v on 3", i+1, oneLoss[i], threeLoss[i])
		}
		if math.Abs(oneLoss[i]-wholeLoss[i]) > 1e-5 {
			t.Errorf("step %d: sharded loss %v, whole-batch loss %v", i+1, oneLoss[i], wholeLoss[i])
		}
	}
}

// TestShardedResume: a sharded run stopped after its first epoch and resumed ends where the uninterrupted one
// does, bit for bit; a resume with another shard count is refused.
func TestShardedResume(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(20, 2)
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 1e-3, WeightDecay: 0.1, WarmupSteps: 2, GradClipNorm: 1,
		Seed: 5, Shards: 2}
	whole, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stopped *StoppedError
	if _, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dir, StopAfterEpoch: 1}); !errors.As(err, &stopped) {
		t.Fatalf("StopAfterEpoch: %v", err)
	}
	other := cfg
	other.Shards = 4
	if _, err := FineTune(context.Background(), zs, ds, other, TrainRun{ResumeFrom: stopped.Checkpoint}); err == nil {
		t.Error("resuming a 2-shard run with 4 shards was accepted")
	}
	resumed, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dir, ResumeFrom: stopped.Checkpoint})
	if err != nil {
		t.Fatal(err)
	}
	for k, w := range whole.Model.Weights {
		if !ftSameTensor(w, resumed.Model.Weights[k]) {
			t.Fatalf("%s: the resumed sharded run differs by %g", k, ftMaxAbsDiff(w, resumed.Model.Weights[k]))
		}
	}
}
