package wiseft

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// Non-finite numbers never become results: a merge that overflows float32 (an extreme α or λ) or takes a NaN in
// is an error naming the tensor; logits that are not finite make Evaluate and Sweep fail instead of reporting the
// arg-max of NaN rows (class 0 for every example: 1/classes accuracy); a NaN or negative Fisher is refused.
func TestNonFiniteNumbersAreErrors(t *testing.T) {
	zs := randomClassifier(t, 4, 1)
	ft := finetuned(zs, 2, 0.1)
	ds := syntheticDataset("shapes", 4, 8, 3)

	if _, err := Extrapolate(zs.Model.Weights, ft.Model.Weights, 1e300); err == nil ||
		!strings.Contains(err.Error(), "extrapolate: α = 1e+300: the merged tensor") || !strings.Contains(err.Error(), "Inf") {
		t.Errorf("α = 1e300: err = %v", err)
	}
	if _, err := TaskVector(zs.Model.Weights, ft.Model.Weights, -1e300); err == nil || !strings.Contains(err.Error(), "task vector: λ = -1e+300") {
		t.Errorf("λ = -1e300: err = %v", err)
	}

	nan := ft.Clone()
	nan.Model.Weights[HeadBias].Data[2] = float32(math.NaN())
	if _, err := Interpolate(zs.Model.Weights, nan.Model.Weights, 0.5); err == nil ||
		!strings.Contains(err.Error(), `the merged tensor "classification_head.bias" holds NaN at index 2`) {
		t.Errorf("a NaN in θ1: err = %v", err)
	}
	if _, err := UniformSoup(zs.Model.Weights, nan.Model.Weights); err == nil || !strings.Contains(err.Error(), "uniform soup: the merged tensor") {
		t.Errorf("a NaN in a soup: err = %v", err)
	}

	// The sweep forms every α's weights from both endpoints in its program, so a NaN in one is refused up front.
	_, err := Sweep(context.Background(), zs, nan, []float64{0, 1}, []EvalSet{{Dataset: ds}}, SweepOptions{})
	if err == nil || !strings.Contains(err.Error(), "the fine-tuned model") || !strings.Contains(err.Error(), `"classification_head.bias"`) {
		t.Errorf("a sweep with a NaN endpoint: err = %v", err)
	}
	huge := zs.Clone()
	for i := range huge.Model.Weights[HeadWeight].Data {
		huge.Model.Weights[HeadWeight].Data[i] = 3e38
	}
	ev, err := NewEvaluator(huge, EvalOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := ev.Evaluate(context.Background(), ds, 0); err == nil {
		t.Errorf("logits that overflow gave %v%% top-1, want an error", 100*m.Top1)
	}

	fisher := func(v float32) clipmodel.Weights {
		f := clipmodel.Weights{}
		for name, w := range zs.Model.Weights {
			f[name] = clipmodel.NewTensor(w.Shape...)
			for i := range f[name].Data {
				f[name].Data[i] = 1
			}
		}
		f[HeadWeight].Data[5] = v
		return f
	}
	thetas := []clipmodel.Weights{zs.Model.Weights, ft.Model.Weights}
	for _, c := range []struct {
		v    float32
		want string
	}{{float32(math.NaN()), `Fisher 1: tensor "classification_head.weight" holds NaN at index 5`}, {-2, "never negative"}} {
		if _, err := FisherMerge(thetas, []clipmodel.Weights{fisher(1), fisher(c.v)}, nil, DefaultFisherFloor); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Fisher value %v: err = %v, want %q", c.v, err, c.want)
		}
	}
}

// An evaluation batch that cannot fit in memory is refused before it is allocated.
func TestEvaluatorRefusesImpossibleBatch(t *testing.T) {
	_, err := NewEvaluator(randomClassifier(t, 4, 1), EvalOptions{BatchSize: 1000000000})
	if err == nil || !strings.Contains(err.Error(), "a batch of 1000000000 images needs about") {
		t.Fatalf("err = %v", err)
	}
}

// A feature cache holding NaN (a damaged file whose name still matches) is recomputed, not trained on.
func TestFeatureCacheWithNaNIsRecomputed(t *testing.T) {
	m := loadFixture(t)
	ds := syntheticDataset("shapes", 4, 6, 5)
	dir := t.TempDir()
	want, err := DatasetFeatures(m, ds, dir)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := FeatureCachePath(m, ds, dir)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := f.Tensors["features"].Float32()
	data[7] = float32(math.NaN())
	f.Tensors["features"] = safetensors.FromFloat32(data, f.Tensors["features"].Shape...)
	if err := safetensors.WriteFile(path, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	got, err := DatasetFeatures(m, ds, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Data {
		if got.Data[i] != want.Data[i] {
			t.Fatalf("feature %d = %v after a NaN cache, want the recomputed %v", i, got.Data[i], want.Data[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.Base(path))); err != nil {
		t.Fatal(err)
	}
	again, _ := safetensors.ReadFile(path)
	if d, _ := again.Tensors["features"].Float32(); math.IsNaN(float64(d[7])) {
		t.Error("the damaged cache was not rewritten")
	}
}

// A loss that is not finite at a run's first step is not blamed on the learning rate (no update has happened):
// the message says the inputs or weights are not finite numbers.
func TestFirstStepNonFiniteLossIsNotTheLearningRate(t *testing.T) {
	zs := ftClassifier(t)
	for i := range zs.Model.Weights[HeadWeight].Data {
		zs.Model.Weights[HeadWeight].Data[i] = 3e38 // logits overflow float32 at once
	}
	_, err := FineTune(context.Background(), zs, newFTShapes(8, 2),
		FineTuneConfig{Epochs: 1, BatchSize: 8, LR: 1e-3, WarmupSteps: 1, Seed: 5}, TrainRun{})
	if err == nil || !strings.Contains(err.Error(), "at step 1") || !strings.Contains(err.Error(), "before any update") {
		t.Fatalf("err = %v", err)
	}
}
