package trainloop

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
)

func TestVariableKeyRoundTrip(t *testing.T) {
	for _, c := range []struct{ scope, name, key string }{
		{"/", "global_step", "/global_step"},
		{"/AdamOptimizer", "global_step", "/AdamOptimizer/global_step"},
		{"/AdamOptimizer/", "logit_scale_1st_moment", "/AdamOptimizer//logit_scale_1st_moment"},
		{"/AdamOptimizer/vision_model/encoder", "weight_2nd_moment", "/AdamOptimizer/vision_model/encoder/weight_2nd_moment"},
	} {
		key := variableKey(c.scope, c.name)
		if key != c.key {
			t.Errorf("variableKey(%q, %q) = %q, want %q", c.scope, c.name, key, c.key)
		}
		if scope, name := splitVariableKey(key); scope != c.scope || name != c.name {
			t.Errorf("splitVariableKey(%q) = %q, %q; want %q, %q", key, scope, name, c.scope, c.name)
		}
	}
}

// TestSaveRestore: every non-weight variable comes back at its own scope and name with its value, the two Adam
// scopes "/AdamOptimizer" and "/AdamOptimizer/" kept apart; trainable variables and model weights are not saved.
func TestSaveRestore(t *testing.T) {
	ctx := context.New()
	ctx.InAbsPath("/").Checked(false).VariableWithValue("logit_scale", tensors.FromScalar(float32(2.5)))
	ctx.InAbsPath("/AdamOptimizer").Checked(false).VariableWithValue("step", tensors.FromScalar(int64(7))).SetTrainable(false)
	ctx.InAbsPath("/AdamOptimizer/").Checked(false).VariableWithValue("step", tensors.FromScalar(int64(9))).SetTrainable(false)
	ctx.InAbsPath("/AdamOptimizer/").Checked(false).
		VariableWithValue("logit_scale_1st_moment", tensors.FromScalar(float32(0.25))).SetTrainable(false)
	ctx.InAbsPath("/other").Checked(false).VariableWithValue("w", tensors.FromFlatDataAndDimensions([]float32{1, 2}, 2))
	model := clipmodel.Weights{"logit_scale": {Shape: []int{}, Data: []float32{2.5}}}

	path := filepath.Join(t.TempDir(), "opt.safetensors")
	if err := SaveOptimizer(path, ctx, model); err != nil {
		t.Fatal(err)
	}
	saved, err := OptimizerTensors(ctx, model)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 3 {
		t.Errorf("saved %d variables, want the 3 non-trainable ones: %v", len(saved), keys(saved))
	}
	fresh := context.New()
	if err := RestoreOptimizer(fresh, path); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scope, name string
		want        float64
	}{
		{"/AdamOptimizer", "step", 7},
		{"/AdamOptimizer/", "step", 9},
		{"/AdamOptimizer/", "logit_scale_1st_moment", 0.25},
	} {
		v := fresh.GetVariableByScopeAndName(c.scope, c.name)
		if v == nil {
			t.Errorf("%s %s not restored", c.scope, c.name)
			continue
		}
		if v.Trainable {
			t.Errorf("%s %s restored as trainable", c.scope, c.name)
		}
		val := mustValue(t, v)
		var got float64
		if val.DType().IsFloat() {
			got = float64(tensors.ToScalar[float32](val))
		} else {
			got = float64(tensors.ToScalar[int64](val))
		}
		if got != c.want {
			t.Errorf("%s %s = %v, want %v", c.scope, c.name, got, c.want)
		}
	}
	if err := os.WriteFile(path, []byte("not safetensors"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RestoreOptimizer(context.New(), path); err == nil {
		t.Errorf("a damaged file restored without error")
	}
}

func mustValue(t *testing.T, v *context.Variable) *tensors.Tensor {
	t.Helper()
	val, err := v.Value()
	if err != nil {
		t.Fatal(err)
	}
	return val
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
