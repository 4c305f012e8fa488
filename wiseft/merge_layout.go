package wiseft

import (
	"fmt"
	"math"
	"slices"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/internal/parallel"
)

// checkSameLayout verifies that every weight set holds exactly the same tensor names with the same shapes (and
// that each tensor's data matches its shape). labels name the sets in errors ("θ0", "model 2", ...). It returns
// the sorted tensor names.
func checkSameLayout(labels []string, ws []clipmodel.Weights) ([]string, error) {
	if len(ws) == 0 {
		return nil, fmt.Errorf("no weights given")
	}
	for i, w := range ws {
		if w == nil {
			return nil, fmt.Errorf("%s is nil", labels[i])
		}
	}
	ref := ws[0]
	names := ref.Names()
	for _, name := range names {
		t := ref[name]
		if err := checkTensor(labels[0], name, t); err != nil {
			return nil, err
		}
		for i := 1; i < len(ws); i++ {
			u, ok := ws[i][name]
			if !ok {
				return nil, fmt.Errorf("tensor %q is in %s (shape %s) but missing from %s",
					name, labels[0], safetensors.ShapeString(t.Shape), labels[i])
			}
			if !slices.Equal(t.Shape, u.Shape) {
				return nil, fmt.Errorf("tensor %q has shape %s in %s but %s in %s",
					name, safetensors.ShapeString(t.Shape), labels[0], safetensors.ShapeString(u.Shape), labels[i])
			}
			if err := checkTensor(labels[i], name, u); err != nil {
				return nil, err
			}
		}
	}
	for i := 1; i < len(ws); i++ {
		if len(ws[i]) == len(ref) {
			continue
		}
		for _, name := range ws[i].Names() {
			if _, ok := ref[name]; !ok {
				return nil, fmt.Errorf("tensor %q is in %s (shape %s) but missing from %s",
					name, labels[i], safetensors.ShapeString(ws[i][name].Shape), labels[0])
			}
		}
	}
	return names, nil
}

// checkTensor verifies that a tensor's data length matches its shape.
func checkTensor(label, name string, t *clipmodel.Tensor) error {
	if t == nil {
		return fmt.Errorf("tensor %q of %s is nil", name, label)
	}
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	if n != len(t.Data) {
		return fmt.Errorf("tensor %q of %s: shape %s needs %d values, holds %d",
			name, label, safetensors.ShapeString(t.Shape), n, len(t.Data))
	}
	return nil
}

// pairLabels returns the labels "θ0", "θ1" used in two-model errors.
func pairLabels() []string { return []string{"θ0", "θ1"} }

// modelLabels returns "model 0", "model 1", ... for n-model errors.
func modelLabels(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prefix, i)
	}
	return out
}

// combine builds a new weight set with the names and shapes of ref, filling each tensor with fn(name, out), on
// up to GOMAXPROCS goroutines (one tensor at a time each). A result that is not a finite number (an input's
// NaN, or a coefficient so large that float32 overflows) is an error naming the first such tensor, in name
// order: a merged model is never handed on with values no layer can compute with.
func combine(ref clipmodel.Weights, names []string, fn func(name string, out []float32)) (clipmodel.Weights, error) {
	out := make(clipmodel.Weights, len(names))
	for _, name := range names {
		out[name] = clipmodel.NewTensor(ref[name].Shape...)
	}
	errs := make([]error, len(names))
	parallel.For(len(names), 0, func(i int) {
		fn(names[i], out[names[i]].Data)
		errs[i] = out[names[i]].CheckFinite(names[i])
	})
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("the merged %w", err)
		}
	}
	return out, nil
}

// checkFinite rejects NaN and infinite coefficients.
func checkFinite(what string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s must be a finite number, got %v", what, v)
	}
	return nil
}
