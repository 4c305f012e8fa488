package wiseft

import (
	"fmt"

	"github.com/gowiseft/wiseft/clipmodel"
)

// InterpolateOptions changes what Interpolate accepts.
//
//	w, err := wiseft.Interpolate(zs, ft, 1.2, wiseft.InterpolateOptions{AllowExtrapolation: true})
type InterpolateOptions struct {
	// AllowExtrapolation accepts α outside [0, 1] (θ(α) then lies on the line through the two models, beyond one
	// of them). The paper's weight-space ensembles use α in [0, 1].
	AllowExtrapolation bool
}

// Interpolate returns the WiSE-FT weight-space ensemble θ(α) = (1−α)·θ0 + α·θ1 of two models with
// exactly the same tensors (names and shapes; a mismatch is an error naming the tensor and both shapes). Every
// tensor is mixed, classification head included. Each value is computed in float64 and rounded to float32, so
// α = 0 and α = 1 return copies of θ0 and θ1 bit for bit and α = 0.5 the correctly rounded mean. α must lie in
// [0, 1] unless InterpolateOptions.AllowExtrapolation is set. The inputs are not modified.
//
//	zs, _ := wiseft.LoadClassifier("zeroshot", nil)
//	ft, _ := wiseft.LoadClassifier("finetuned", nil)
//	mid, err := wiseft.Interpolate(zs.Model.Weights, ft.Model.Weights, 0.5)
func Interpolate(theta0, theta1 clipmodel.Weights, alpha float64,
	opts ...InterpolateOptions) (clipmodel.Weights, error) {
	var o InterpolateOptions
	for _, opt := range opts {
		o.AllowExtrapolation = o.AllowExtrapolation || opt.AllowExtrapolation
	}
	if err := checkFinite("interpolate: α", alpha); err != nil {
		return nil, err
	}
	if !o.AllowExtrapolation && (alpha < 0 || alpha > 1) {
		return nil, fmt.Errorf("interpolate: α = %v is outside [0, 1] "+
			"(set InterpolateOptions.AllowExtrapolation to extrapolate)", alpha)
	}
	names, err := checkSameLayout(pairLabels(), []clipmodel.Weights{theta0, theta1})
	if err != nil {
		return nil, fmt.Errorf("interpolate: %w", err)
	}
	switch alpha {
	case 0:
		return theta0.Clone(), nil
	case 1:
		return theta1.Clone(), nil
	}
	w, err := combine(theta0, names, func(name string, out []float32) {
		a, b := theta0[name].Data, theta1[name].Data
		for i := range out {
			out[i] = float32((1-alpha)*float64(a[i]) + alpha*float64(b[i]))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("interpolate: α = %v: %w", alpha, err)
	}
	return w, nil
}

// TaskVector applies the task vector τ = θ1 − θ0 with scale λ: θ0 + λ·(θ1 − θ0), computed per value in float64
// and rounded to float32. Any finite λ is allowed (λ > 1 amplifies the fine-tuning, λ < 0 negates it); λ = 0
// and λ = 1 return copies of θ0 and θ1 bit for bit. For λ in [0, 1] it is the same model as Interpolate
// with α = λ up to rounding.
//
//	amplified, err := wiseft.TaskVector(zs.Model.Weights, ft.Model.Weights, 1.5)
func TaskVector(theta0, theta1 clipmodel.Weights, lambda float64) (clipmodel.Weights, error) {
	if err := checkFinite("task vector: λ", lambda); err != nil {
		return nil, err
	}
	names, err := checkSameLayout(pairLabels(), []clipmodel.Weights{theta0, theta1})
	if err != nil {
		return nil, fmt.Errorf("task vector: %w", err)
	}
	switch lambda {
	case 0:
		return theta0.Clone(), nil
	case 1:
		return theta1.Clone(), nil
	}
	w, err := combine(theta0, names, func(name string, out []float32) {
		a, b := theta0[name].Data, theta1[name].Data
		for i := range out {
			x := float64(a[i])
			out[i] = float32(x + lambda*(float64(b[i])-x))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("task vector: λ = %v: %w", lambda, err)
	}
	return w, nil
}

// MustInterpolate is Interpolate for notebook cells: it panics on error.
//
//	mid := wiseft.MustInterpolate(zs.Model.Weights, ft.Model.Weights, 0.5)
func MustInterpolate(theta0, theta1 clipmodel.Weights, alpha float64,
	opts ...InterpolateOptions) clipmodel.Weights {
	w, err := Interpolate(theta0, theta1, alpha, opts...)
	if err != nil {
		panic(err)
	}
	return w
}
