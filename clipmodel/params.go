package clipmodel

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Every parameter lives in a GoMLX context variable whose scope and name spell the Hugging Face key:
// "vision_model.encoder.layers.0.mlp.fc1.weight" is variable "weight" in scope
// "/vision_model/encoder/layers/0/mlp/fc1". The graph reads them as parameters of the compiled program, so new
// values (another α of an interpolation, a fine-tuning step) run without recompiling.

// KeyToScope splits a Hugging Face parameter key into the context scope and variable name that hold it.
func KeyToScope(key string) (scope, name string) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return context.RootScope, key
	}
	return "/" + strings.ReplaceAll(key[:i], ".", "/"), key[i+1:]
}

// ScopeToKey is the inverse of KeyToScope.
func ScopeToKey(scope, name string) string {
	s := strings.Trim(scope, "/")
	if s == "" {
		return name
	}
	return strings.ReplaceAll(s, "/", ".") + "." + name
}

// SetWeights stores weights in ctx as variables (creating them or replacing their values). Every tensor is copied
// to a GoMLX tensor; the weights map itself is not retained.
func SetWeights(ctx *context.Context, w Weights) {
	_ = setWeightsUnder(ctx, "", w, hostTensor)
}

func hostTensor(t *Tensor) (*tensors.Tensor, error) {
	return tensors.FromFlatDataAndDimensions(t.Data, t.Shape...), nil
}

// SetWeightsOn is SetWeights with each value placed on device 0 of backend b right away: one copy per weight, the
// backend's buffer, where SetWeights keeps a host tensor that the first program run copies once more to the
// device (for ViT-B/32's image tower, 350 MB more at its peak). For weights that only programs on b read.
func SetWeightsOn(ctx *context.Context, b backends.Backend, w Weights) error {
	return setWeightsUnder(ctx, "", w, func(t *Tensor) (*tensors.Tensor, error) {
		buf, err := b.BufferFromFlatData(0, t.Data, shapes.Make(dtypes.Float32, t.Shape...))
		if err != nil {
			return nil, err
		}
		return tensors.FromBuffer(b, buf)
	})
}

func setWeightsUnder(ctx *context.Context, prefix string, w Weights, value func(*Tensor) (*tensors.Tensor, error)) error {
	for _, key := range w.Names() {
		value, err := value(w[key])
		if err != nil {
			return fmt.Errorf("weight %s: %w", key, err)
		}
		scope, name := KeyToScope(key)
		if prefix != "" {
			scope = joinScope(prefix, scope)
		}
		if v := ctx.GetVariableByScopeAndName(scope, name); v != nil && v.Shape().Equal(value.Shape()) {
			v.MustSetValue(value)
			continue
		}
		ctx.InAbsPath(scope).Checked(false).VariableWithValue(name, value)
	}
	return nil
}

// GetWeights reads back from ctx the variables named by keys (for saving a fine-tuned model).
func GetWeights(ctx *context.Context, keys []string) (Weights, error) {
	out := make(Weights, len(keys))
	for _, key := range keys {
		scope, name := KeyToScope(key)
		v := ctx.GetVariableByScopeAndName(scope, name)
		if v == nil {
			return nil, errMissingVariable(key)
		}
		value, err := v.Value()
		if err != nil {
			return nil, err
		}
		data, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return nil, err
		}
		out[key] = &Tensor{Shape: value.Shape().Dimensions, Data: data}
	}
	return out, nil
}

type errMissingVariable string

func (e errMissingVariable) Error() string {
	return "weight " + string(e) + " is not loaded in the context"
}
