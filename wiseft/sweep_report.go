package wiseft

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/internal/console"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// AlphaChoice is the mixing coefficient chosen on held-out in-distribution data, reported next to the paper's
// default α = 0.5 (and the endpoints, when swept). Its String method prints the comparison as a table.
//
//	best, _ := wiseft.BestAlpha(res, "MNIST-Val")
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
//	res, _ := wiseft.Sweep(ctx, zs, ft, wiseft.DefaultAlphas, sets, wiseft.SweepOptions{})
//	best, err := wiseft.BestAlpha(res, "MNIST-Val")
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
	rows := [][]string{append([]string{"α"}, r.Sets...)}
	for i, a := range r.Alphas {
		row := []string{strconv.FormatFloat(a, 'g', -1, 64)}
		for j := range r.Sets {
			row = append(row, pct(r.Metrics[i][j].Top1))
		}
		rows = append(rows, row)
	}
	return table(rows)
}

// writeTable prints sets as rows and the chosen α positions as columns.
func writeTable(b *strings.Builder, r *SweepResult, cols []int, heads []string) {
	rows := [][]string{append([]string{"set"}, heads...)}
	for j, s := range r.Sets {
		row := []string{s}
		for _, i := range cols {
			row = append(row, pct(r.Metrics[i][j].Top1))
		}
		rows = append(rows, row)
	}
	b.WriteString(table(rows))
}

// pct formats a fraction as a percentage with two decimals.
func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) }

// table lays rows out as console.Table does.
func table(rows [][]string) string {
	var b strings.Builder
	_ = console.Table(&b, rows)
	return b.String()
}

// OutputEnsemblePrefix starts the results keys of the output-space ensemble: "<set>:output_ensemble_top1",
// "<set>:output_ensemble_F1-macro_all", ..., beside the weight-space ensemble's "<set>:top1".
const OutputEnsemblePrefix = "output_ensemble_"

// Records turns the sweep into results-log lines (package results; the paper's --results-db format), one per α:
// a copy of base (the run's flags), "alpha", and for every set AddMetrics's keys for the weight-space ensemble;
// with paired results (SweepResult.Paired) "<set>:top1_vs_zeroshot" and "<set>:top1_vs_finetuned", top-1(α)
// minus the endpoint's as a fraction, each with its paired standard error under the same key + "_se"; and, when
// the sweep evaluated it, AddMetrics's keys after OutputEnsemblePrefix for the output-space ensemble.
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
			if r.Paired != nil {
				p := r.Paired[i][j]
				addDifference(rec, s+":top1_vs_zeroshot", p.ZeroShot)
				addDifference(rec, s+":top1_vs_finetuned", p.FineTuned)
			}
			if r.Outputs != nil {
				addMetrics(rec, s+":"+OutputEnsemblePrefix, r.Outputs[i][j])
			}
		}
		out[i] = rec
	}
	return out
}

// addDifference writes d under key and its standard error under key + "_se" (left out when undefined: JSON has
// no NaN).
func addDifference(rec results.Record, key string, d Difference) {
	rec[key] = d.Diff
	if !math.IsNaN(d.SE) {
		rec[key+"_se"] = d.SE
	}
}

// AddMetrics writes the metrics m of set into rec under the keys of the paper's code: "<set>:top1", and
// "<set>:<key>" for every benchmark score and note ("IWildCamOOD:F1-macro_all", "FMOWOOD:acc_worst_region",
// "YTBBRobust:pm10", ...); plus this project's own "<set>:f1", the macro-F1 over the labels present (see
// Metrics.MacroF1), and "<set>:top1_se", the top-1's binomial standard error (Metrics.Top1SE), for every set.
//
//	rec := results.Record{"alpha": 0.5}
//	wiseft.AddMetrics(rec, "ImageNet", m)
func AddMetrics(rec results.Record, set string, m Metrics) { addMetrics(rec, set+":", m) }

// addMetrics writes m's keys after prefix.
func addMetrics(rec results.Record, prefix string, m Metrics) {
	rec[prefix+"top1"] = m.Top1
	if se := m.Top1SE(); !math.IsNaN(se) {
		rec[prefix+"top1_se"] = se
	}
	rec[prefix+"f1"] = m.MacroF1
	for k, v := range m.Scores {
		rec[prefix+k] = v
	}
	for k, v := range m.Notes {
		rec[prefix+k] = v
	}
}

// OutputResult is the output-space ensemble's part of the sweep as a sweep of its own (Metrics = r.Outputs), for
// its tables, curves and BestAlpha; nil when the sweep did not evaluate it.
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

// Curve is the sweep as a typed curve for the figures (package figures): its α ascending and each set's top-1
// (Outputs too, when the sweep evaluated the output-space ensemble), under label ("" names it "WiSE-FT").
//
//	figs, err := figures.Scatter([]results.Curve{res.Curve("")}, "MNIST", []string{"MNIST-Inverted"})
func (r *SweepResult) Curve(label string) results.Curve {
	if label == "" {
		label = "WiSE-FT"
	}
	order := make([]int, len(r.Alphas))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(r.Alphas[a], r.Alphas[b]) })
	c := results.Curve{Label: label, Top1: make(map[string][]float64, len(r.Sets))}
	if r.Outputs != nil {
		c.Outputs = make(map[string][]float64, len(r.Sets))
	}
	for _, i := range order {
		if n := len(c.Alphas); n > 0 && c.Alphas[n-1] == r.Alphas[i] {
			continue // an α given twice: the first one's metrics
		}
		c.Alphas = append(c.Alphas, r.Alphas[i])
		for j, s := range r.Sets {
			if r.Metrics != nil {
				c.Top1[s] = append(c.Top1[s], r.Metrics[i][j].Top1)
			}
			if r.Outputs != nil {
				c.Outputs[s] = append(c.Outputs[s], r.Outputs[i][j].Top1)
			}
		}
	}
	return c
}

// Summary prints the sweep as `wiseft run` does: a row per α with the in-distribution set id, each shift and the
// shifts' average, top-1 in percent; "" for a sweep without weight-space results (see OutputResult).
//
//	fmt.Print(res.Summary("MNIST", []string{"MNIST-Inverted", "UCIDigits"}))
func (r *SweepResult) Summary(id string, shifts []string) string {
	if r.Metrics == nil {
		return ""
	}
	cols := append([]string{id}, shifts...)
	head := append([]string{"α"}, cols...)
	if len(shifts) > 0 {
		head = append(head, "shifts")
	}
	rows := [][]string{head}
	for _, a := range r.Alphas {
		row := []string{strconv.FormatFloat(a, 'g', -1, 64)}
		var sum float64
		for i, c := range cols {
			m, _ := r.Get(a, c)
			row = append(row, pct(m.Top1))
			if i > 0 {
				sum += m.Top1
			}
		}
		if len(shifts) > 0 {
			row = append(row, pct(sum/float64(len(shifts))))
		}
		rows = append(rows, row)
	}
	var b strings.Builder
	b.WriteString(table(rows))
	if len(shifts) > 0 {
		fmt.Fprintf(&b, "(top-1 %%; \"shifts\" is the average of the %d shift columns)\n", len(shifts))
	} else {
		b.WriteString("(top-1 %)\n")
	}
	return b.String()
}
