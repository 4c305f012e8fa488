package main

import (
	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// loadWeightsFile reads a safetensors file of float tensors (a Fisher file, a task vector) by name.
func loadWeightsFile(path string) (clipmodel.Weights, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w := make(clipmodel.Weights, len(f.Tensors))
	for name, t := range f.Tensors {
		data, err := t.Float32()
		if err != nil {
			return nil, err
		}
		w[name] = &clipmodel.Tensor{Shape: t.Shape, Data: data}
	}
	return w, nil
}
