package wiseft

import "math"

// CosineLR is the learning rate of step step (0-based) under the paper's schedule (cosine_lr in the WiSE-FT
// code): a linear warmup over the first warmup steps, base·(step+1)/warmup, then a half cosine from base down to
// 0 over the remaining total−warmup steps, 0.5·(1+cos(π·(step−warmup)/(total−warmup)))·base. Steps past the end
// (and every post-warmup step when total ≤ warmup) get 0.
func CosineLR(base float64, warmup, total, step int) float64 {
	if step < warmup {
		return base * float64(step+1) / float64(warmup)
	}
	e, es := step-warmup, total-warmup
	if es <= 0 || e >= es {
		return 0
	}
	return 0.5 * (1 + math.Cos(math.Pi*float64(e)/float64(es))) * base
}
