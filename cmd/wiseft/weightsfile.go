package main

import (
	"fmt"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// loadWeightsFile reads a safetensors file of float tensors (a Fisher file, a task vector) by name. A tensor of
// an integer dtype, or holding a value that is not a finite number, is an error naming it.
func loadWeightsFile(path string) (clipmodel.Weights, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w := make(clipmodel.Weights, len(f.Tensors))
	for name, t := range f.Tensors {
		switch t.DType {
		case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
		default:
			return nil, fmt.Errorf("%s: tensor %q has dtype %s, not a float type", path, name, t.DType)
		}
		data, err := t.Float32()
		if err != nil {
			return nil, err
		}
		w[name] = &clipmodel.Tensor{Shape: t.Shape, Data: data}
	}
	for _, name := range w.Names() {
		if err := w[name].CheckFinite(name); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return w, nil
}

// checkFisherFile reads a --fisher file before any work and refuses what the merge would refuse after the
// fine-tuning: a damaged file, a value that is not finite, a negative one (Fisher values are squared gradients).
func checkFisherFile(path string) error {
	w, err := loadWeightsFile(path)
	if err != nil {
		return err
	}
	for _, name := range w.Names() {
		for k, v := range w[name].Data {
			if v < 0 {
				return fmt.Errorf("%s: tensor %q holds %g at index %d; Fisher values are never negative", path, name, v, k)
			}
		}
	}
	return nil
}
