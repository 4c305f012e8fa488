package wiseft

import (
	"fmt"
	"math"
	"slices"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// DefaultFisherFloor is the lower bound applied to every Fisher value before merging, as in the paper's code
// (wise_ft.py, --fisher_floor 1e-8): it keeps parameters that no example moved from dividing by zero.
//
//	w, err := wiseft.FisherMerge(thetas, fishers, nil, wiseft.DefaultFisherFloor)
const DefaultFisherFloor = 1e-8

// FisherMerge merges models by Fisher-weighted averaging (Matena & Raffel, 2022; the Fisher variant of WiSE-FT
// in the paper's code): per value,
//
//	θ = Σ cᵢ·Fᵢ·θᵢ / Σ cᵢ·Fᵢ,  Fᵢ = max(fisherᵢ, floor)
//
// computed in float64 and rounded to float32. thetas must hold exactly the same tensors. fishers (one per
// model, e.g. from ComputeFisher) hold diagonal Fisher values shaped like the weights; a tensor absent from every
// Fisher gets Fᵢ = 1 (plain weighted averaging, as the paper's code does), a tensor present in only some is an
// error, and nil fishers means all ones. coefs are the non-negative model coefficients (for two models and
// WiSE-FT's α: {1−α, α}); nil means equal coefficients. floor (usually DefaultFisherFloor) must be ≥ 0; where
// every cᵢ·Fᵢ is zero (floor 0 and no Fisher mass) the value falls back to Σ cᵢ·θᵢ / Σ cᵢ. With equal Fishers
// the result is the coefficient-weighted average: Interpolate for two models, up to rounding.
//
//	f0, _ := wiseft.ComputeFisher(zs, trainSet, 1000, 1)
//	f1, _ := wiseft.ComputeFisher(ft, trainSet, 1000, 1)
//	w, err := wiseft.FisherMerge(
//		[]clipmodel.Weights{zs.Model.Weights, ft.Model.Weights},
//		[]clipmodel.Weights{f0, f1}, []float64{0.5, 0.5}, wiseft.DefaultFisherFloor)
func FisherMerge(thetas, fishers []clipmodel.Weights, coefs []float64, floor float64) (clipmodel.Weights, error) {
	n := len(thetas)
	if n == 0 {
		return nil, fmt.Errorf("fisher merge: no models")
	}
	if fishers != nil && len(fishers) != n {
		return nil, fmt.Errorf("fisher merge: %d models but %d Fishers", n, len(fishers))
	}
	if err := checkFinite("fisher merge: floor", floor); err != nil {
		return nil, err
	}
	if floor < 0 {
		return nil, fmt.Errorf("fisher merge: floor must be ≥ 0, got %v", floor)
	}
	c, err := mergeCoefs(coefs, n)
	if err != nil {
		return nil, err
	}
	names, err := checkSameLayout(modelLabels("model", n), thetas)
	if err != nil {
		return nil, fmt.Errorf("fisher merge: %w", err)
	}
	withFisher, err := checkFishers(thetas[0], names, fishers)
	if err != nil {
		return nil, err
	}
	var csum float64
	for _, ci := range c {
		csum += ci
	}
	w, err := combine(thetas[0], names, func(name string, out []float32) {
		if !withFisher[name] {
			for k := range out {
				var s float64
				for i, th := range thetas {
					s += c[i] * float64(th[name].Data[k])
				}
				out[k] = float32(s / csum)
			}
			return
		}
		for k := range out {
			var num, den, plain float64
			for i, th := range thetas {
				f := math.Max(float64(fishers[i][name].Data[k]), floor)
				x := float64(th[name].Data[k])
				num += c[i] * f * x
				den += c[i] * f
				plain += c[i] * x
			}
			if den == 0 {
				out[k] = float32(plain / csum)
			} else {
				out[k] = float32(num / den)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fisher merge: %w", err)
	}
	return w, nil
}

// checkFisherValues refuses Fisher values that are not finite or are negative (they are means of squared
// gradients): either would make the weighted average meaningless without any error further on.
func checkFisherValues(t *clipmodel.Tensor, name string) error {
	if err := t.CheckFinite(name); err != nil {
		return err
	}
	for k, v := range t.Data {
		if v < 0 {
			return fmt.Errorf("tensor %q holds %g at index %d; Fisher values are means of squared gradients, never negative", name, v, k)
		}
	}
	return nil
}

// mergeCoefs validates the model coefficients (nil: all equal).
func mergeCoefs(coefs []float64, n int) ([]float64, error) {
	if coefs == nil {
		c := make([]float64, n)
		for i := range c {
			c[i] = 1 / float64(n)
		}
		return c, nil
	}
	if len(coefs) != n {
		return nil, fmt.Errorf("fisher merge: %d models but %d coefficients", n, len(coefs))
	}
	var sum float64
	for i, ci := range coefs {
		if math.IsNaN(ci) || math.IsInf(ci, 0) || ci < 0 {
			return nil, fmt.Errorf("fisher merge: coefficient %d is %v; coefficients must be finite and ≥ 0", i, ci)
		}
		sum += ci
	}
	if sum == 0 {
		return nil, fmt.Errorf("fisher merge: the coefficients sum to zero")
	}
	return slices.Clone(coefs), nil
}

// checkFishers verifies the Fishers against the weights' layout and reports, per tensor, whether Fisher values
// are given (in every Fisher) or not (in none).
func checkFishers(ref clipmodel.Weights, names []string, fishers []clipmodel.Weights) (map[string]bool, error) {
	with := make(map[string]bool, len(names))
	if fishers == nil {
		return with, nil
	}
	for i, f := range fishers {
		if f == nil {
			return nil, fmt.Errorf("fisher merge: Fisher %d is nil", i)
		}
		for name, t := range f {
			if _, ok := ref[name]; !ok {
				return nil, fmt.Errorf("fisher merge: Fisher %d has tensor %q (shape %s), which the models do not have",
					i, name, safetensors.ShapeString(t.Shape))
			}
		}
	}
	for _, name := range names {
		count := 0
		for i, f := range fishers {
			t, ok := f[name]
			if !ok {
				continue
			}
			count++
			if !slices.Equal(t.Shape, ref[name].Shape) {
				return nil, fmt.Errorf("fisher merge: tensor %q has shape %s in the models but %s in Fisher %d",
					name, safetensors.ShapeString(ref[name].Shape), safetensors.ShapeString(t.Shape), i)
			}
			if err := checkTensor(fmt.Sprintf("Fisher %d", i), name, t); err != nil {
				return nil, fmt.Errorf("fisher merge: %w", err)
			}
			if err := checkFisherValues(t, name); err != nil {
				return nil, fmt.Errorf("fisher merge: Fisher %d: %w", i, err)
			}
		}
		switch count {
		case 0:
		case len(fishers):
			with[name] = true
		default:
			return nil, fmt.Errorf("fisher merge: tensor %q has Fisher values in %d of %d Fishers (all or none)",
				name, count, len(fishers))
		}
	}
	return with, nil
}
