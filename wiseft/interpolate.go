package wiseft

import (
	"fmt"

	"github.com/gowiseft/wiseft/clipmodel"
)

// Interpolate returns the WiSE-FT weight-space ensemble θ(α) = (1−α)·θ0 + α·θ1 of two models with
// exactly the same tensors (names and shapes; a mismatch is an error naming the tensor and both shapes). Every
// tensor is mixed, classification head included. Each value is computed in float64 and rounded to float32, so
// α = 0 and α = 1 return copies of θ0 and θ1 bit for bit and α = 0.5 the correctly rounded mean. α must lie in
// [0, 1] (see Extrapolate for the rest of the line). The inputs are not modified.
//
//	zs, _ := wiseft.LoadClassifier("zeroshot", nil)
//	ft, _ := wiseft.LoadClassifier("finetuned", nil)
//	mid, err := wiseft.Interpolate(zs.Model.Weights, ft.Model.Weights, 0.5)
func Interpolate(theta0, theta1 clipmodel.Weights, alpha float64) (clipmodel.Weights, error) {
	if err := checkFinite("interpolate: α", alpha); err != nil {
		return nil, err
	}
	if alpha < 0 || alpha > 1 {
		return nil, fmt.Errorf("interpolate: α = %v is outside [0, 1] (Extrapolate goes beyond the two models)", alpha)
	}
	return mixLine(theta0, theta1, alpha, "interpolate")
}

// Extrapolate is Interpolate for any finite α: θ(α) = (1−α)·θ0 + α·θ1 on the whole line through the two models
// (α > 1 goes past the fine-tuned model, α < 0 away from it), with the same arithmetic.
//
//	beyond, err := wiseft.Extrapolate(zs.Model.Weights, ft.Model.Weights, 1.2)
func Extrapolate(theta0, theta1 clipmodel.Weights, alpha float64) (clipmodel.Weights, error) {
	if err := checkFinite("extrapolate: α", alpha); err != nil {
		return nil, err
	}
	return mixLine(theta0, theta1, alpha, "extrapolate")
}

// mixLine computes (1−α)·θ0 + α·θ1 per value in float64, rounded to float32 (copies at α = 0 and 1).
func mixLine(theta0, theta1 clipmodel.Weights, alpha float64, what string) (clipmodel.Weights, error) {
	names, err := checkSameLayout(pairLabels(), []clipmodel.Weights{theta0, theta1})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
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
		return nil, fmt.Errorf("%s: α = %v: %w", what, alpha, err)
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

// Mix returns the WiSE-FT classifier θ(α) = (1−α)·θ_zs + α·θ_ft (Interpolate) with zs's class names.
//
//	half, err := wiseft.Mix(zs, ft, 0.5)
func Mix(zs, ft *Classifier, alpha float64) (*Classifier, error) {
	w, err := Interpolate(zs.Model.Weights, ft.Model.Weights, alpha)
	if err != nil {
		return nil, err
	}
	m := *zs.Model
	m.Weights = w
	return &Classifier{Model: &m, ClassNames: zs.ClassNames}, nil
}
