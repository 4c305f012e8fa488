package trainloop

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// Format is the metadata "format" of a variables file.
const Format = "gomlx-context-variables"

// SaveOptimizerIn writes the optimizer state of ctx (SaveOptimizer) into the checkpoint folder dir, as OptimizerFile.
func SaveOptimizerIn(dir string, ctx *context.Context, model clipmodel.Weights) error {
	return SaveOptimizer(filepath.Join(dir, OptimizerFile), ctx, model)
}

// RestoreOptimizerFrom restores into ctx (RestoreOptimizer) the optimizer state of the checkpoint folder dir.
func RestoreOptimizerFrom(ctx *context.Context, dir string) error {
	return RestoreOptimizer(ctx, filepath.Join(dir, OptimizerFile))
}

// SaveOptimizer writes every variable of ctx that is neither trainable nor one of model's weights to the safetensors file
// at path (atomically), each named "<scope>/<name>" as in the context ("/AdamOptimizer/global_step").
func SaveOptimizer(path string, ctx *context.Context, model clipmodel.Weights) error {
	vars, err := OptimizerTensors(ctx, model)
	if err != nil {
		return err
	}
	return safetensors.WriteFile(path, vars, map[string]string{"format": Format})
}

// OptimizerTensors collects every variable of ctx that is neither trainable nor one of model's weights. Only float32 and
// int64 variables are supported (all that GoMLX's optimizers create).
func OptimizerTensors(ctx *context.Context, model clipmodel.Weights) (map[string]*safetensors.Tensor, error) {
	out := map[string]*safetensors.Tensor{}
	for v := range ctx.IterVariables() {
		if _, isWeight := model[clipmodel.ScopeToKey(v.Scope(), v.Name())]; isWeight || v.Trainable {
			continue
		}
		value, err := v.Value()
		if err != nil {
			return nil, err
		}
		dims := value.Shape().Dimensions
		var t *safetensors.Tensor
		switch value.DType() {
		case dtypes.Float32:
			data, err := tensors.CopyFlatData[float32](value)
			if err != nil {
				return nil, err
			}
			t = safetensors.FromFloat32(data, dims...)
		case dtypes.Int64:
			data, err := tensors.CopyFlatData[int64](value)
			if err != nil {
				return nil, err
			}
			t = safetensors.FromInt64(data, dims...)
		default:
			return nil, fmt.Errorf("optimizer variable %s has dtype %s (only float32 and int64 are saved)",
				v.ScopeAndName(), value.DType())
		}
		out[variableKey(v.Scope(), v.Name())] = t
	}
	return out, nil
}

// RestoreOptimizer sets (creating where needed) the variables saved by SaveOptimizer in ctx, as non-trainable variables. Call it
// before the training step is first built, so that the optimizer finds its state instead of creating it.
func RestoreOptimizer(ctx *context.Context, path string) error {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return err
	}
	for key, t := range f.Tensors {
		if !strings.HasPrefix(key, "/") {
			return fmt.Errorf("%s: tensor %q is not a context variable name", path, key)
		}
		var value *tensors.Tensor
		switch t.DType {
		case safetensors.F32:
			data, err := t.Float32()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, key, err)
			}
			value = tensors.FromFlatDataAndDimensions(data, t.Shape...)
		case safetensors.I64:
			data, err := t.Int64()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, key, err)
			}
			value = tensors.FromFlatDataAndDimensions(data, t.Shape...)
		default:
			return fmt.Errorf("%s: %s has dtype %s", path, key, t.DType)
		}
		scope, name := splitVariableKey(key)
		if v := ctx.GetVariableByScopeAndName(scope, name); v != nil {
			if !v.Shape().Equal(value.Shape()) {
				return fmt.Errorf("%s: %s has shape %s, the training context expects %s", path, key, value.Shape(), v.Shape())
			}
			if v.Trainable {
				return fmt.Errorf("%s: %s is a trainable weight, not optimizer state", path, key)
			}
			if err := v.SetValue(value); err != nil {
				return err
			}
			continue
		}
		ctx.InAbsPath(scope).Checked(false).VariableWithValue(name, value).SetTrainable(false)
	}
	return nil
}

// variableKey names a context variable in a variables file: "<scope>/<name>" ("/AdamOptimizer/global_step"). A
// scope that ends in "/" other than the root keeps it, as a double slash: GoMLX's Adam puts the moments of a
// root-scope weight such as logit_scale in the scope "/AdamOptimizer/", beside its own "/AdamOptimizer" (the
// moments of logit_scale are "/AdamOptimizer//logit_scale_1st_moment").
func variableKey(scope, name string) string {
	if scope != context.RootScope && strings.HasSuffix(scope, "/") {
		return scope + "/" + name
	}
	return strings.TrimSuffix(scope, "/") + "/" + name
}

// splitVariableKey inverts variableKey.
func splitVariableKey(key string) (scope, name string) {
	if i := strings.LastIndex(key, "//"); i > 0 {
		return key[:i+1], key[i+2:]
	}
	i := strings.LastIndexByte(key, '/')
	scope, name = key[:i], key[i+1:]
	if scope == "" {
		scope = context.RootScope
	}
	return scope, name
}
