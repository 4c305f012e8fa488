package figures

import "math"

// Eps bounds the accuracies drawn on a logit axis to [Eps, 1-Eps], so
// that 0 and 1 (whose logits are infinite) stay on the figure.
const Eps = 1e-4

// Logit returns ln(p/(1-p)), with p clamped to [Eps, 1-Eps].
//
//	Logit(0.5) == 0
//	Logit(0.9) ≈ 2.197
func Logit(p float64) float64 {
	p = clampProb(p)
	return math.Log(p / (1 - p))
}

// InvLogit is the inverse of [Logit]: 1/(1+e^-z).
func InvLogit(z float64) float64 {
	return 1 / (1 + math.Exp(-z))
}

func clampProb(p float64) float64 {
	switch {
	case math.IsNaN(p):
		return p
	case p < Eps:
		return Eps
	case p > 1-Eps:
		return 1 - Eps
	}
	return p
}

// LogitScale is a gonum plot.Normalizer that places accuracies (fractions
// in (0, 1)) on an axis linearly in their logit. Set it as an axis's
// Scale, with [PercentTicks] as its tick marker:
//
//	p.X.Scale = figures.LogitScale{}
//	p.X.Tick.Marker = figures.PercentTicks{}
type LogitScale struct{}

// Normalize returns the position of x between min and max in logit
// space: 0 at min, 1 at max.
func (LogitScale) Normalize(min, max, x float64) float64 {
	lo := Logit(min)
	span := Logit(max) - lo
	if span == 0 {
		return 0.5
	}
	return (Logit(x) - lo) / span
}
