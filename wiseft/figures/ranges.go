package figures

import "math"

// scatterRanges returns the logit ranges of the axes: the data padded
// by 8 % on each side, then, if the line y = x would cross less than
// 25 % of either axis, one axis widened towards it until it crosses 25 %
// of the other: the axis that grows less, relative to its span.
func scatterRanges(xs, ys []float64) (x0, x1, y0, y1 float64) {
	x0, x1 = paddedLogitRange(xs)
	y0, y1 = paddedLogitRange(ys)
	sx, sy := x1-x0, y1-y0
	overlap := min(x1, y1) - max(x0, y0)
	if overlap >= 0.25*min(sx, sy) {
		return
	}
	dx := 0.25*sy - overlap // widening x by dx shows y = x over 25 % of y
	dy := 0.25*sx - overlap
	below := (y0+y1)/2 < (x0+x1)/2 // data below y = x
	switch {
	case dx/sx <= dy/sy && below:
		x0 -= dx
	case dx/sx <= dy/sy:
		x1 += dx
	case below:
		y1 += dy
	default:
		y0 -= dy
	}
	return
}

// paddedLogitRange returns the logit range of ps padded by 8 % of its
// span, or by 0.15 for a span under 0.1, on each side.
func paddedLogitRange(ps []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		z := Logit(p)
		lo, hi = min(lo, z), max(hi, z)
	}
	pad := 0.08 * (hi - lo)
	if hi-lo < 0.1 {
		pad = 0.15
	}
	return lo - pad, hi + pad
}
