package wiseft

import (
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// AlphaChoice is the mixing coefficient chosen on held-out in-distribution data, reported next to the paper's
// default α = 0.5 (and the endpoints, when swept). Its String method prints the comparison as a table.
//
//	best, _ := wiseft.BestAlpha(res, "MNIST-val")
//	fmt.Println(best) // table: set | α=0 | α=1 | best α | α=0.5
type AlphaChoice struct {
	// HeldOut is the set the choice was made on.
	HeldOut string
	// Alpha is the chosen α; Index its position in Result.Alphas.
	Alpha float64
	Index int
	// HeldOutTop1 is the chosen α's top-1 accuracy on HeldOut.
	HeldOutTop1 float64
	// Half is the position of α = 0.5 in Result.Alphas, or −1 when 0.5 was not swept.
	Half int
	// Result is the sweep the choice was made from.
	Result *SweepResult
}

// BestAlpha picks the α with the highest top-1 accuracy on the held-out in-distribution set heldOut (a set of the
// sweep); ties go to the smaller α (closer to the zero-shot model, the more robust choice).
//
//	res, _ := wiseft.Sweep(zs, ft, wiseft.DefaultAlphas, sets)
//	best, err := wiseft.BestAlpha(res, "MNIST-val")
//	fmt.Printf("best α = %.1f (%.2f%% held-out)\n", best.Alpha, 100*best.HeldOutTop1)
func BestAlpha(res *SweepResult, heldOut string) (AlphaChoice, error) {
	if res == nil || len(res.Alphas) == 0 || res.Metrics == nil {
		return AlphaChoice{}, fmt.Errorf("best α: empty sweep")
	}
	j := res.SetIndex(heldOut)
	if j < 0 {
		return AlphaChoice{}, fmt.Errorf("best α: %q is not one of the sweep's sets %q", heldOut, res.Sets)
	}
	best := 0
	for i := 1; i < len(res.Alphas); i++ {
		a, b := res.Metrics[i][j].Top1, res.Metrics[best][j].Top1
		if a > b || (a == b && res.Alphas[i] < res.Alphas[best]) {
			best = i
		}
	}
	return AlphaChoice{HeldOut: heldOut, Alpha: res.Alphas[best], Index: best,
		HeldOutTop1: res.Metrics[best][j].Top1, Half: res.Index(0.5), Result: res}, nil
}

// String prints, for every set of the sweep, the top-1 accuracy (%) of the zero-shot (α = 0) and fine-tuned
// (α = 1) models when swept, of the chosen α and of α = 0.5.
//
//	fmt.Print(best.String())
func (c AlphaChoice) String() string {
	r := c.Result
	if r == nil {
		return fmt.Sprintf("best α = %g on %s", c.Alpha, c.HeldOut)
	}
	var cols []int
	var heads []string
	for _, a := range []float64{0, 1} {
		if i := r.Index(a); i >= 0 {
			cols, heads = append(cols, i), append(heads, fmt.Sprintf("α=%g", a))
		}
	}
	cols, heads = append(cols, c.Index), append(heads, fmt.Sprintf("best α=%g", c.Alpha))
	if c.Half >= 0 {
		cols, heads = append(cols, c.Half), append(heads, "α=0.5")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "best α = %g, chosen on %s (top-1 %.2f%%)\n", c.Alpha, c.HeldOut, 100*c.HeldOutTop1)
	writeTable(&b, r, cols, heads)
	return b.String()
}

// Table prints the top-1 accuracy (%) of every α (rows) on every set (columns); "" for a sweep without
// weight-space results (see OutputResult).
//
//	fmt.Print(res.Table())
func (r *SweepResult) Table() string {
	if r.Metrics == nil {
		return ""
	}
	var b strings.Builder
	width := 6
	for _, s := range r.Sets {
		width = max(width, utf8.RuneCountInString(s))
	}
	fmt.Fprintf(&b, "%-6s", "α")
	for _, s := range r.Sets {
		fmt.Fprintf(&b, "  %*s", width, s)
	}
	b.WriteByte('\n')
	for i, a := range r.Alphas {
		fmt.Fprintf(&b, "%-6g", a)
		for j := range r.Sets {
			fmt.Fprintf(&b, "  %*.2f", width, 100*r.Metrics[i][j].Top1)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// writeTable prints sets as rows and the chosen α positions as columns.
func writeTable(b *strings.Builder, r *SweepResult, cols []int, heads []string) {
	nameWidth := 3
	for _, s := range r.Sets {
		nameWidth = max(nameWidth, utf8.RuneCountInString(s))
	}
	colWidth := 6
	for _, h := range heads {
		colWidth = max(colWidth, utf8.RuneCountInString(h))
	}
	fmt.Fprintf(b, "%-*s", nameWidth, "set")
	for _, h := range heads {
		fmt.Fprintf(b, "  %*s", colWidth, h) // fmt widths count runes
	}
	b.WriteByte('\n')
	for j, s := range r.Sets {
		fmt.Fprintf(b, "%-*s", nameWidth, s)
		for _, i := range cols {
			fmt.Fprintf(b, "  %*.2f", colWidth, 100*r.Metrics[i][j].Top1)
		}
		b.WriteByte('\n')
	}
}

// OutputEnsemblePrefix starts the results keys of the output-space ensemble: "<set>:output_ensemble_top1",
// "<set>:output_ensemble_F1-macro_all", ..., beside the weight-space ensemble's "<set>:top1".
const OutputEnsemblePrefix = "output_ensemble_"

// Records turns the sweep into results-log lines (package results; the paper's --results-db format), one per α:
// a copy of base (the run's flags), "alpha", and for every set AddMetrics's keys for the weight-space ensemble
// and, when the sweep evaluated it, the same keys after OutputEnsemblePrefix for the output-space ensemble.
//
//	recs := res.Records(results.Record{"model": "ViT-B/32", "train_dataset": "MNIST"})
//	err := results.Append("results.jsonl", recs...)
func (r *SweepResult) Records(base results.Record) []results.Record {
	out := make([]results.Record, len(r.Alphas))
	for i, a := range r.Alphas {
		rec := results.Record{}
		maps.Copy(rec, base)
		rec[results.AlphaKey] = a
		for j, s := range r.Sets {
			if r.Metrics != nil {
				AddMetrics(rec, s, r.Metrics[i][j])
			}
			if r.Outputs != nil {
				addMetrics(rec, s+":"+OutputEnsemblePrefix, r.Outputs[i][j])
			}
		}
		out[i] = rec
	}
	return out
}

// AddMetrics writes the metrics m of set into rec under the keys of the paper's code: "<set>:top1", and
// "<set>:<key>" for every benchmark score and note ("IWildCamOOD:F1-macro_all", "FMOWOOD:acc_worst_region",
// "YTBBRobust:pm10", ...); plus this project's own "<set>:f1", the macro-F1 over the labels present (see
// Metrics.MacroF1), for every set.
//
//	rec := results.Record{"alpha": 0.5}
//	wiseft.AddMetrics(rec, "ImageNet", m)
func AddMetrics(rec results.Record, set string, m Metrics) { addMetrics(rec, set+":", m) }

// addMetrics writes m's keys after prefix.
func addMetrics(rec results.Record, prefix string, m Metrics) {
	rec[prefix+"top1"] = m.Top1
	rec[prefix+"f1"] = m.MacroF1
	for k, v := range m.Scores {
		rec[prefix+k] = v
	}
	for k, v := range m.Notes {
		rec[prefix+k] = v
	}
}

// OutputResult is the output-space ensemble's part of the sweep as a sweep of its own (Metrics = r.Outputs), for
// its tables and BestAlpha; nil when the sweep did not evaluate it.
//
//	if out := res.OutputResult(); out != nil {
//		fmt.Print(out.Summary("MNIST", shifts))
//	}
func (r *SweepResult) OutputResult() *SweepResult {
	if r.Outputs == nil {
		return nil
	}
	return &SweepResult{Alphas: r.Alphas, Sets: r.Sets, Metrics: r.Outputs}
}

// Summary prints the sweep as `wiseft run` does: a row per α with the in-distribution set id, each shift and the
// shifts' average, top-1 in percent; "" for a sweep without weight-space results (see OutputResult).
//
//	fmt.Print(res.Summary("MNIST", []string{"MNIST-Inverted", "UCIDigits"}))
func (r *SweepResult) Summary(id string, shifts []string) string {
	if r.Metrics == nil {
		return ""
	}
	var b strings.Builder
	cols := append([]string{id}, shifts...)
	width := 7
	for _, c := range cols {
		width = max(width, len(c))
	}
	fmt.Fprintf(&b, "%-5s", "α")
	for _, c := range cols {
		fmt.Fprintf(&b, " %*s", width, c)
	}
	if len(shifts) > 0 {
		fmt.Fprintf(&b, " %*s", width, "shifts")
	}
	b.WriteByte('\n')
	for _, a := range r.Alphas {
		fmt.Fprintf(&b, "%-5g", a)
		var sum float64
		for i, c := range cols {
			m, _ := r.Get(a, c)
			fmt.Fprintf(&b, " %*.2f", width, 100*m.Top1)
			if i > 0 {
				sum += m.Top1
			}
		}
		if len(shifts) > 0 {
			fmt.Fprintf(&b, " %*.2f", width, 100*sum/float64(len(shifts)))
		}
		b.WriteByte('\n')
	}
	if len(shifts) > 0 {
		fmt.Fprintf(&b, "(top-1 %%; \"shifts\" is the average of the %d shift columns)\n", len(shifts))
	} else {
		b.WriteString("(top-1 %)\n")
	}
	return b.String()
}
