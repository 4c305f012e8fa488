package figures

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// PercentTicks is a gonum plot.Ticker for logit-scaled accuracy axes
// (see [LogitScale]). It labels round percentages — 50, then 10 and 90,
// 1 and 99, 30 and 70, 5 and 95, ... down to steps of 0.1 % — chosen to
// fit the axis range with at most N labels spread evenly in logit space.
type PercentTicks struct {
	N int // most labelled ticks; 0 means 8
}

// Ticks returns the tick marks for an axis from min to max (fractions).
func (t PercentTicks) Ticks(min, max float64) []plot.Tick {
	n := t.N
	if n <= 0 {
		n = 8
	}
	var ticks []plot.Tick
	for _, k := range selectTicks(min, max, n) {
		ticks = append(ticks, plot.Tick{Value: float64(k) / 1000, Label: percentLabel(k)})
	}
	return ticks
}

// percentLabel formats k tenths of a percent: 905 → "90.5%".
func percentLabel(k int) string {
	return strconv.FormatFloat(float64(k)/10, 'f', -1, 64) + "%"
}

// tickRank orders candidate ticks, given in tenths of a percent, by how
// round they are on a logit axis: lower is preferred.
func tickRank(k int) int {
	sym := min(k, 1000-k) // the axis is symmetric around 50 %
	switch {
	case sym == 500:
		return 0
	case sym == 100:
		return 1
	case sym == 10:
		return 2
	case sym == 300:
		return 3
	case sym == 50:
		return 4
	case sym == 1:
		return 5
	case sym%100 == 0: // 20, 40, 60, 80 %
		return 6
	case sym == 5:
		return 7
	case sym == 20:
		return 8
	case sym%50 == 0:
		return 9
	case sym%10 == 0:
		return 10
	case sym%5 == 0:
		return 11
	}
	return 12
}

// selectTicks returns, sorted, at most n tick values in tenths of a
// percent within [min, max] (fractions). Candidates are taken roundest
// first, rank by rank (see tickRank), and kept if they are at least a
// 1/n-th of the axis span, in logit, from every tick kept so far. Steps
// of 1 % and finer are tried only while fewer than three ticks are
// kept, and the spacing is relaxed if fewer than two are.
func selectTicks(pmin, pmax float64, n int) []int {
	if math.IsNaN(pmin) || math.IsNaN(pmax) || n < 1 {
		return nil
	}
	if pmin > pmax {
		pmin, pmax = pmax, pmin
	}
	lo := int(math.Ceil(clampProb(pmin)*1000 - 1e-9))
	hi := int(math.Floor(clampProb(pmax)*1000 + 1e-9))
	lo, hi = max(lo, 1), min(hi, 999)
	if lo > hi {
		return nil
	}
	cands := make([]int, 0, hi-lo+1)
	for k := lo; k <= hi; k++ {
		cands = append(cands, k)
	}
	sort.SliceStable(cands, func(i, j int) bool { return tickRank(cands[i]) < tickRank(cands[j]) })

	span := Logit(pmax) - Logit(pmin)
	for gap := span / float64(n); ; gap /= 2 {
		var kept []int
		for i, k := range cands {
			if len(kept) == n {
				break
			}
			newRank := i == 0 || tickRank(k) != tickRank(cands[i-1])
			if newRank && tickRank(k) > 9 && len(kept) >= min(3, n) {
				break // steps of 1 % or finer only for narrow ranges
			}
			if farFrom(k, kept, gap) {
				kept = append(kept, k)
			}
		}
		if len(kept) >= 2 || len(kept) == len(cands) || gap < 1e-6 {
			sort.Ints(kept)
			return kept
		}
	}
}

// farFrom reports whether tick k is at least gap, in logit, from every
// tick in kept.
func farFrom(k int, kept []int, gap float64) bool {
	z := Logit(float64(k) / 1000)
	for _, o := range kept {
		if math.Abs(z-Logit(float64(o)/1000)) < gap*(1-1e-9) {
			return false
		}
	}
	return true
}

// RoundTicks is a plot.Ticker for linear axes: labelled ticks at a round step (1, 2 or 5 × 10^k, the one nearest
// to a fifth of the range), with Suffix after each label ("%" for axes in percent), and unlabelled ticks halfway
// between. Ticks above MaxLabelled (when it is not zero) are drawn without labels, to keep a corner free for a
// legend.
type RoundTicks struct {
	Suffix      string
	MaxLabelled float64
}

// Ticks implements plot.Ticker.
func (r RoundTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64) + r.Suffix}}
	}
	raw := (hi - lo) / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step := pow
	for _, m := range []float64{1, 2, 5, 10} {
		if math.Abs(math.Log(m*pow/raw)) < math.Abs(math.Log(step/raw)) {
			step = m * pow
		}
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ts []plot.Tick
	for k := math.Ceil(lo/step*2 - 1e-9); k/2*step <= hi+1e-9*step; k++ {
		v := k / 2 * step
		t := plot.Tick{Value: v}
		if int(k)%2 == 0 && (r.MaxLabelled == 0 || v <= r.MaxLabelled) {
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
			if strings.Trim(t.Label, "-0.") == "" {
				t.Label = strings.TrimPrefix(t.Label, "-") // not "-0"
			}
			t.Label += r.Suffix
		}
		ts = append(ts, t)
	}
	return ts
}
