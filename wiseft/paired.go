package wiseft

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Difference is a paired comparison of two classifiers on the same examples: the difference of their top-1
// accuracies and its standard error, computed from the per-example differences in correctness d ∈ {−1, 0, 1}
// (SE = s/√n with s² the sample variance of d, divisor n − 1).
//
// Two models of one WiSE-FT sweep err mostly on the same examples, so this error is much smaller than the two
// accuracies' binomial errors combined: on 2,000 MNIST images each accuracy near 97 % has a standard error of about
// 0.4 points, while α = 0.5 against the fine-tuned model is typically ± 0.15. It is the error that says whether a
// gap of a few tenths is noise.
//
//	d, _ := wiseft.PairedDifference(predsHalf, predsFineTuned)
//	fmt.Println(d) // "−0.66 ± 0.13" (points)
type Difference struct {
	// Diff is top-1(a) − top-1(b), in [−1, 1].
	Diff float64
	// SE is the standard error of Diff (NaN with fewer than two examples).
	SE float64
	// N is the number of examples compared (for a mean of differences, the sum over its sets).
	N int
}

// String prints the difference and its error in points, signed: "+0.15 ± 0.16" ("± n/a" without an error).
func (d Difference) String() string {
	if math.IsNaN(d.SE) {
		return signedPct(d.Diff) + " ± n/a"
	}
	return signedPct(d.Diff) + " ± " + strconv.FormatFloat(100*d.SE, 'f', 2, 64)
}

// signedPct prints a fraction in points with its sign ("−" for negatives, as the tables' prose writes it).
func signedPct(v float64) string {
	s := strconv.FormatFloat(100*v, 'f', 2, 64)
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	return "+" + s
}

// PairedDifference compares two classifiers' predictions of the same examples, matched by Prediction.Index: a's
// top-1 accuracy minus b's, with the paired standard error. Both must hold exactly the same examples, with the
// same labels.
//
//	zs, _ := evZeroShot.Predict(ctx, ds, 0)
//	ft, _ := evFineTuned.Predict(ctx, ds, 0)
//	d, err := wiseft.PairedDifference(ft, zs) // fine-tuned − zero-shot
func PairedDifference(a, b []Prediction) (Difference, error) {
	if len(a) != len(b) {
		return Difference{}, fmt.Errorf("paired difference: %d predictions against %d: not the same examples", len(a), len(b))
	}
	if len(a) == 0 {
		return Difference{}, fmt.Errorf("paired difference: no predictions")
	}
	other := b
	if !sameOrder(a, b) {
		at := make(map[int]int, len(b))
		for k, p := range b {
			if _, dup := at[p.Index]; dup {
				return Difference{}, fmt.Errorf("paired difference: example %d is predicted twice", p.Index)
			}
			at[p.Index] = k
		}
		other = make([]Prediction, len(a))
		for k, p := range a {
			j, ok := at[p.Index]
			if !ok {
				return Difference{}, fmt.Errorf("paired difference: example %d has no prediction to compare with", p.Index)
			}
			other[k] = b[j]
			delete(at, p.Index) // a repeated index in a then finds nothing
		}
	}
	var sum, sumSq float64
	for k, p := range a {
		q := other[k]
		if p.Label != q.Label {
			return Difference{}, fmt.Errorf("paired difference: example %d has label %d on one side and %d on the other",
				p.Index, p.Label, q.Label)
		}
		d := correctness(p) - correctness(q)
		sum += d
		sumSq += d * d
	}
	n := float64(len(a))
	mean := sum / n
	se := math.NaN()
	if len(a) > 1 {
		v := (sumSq - n*mean*mean) / (n - 1)
		se = math.Sqrt(max(v, 0) / n)
	}
	return Difference{Diff: mean, SE: se, N: len(a)}, nil
}

func sameOrder(a, b []Prediction) bool {
	for k := range a {
		if a[k].Index != b[k].Index {
			return false
		}
	}
	return true
}

func correctness(p Prediction) float64 {
	if p.Correct() {
		return 1
	}
	return 0
}

// MeanDifference averages differences measured on independent sets (the paper's average over the shifts): the
// mean of their Diff, with standard error √(Σ SE²) / K for K sets.
//
//	avg := wiseft.MeanDifference([]wiseft.Difference{rotated, inverted, sketch})
func MeanDifference(ds []Difference) Difference {
	if len(ds) == 0 {
		return Difference{Diff: math.NaN(), SE: math.NaN()}
	}
	var out Difference
	var v float64
	for _, d := range ds {
		out.Diff += d.Diff
		v += d.SE * d.SE
		out.N += d.N
	}
	k := float64(len(ds))
	out.Diff /= k
	out.SE = math.Sqrt(v) / k
	return out
}

// Top1SE is the binomial standard error of the top-1 accuracy on its own, √(p(1−p)/N): how far another draw of N
// examples from the same distribution would move it (NaN without examples). To compare two models evaluated on
// the same examples, use PairedDifference instead.
//
//	fmt.Printf("%.2f ± %.2f\n", 100*m.Top1, 100*m.Top1SE())
func (m Metrics) Top1SE() float64 {
	if m.N == 0 {
		return math.NaN()
	}
	return math.Sqrt(m.Top1 * (1 - m.Top1) / float64(m.N))
}

// Paired compares one α of a sweep with the sweep's two endpoints on the same examples.
type Paired struct {
	// ZeroShot is top-1(α) − top-1(α = 0); FineTuned is top-1(α) − top-1(α = 1).
	ZeroShot, FineTuned Difference
}

// pairedOf fills res.Paired from the pass's predictions when both endpoints were swept.
func pairedOf(alphas []float64, preds [][]Prediction) ([]Paired, error) {
	z, f := indexOf(alphas, 0), indexOf(alphas, 1)
	if z < 0 || f < 0 {
		return nil, nil
	}
	out := make([]Paired, len(alphas))
	for i := range alphas {
		var err error
		if out[i].ZeroShot, err = PairedDifference(preds[i], preds[z]); err != nil {
			return nil, err
		}
		if out[i].FineTuned, err = PairedDifference(preds[i], preds[f]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// indexOf is the first position of a in alphas, or −1.
func indexOf(alphas []float64, a float64) int {
	for i, v := range alphas {
		if v == a {
			return i
		}
	}
	return -1
}

// PairedMean is the paired comparison of alpha with the endpoints averaged over sets (MeanDifference), e.g. the
// shifts' average; false when the sweep has no paired results (α = 0 or α = 1 not swept), alpha was not swept,
// or a set is not one of the sweep's.
//
//	p, ok := res.PairedMean(0.5, []string{"MNIST-Rotated", "MNIST-Inverted"})
//	fmt.Println(p.ZeroShot) // shifts' average, α = 0.5 − zero-shot
func (r *SweepResult) PairedMean(alpha float64, sets []string) (Paired, bool) {
	i := r.Index(alpha)
	if r.Paired == nil || i < 0 || len(sets) == 0 {
		return Paired{}, false
	}
	var zs, ft []Difference
	for _, s := range sets {
		j := r.SetIndex(s)
		if j < 0 {
			return Paired{}, false
		}
		zs = append(zs, r.Paired[i][j].ZeroShot)
		ft = append(ft, r.Paired[i][j].FineTuned)
	}
	return Paired{ZeroShot: MeanDifference(zs), FineTuned: MeanDifference(ft)}, true
}

// PairedSummary prints, for each α, the in-distribution set's and the shifts' average top-1 against both
// endpoints on the same examples, in points with their paired standard errors, as `wiseft run` prints it under
// its accuracy table; "" when the sweep has no paired results (see SweepResult.Paired).
//
//	fmt.Print(res.PairedSummary("MNIST", shifts))
func (r *SweepResult) PairedSummary(id string, shifts []string) string {
	if r.Paired == nil || r.SetIndex(id) < 0 {
		return ""
	}
	head := []string{"α", id + " − ZS", id + " − FT"}
	if len(shifts) > 0 {
		head = append(head, "shifts − ZS", "shifts − FT")
	}
	rows := [][]string{head}
	for _, a := range r.Alphas {
		p, _ := r.PairedMean(a, []string{id})
		row := []string{strconv.FormatFloat(a, 'g', -1, 64), versus(a, 0, p.ZeroShot), versus(a, 1, p.FineTuned)}
		if len(shifts) > 0 {
			q, ok := r.PairedMean(a, shifts)
			if !ok {
				return ""
			}
			row = append(row, versus(a, 0, q.ZeroShot), versus(a, 1, q.FineTuned))
		}
		rows = append(rows, row)
	}
	var b strings.Builder
	b.WriteString(table(rows))
	b.WriteString("(top-1 points, ± the standard error of the per-example difference; ZS is α = 0 and FT α = 1 on the same examples")
	if len(shifts) > 1 {
		fmt.Fprintf(&b, "; the shifts' error treats the %d sets as independent", len(shifts))
	}
	b.WriteString(")\n")
	return b.String()
}

// versus prints a paired difference, or "·" where α is the endpoint it is compared with.
func versus(alpha, end float64, d Difference) string {
	if alpha == end {
		return "·"
	}
	return d.String()
}
