// Package trainstate saves and restores what a training run needs besides the model's weights to continue bit for
// bit (the optimizer's moments and step counters, the learning rate: every non-trainable variable of a GoMLX
// context), and swaps checkpoint folders into place whole. Fine-tuning (package wiseft) and the world's
// contrastive pretraining (package world) share it.
package trainstate

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/internal/atomicfile"
)

// Format is the metadata "format" of a variables file.
const Format = "gomlx-context-variables"

// Save writes every variable of ctx that is neither trainable nor one of model's weights to the safetensors file
// at path (atomically), each named "<scope>/<name>" as in the context ("/AdamOptimizer/global_step").
func Save(path string, ctx *context.Context, model clipmodel.Weights) error {
	vars, err := Tensors(ctx, model)
	if err != nil {
		return err
	}
	return safetensors.WriteFile(path, vars, map[string]string{"format": Format})
}

// Tensors collects every variable of ctx that is neither trainable nor one of model's weights. Only float32 and
// int64 variables are supported (all that GoMLX's optimizers create).
func Tensors(ctx *context.Context, model clipmodel.Weights) (map[string]*safetensors.Tensor, error) {
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

// Restore sets (creating where needed) the variables saved by Save in ctx, as non-trainable variables. Call it
// before the training step is first built, so that the optimizer finds its state instead of creating it.
func Restore(ctx *context.Context, path string) error {
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

// PartialInfix marks the temporary folder of a checkpoint being written (".checkpoint_3.partial-123456"), and
// OldInfix a folder moved aside by SwapDir; RemoveStale removes both kinds.
const (
	PartialInfix = ".partial-"
	OldInfix     = ".old-"
)

// TempDir makes the hidden temporary folder in which the checkpoint folder final is assembled before SwapDir.
func TempDir(final string) (string, error) {
	return os.MkdirTemp(filepath.Dir(final), "."+filepath.Base(final)+PartialInfix+"*")
}

// RemoveStale removes, in dir, the temporary and set-aside folders (TempDir, SwapDir) of checkpoints whose names
// start with prefix and whose writer died: they are never read.
func RemoveStale(dir, prefix string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); e.IsDir() && strings.HasPrefix(n, "."+prefix) &&
			(strings.Contains(n, PartialInfix) || strings.Contains(n, OldInfix)) {
			_ = os.RemoveAll(filepath.Join(dir, n))
		}
	}
}

// RemoveOlderSteps removes, in dir, the mid-epoch checkpoint folders named prefix+<n> with n < step: a newer
// checkpoint has replaced them.
func RemoveOlderSteps(dir, prefix string, step int) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil && n >= 0 && strconv.Itoa(n) == rest && n < step {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// SwapDir moves the complete folder tmp to final, durably: final's parent is synced after the rename. A folder
// already at final (an earlier checkpoint of the same name) is first moved aside under a hidden name and removed
// once tmp is in place, so at every moment either the old folder or the new one is complete (if the process dies
// between the two renames, final is missing and the old folder waits under the hidden name).
func SwapDir(tmp, final string) error {
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it private
		return err
	}
	parent := filepath.Dir(final)
	var aside string
	if _, err := os.Lstat(final); err == nil {
		f, err := os.MkdirTemp(parent, "."+filepath.Base(final)+OldInfix+"*")
		if err != nil {
			return err
		}
		aside = f
		if err := os.Rename(final, filepath.Join(aside, "dir")); err != nil {
			os.Remove(aside)
			return err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		if aside != "" {
			_ = os.Rename(filepath.Join(aside, "dir"), final)
			_ = os.Remove(aside)
		}
		return err
	}
	atomicfile.SyncDir(parent)
	if aside != "" {
		_ = os.RemoveAll(aside)
	}
	return nil
}
