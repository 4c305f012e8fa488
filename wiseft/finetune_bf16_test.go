package wiseft

import (
	"context"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/gowiseft/wiseft/clipmodel"
)

// FineTuneConfig.BF16: mixed precision trains the same weights (float32 masters) in the same direction as float32.
func TestFineTuneBF16(t *testing.T) {
	if !testBackend(t).Capabilities().DTypes[dtypes.BFloat16] {
		t.Skipf("backend %s does not support bfloat16", testBackend(t).Name())
	}
	zs := ftClassifier(t)
	ds := newFTShapes(16, 1)
	var losses [2][]float64
	var out [2]*Classifier
	for i, bf16 := range []bool{false, true} {
		cfg := FineTuneConfig{Epochs: 3, BatchSize: 8, LR: 2e-3, WeightDecay: 0.1, WarmupSteps: 2, GradClipNorm: 1,
			Seed: 11, BF16: bf16}
		run := TrainRun{Progress: func(p ProgressInfo) { losses[i] = append(losses[i], p.Loss) }}
		ft, err := FineTune(context.Background(), zs, ds, cfg, run)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ft
	}
	f32, bf := losses[0], losses[1]
	t.Logf("losses float32 %.4f, bf16 %.4f", f32, bf)
	if !(bf[len(bf)-1] < bf[0]) {
		t.Errorf("bf16: the loss did not decrease: %.4f", bf)
	}
	for i := range f32 {
		if d := bf[i] - f32[i]; d > 0.05*f32[i]+0.02 || d < -(0.05*f32[i]+0.02) {
			t.Errorf("step %d: loss %.4f in bf16, %.4f in float32", i+1, bf[i], f32[i])
		}
	}
	for k, w := range out[0].Model.Weights {
		b := out[1].Model.Weights[k]
		if len(b.Data) != len(w.Data) {
			t.Fatalf("%s: shapes %v and %v", k, b.Shape, w.Shape)
		}
		if (isImageFeatureWeight(k) || k == HeadWeight) && ftSameTensor(b, zs.Model.Weights[k]) {
			t.Errorf("bf16: %s did not train", k)
		}
	}
}

// testBackend is the process backend, or the test's end.
func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := clipmodel.Backend()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
