package widgets

import (
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// AlphaExplorer shows what the mixing coefficient α does: a slider over α that redraws the accuracy-vs-α curves
// (in-distribution, each shift, their average) and the in-distribution vs. average-shift scatter with the
// current α highlighted, plus a readout of the accuracies at α against the zero-shot (α = 0) and fine-tuned
// (α = 1) models. Accuracies come from a sweep (Result); with Evaluate set (a wiseft.Sweeper's AlphaFunc, or
// EvaluateWith), an α the sweep lacks is evaluated when the slider reaches it (and kept).
//
//	sw := widgets.Must(wiseft.NewSweeper(zs, ft, wiseft.SweepOptions{}))
//	res := widgets.Must(widgets.CachedSweep(path, func() (*wiseft.SweepResult, error) {
//		return sw.Run(ctx, wiseft.DefaultAlphas, sets)
//	}))
//	ex := widgets.NewAlphaExplorer(res, "MNIST", []string{"MNIST-Inverted", "MNIST-Colour"})
//	widgets.Must0(ex.EvaluateWith(zs, ft, wiseft.SweepOptions{}, sets, 0))
//	widgets.Must0(ex.Show())
//
// In a browser, Show displays the slider (with its own α readout), a Done button and a one-line status, and keeps
// the cell running until Done is pressed or the slider has been idle for IdleTimeout; the last figure stays in
// the notebook. The latest slider position always wins: an evaluation for a position the user has left is
// cancelled; a position the sweep lacks shows an estimate first (Estimate), then its final answer; and while the
// user is idle the explorer evaluates the remaining positions, nearest to the thumb first, so that later moves are
// redrawn from memory.
// Without a front end (headless execution) it renders the frames of StaticAlphas one after another and returns.
type AlphaExplorer struct {
	// Result holds the accuracies known so far; α evaluated by Evaluate are appended to it.
	Result *wiseft.SweepResult
	// ID is the in-distribution set, Shifts the distribution-shift sets (names of Result.Sets).
	ID     string
	Shifts []string
	// Evaluate, when set, returns the metrics of θ(α) on every set of Result.Sets, in order (see
	// wiseft.Sweeper.AlphaFunc).
	Evaluate func(ctx context.Context, alpha float64) ([]wiseft.Metrics, error)
	// Estimate, when set, is Evaluate on a subsample of each set (see EvaluateWith): the live explorer shows its
	// answer first, marked as an estimate, while Evaluate runs.
	Estimate func(ctx context.Context, alpha float64) ([]wiseft.Metrics, error)
	// Alphas are the slider's positions. Default: 0, 0.05, ..., 1 with Evaluate, Result's α otherwise.
	Alphas []float64
	// Initial is the α the slider starts at (default 0.5, or the nearest position).
	Initial float64
	// StaticAlphas are the α rendered without a front end (default 0, 0.5, 1, or the nearest positions).
	StaticAlphas []float64
	// FrontEndTimeout bounds the wait for a browser to answer: the slider is shown once its script in the page
	// has reported back. Default: WISEFT_FRONTEND_TIMEOUT (a duration such as 90s), else DefaultFrontEndTimeout.
	// Headless runs (Headless) never wait.
	FrontEndTimeout time.Duration
	// IdleTimeout ends the interactive session after this long without a slider move (default 15 minutes).
	IdleTimeout time.Duration
	// FigureWidth is the CSS width of each figure in a frame (default "48%").
	FigureWidth string

	mu sync.Mutex
}

// DefaultEstimateImages is the subsample of each set that EvaluateWith's estimates are computed on.
const DefaultEstimateImages = 32

// EvaluateWith makes the explorer evaluate the α the sweep lacks as WiSE-FT mixes of zeroShot and fineTuned on
// sets (Evaluate), and estimate them first on estimateImages images spread over each set (Estimate;
// DefaultEstimateImages when ≤ 0). It compiles two sweeps: one for the estimates, whose batch is the subsample (a
// batch is padded to the compiled size, so a subsample run at the full batch size would cost as much as a full
// batch per set), and one for the final answers, at opts.BatchSize but never larger than the largest set.
//
//	widgets.Must0(ex.EvaluateWith(zs, ft, wiseft.SweepOptions{BatchSize: 128}, sets, 0))
func (e *AlphaExplorer) EvaluateWith(zeroShot, fineTuned *wiseft.Classifier, opts wiseft.SweepOptions,
	sets []wiseft.EvalSet, estimateImages int) error {
	if estimateImages <= 0 {
		estimateImages = DefaultEstimateImages
	}
	largest := 0
	for _, s := range sets {
		if s.Dataset == nil {
			return fmt.Errorf("widgets: an evaluation set of the α explorer has no dataset")
		}
		largest = max(largest, setSize(s))
	}
	final := opts
	if final.BatchSize <= 0 {
		final.BatchSize = wiseft.DefaultEvalBatchSize
	}
	final.BatchSize = max(1, min(final.BatchSize, largest))
	final.Progress = nil
	sw, err := wiseft.NewSweeper(zeroShot, fineTuned, final)
	if err != nil {
		return err
	}
	quick := final
	quick.BatchSize = max(1, min(estimateImages, largest))
	swq, err := wiseft.NewSweeper(zeroShot, fineTuned, quick)
	if err != nil {
		return err
	}
	e.Evaluate = sw.AlphaFunc(sets)
	e.Estimate = swq.AlphaFunc(SubsampleSets(sets, estimateImages))
	return nil
}

// setSize is the number of examples a sweep evaluates of s.
func setSize(s wiseft.EvalSet) int {
	if s.Indices != nil {
		return len(s.Indices)
	}
	n := s.Dataset.Len()
	if s.Limit > 0 {
		n = min(n, s.Limit)
	}
	return n
}

// SubsampleSets returns sets with each one reduced to n of its examples spread evenly over it (first to last), for a
// quick estimate; a set of n examples or fewer is kept whole.
//
//	quick := widgets.SubsampleSets(sets, 32)
func SubsampleSets(sets []wiseft.EvalSet, n int) []wiseft.EvalSet {
	out := make([]wiseft.EvalSet, len(sets))
	for j, s := range sets {
		idx := s.Indices
		if idx == nil {
			total := setSize(s)
			idx = subsampleIndices(total, total)
		}
		sub := make([]int, 0, min(n, len(idx)))
		for _, k := range subsampleIndices(len(idx), n) {
			sub = append(sub, idx[k])
		}
		s.Indices, s.Limit = sub, 0
		if s.Name == "" {
			s.Name = s.Dataset.Name()
		}
		out[j] = s
	}
	return out
}

// NewAlphaExplorer returns an explorer of res with in-distribution set id and shift sets shifts, every other
// field at its default.
func NewAlphaExplorer(res *wiseft.SweepResult, id string, shifts []string) *AlphaExplorer {
	return &AlphaExplorer{Result: res, ID: id, Shifts: slices.Clone(shifts), Initial: 0.5}
}

// check validates the explorer's fields.
func (e *AlphaExplorer) check() error {
	if e.Result == nil || len(e.Result.Sets) == 0 {
		return fmt.Errorf("widgets: the α explorer has no sweep result")
	}
	if len(e.Result.Alphas) == 0 && e.Evaluate == nil {
		return fmt.Errorf("widgets: the α explorer has neither swept α nor an Evaluate function")
	}
	if len(e.Shifts) == 0 {
		return fmt.Errorf("widgets: the α explorer needs at least one shift set")
	}
	for _, s := range append([]string{e.ID}, e.Shifts...) {
		if e.Result.SetIndex(s) < 0 {
			return fmt.Errorf("widgets: set %q is not one of the sweep's sets %q", s, e.Result.Sets)
		}
	}
	return nil
}

// positions returns the slider's α values, sorted.
func (e *AlphaExplorer) positions() []float64 {
	ps := slices.Clone(e.Alphas)
	if len(ps) == 0 {
		if e.Evaluate != nil {
			for k := 0; k <= 20; k++ {
				ps = append(ps, float64(k)/20)
			}
		} else {
			ps = slices.Clone(e.Result.Alphas)
		}
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// nearest returns the index of the position closest to a.
func nearest(ps []float64, a float64) int {
	best := 0
	for i, p := range ps {
		if math.Abs(p-a) < math.Abs(ps[best]-a) {
			best = i
		}
	}
	return best
}

// Metrics returns the metrics of α on every set of Result.Sets, evaluating and recording them when the sweep
// lacks α and Evaluate is set.
func (e *AlphaExplorer) Metrics(alpha float64) ([]wiseft.Metrics, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := e.Result.Index(alpha); i >= 0 {
		return e.Result.Metrics[i], nil
	}
	ms, err := e.evaluate(context.Background(), alpha)
	if err != nil {
		return nil, err
	}
	e.Result.Alphas = append(e.Result.Alphas, alpha)
	e.Result.Metrics = append(e.Result.Metrics, ms)
	return ms, nil
}

// Frame returns the HTML of the explorer at α (see FrameHTML), evaluating α first if needed.
func (e *AlphaExplorer) Frame(alpha float64) (HTML, error) {
	if err := e.check(); err != nil {
		return "", err
	}
	if _, err := e.Metrics(alpha); err != nil {
		return "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return FrameHTML(e.Result, e.ID, e.Shifts, alpha, e.FigureWidth)
}

// FrameHTML draws one frame of the α explorer from a sweep: a readout of the accuracies at α (which must be one
// of res.Alphas) next to α = 0 and α = 1, the accuracy-vs-α curves with α marked, and the in-distribution vs.
// average-shift scatter with α highlighted. width is each figure's CSS width (default "48%"). The frame is a
// <div class="wiseft-alpha-frame" data-alpha="α">.
func FrameHTML(res *wiseft.SweepResult, id string, shifts []string, alpha float64, width string) (HTML, error) {
	return frameHTML(res, id, shifts, alpha, width, nil)
}

// estimateFrame is the frame of α with the estimated metrics ms (not recorded in Result): marked as an estimate in
// its readout, its figures' title and by data-estimate="1"; the curves and the scatter are those of the answers
// known (an estimate is no point of them, nor a candidate for the best α), with the estimate ringed at α.
func (e *AlphaExplorer) estimateFrame(alpha float64, ms []wiseft.Metrics) (HTML, error) {
	if len(ms) != len(e.Result.Sets) {
		return "", fmt.Errorf("widgets: the estimate of α = %g has %d metrics for %d sets", alpha, len(ms), len(e.Result.Sets))
	}
	e.mu.Lock()
	res := &wiseft.SweepResult{Alphas: slices.Clone(e.Result.Alphas), Sets: e.Result.Sets, Metrics: slices.Clone(e.Result.Metrics)}
	e.mu.Unlock()
	return frameHTML(res, e.ID, e.Shifts, alpha, e.FigureWidth, ms)
}

// frameHTML is FrameHTML; with est set, the frame of the estimate est of α (see estimateFrame).
func frameHTML(res *wiseft.SweepResult, id string, shifts []string, alpha float64, width string, est []wiseft.Metrics) (HTML, error) {
	if width == "" {
		width = "48%"
	}
	estimate := est != nil
	at := func(set string) float64 {
		m, _ := res.Get(alpha, set)
		return m.Top1
	}
	withEst := res
	if estimate {
		if res.Index(alpha) >= 0 {
			return "", fmt.Errorf("widgets: α = %g has its answer already; no estimate to show", alpha)
		}
		at = func(set string) float64 { return est[res.SetIndex(set)].Top1 }
		withEst = &wiseft.SweepResult{Alphas: append(slices.Clone(res.Alphas), alpha), Sets: res.Sets,
			Metrics: append(slices.Clone(res.Metrics), est)}
	} else if res.Index(alpha) < 0 {
		return "", fmt.Errorf("widgets: α = %g is not in the sweep (%v)", alpha, res.Alphas)
	}
	curves, scatter, err := alphaFigures(res, id, shifts, alpha, at, estimate)
	if err != nil {
		return "", err
	}
	readout, err := readout(withEst, id, shifts, alpha, estimate)
	if err != nil {
		return "", err
	}
	c, err := FigureHTML(curves, width)
	if err != nil {
		return "", err
	}
	s, err := FigureHTML(scatter, width)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	flag := 0
	if estimate {
		flag = 1
	}
	fmt.Fprintf(&b, `<div class="wiseft-alpha-frame" data-alpha="%s" data-estimate="%d" style="font-family:sans-serif">`, fmtAlpha(alpha), flag)
	b.WriteString(string(readout))
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">`)
	b.WriteString(string(c))
	b.WriteString(string(s))
	b.WriteString(`</div></div>`)
	return HTML(b.String()), nil
}

// AlphaFigures draws the accuracy-vs-α curves of res (package figures's AlphaCurves) with a vertical line and rings
// at α, and the in-distribution vs. average-shift scatter (figures.Scatter's average figure) with α ringed.
func AlphaFigures(res *wiseft.SweepResult, id string, shifts []string, alpha float64) (curves, scatter figures.Figure, err error) {
	if res.Index(alpha) < 0 {
		return curves, scatter, fmt.Errorf("widgets: α = %g is not in the sweep", alpha)
	}
	return alphaFigures(res, id, shifts, alpha, func(set string) float64 {
		m, _ := res.Get(alpha, set)
		return m.Top1
	}, false)
}

// alphaFigures is AlphaFigures with the accuracies at α given by top1 (an estimate, when estimate is set: its
// title says so).
func alphaFigures(res *wiseft.SweepResult, id string, shifts []string, alpha float64, top1 func(set string) float64,
	estimate bool) (curves, scatter figures.Figure, err error) {
	runs := []results.Curve{res.Curve("")}
	cs, err := figures.AlphaCurves(runs, id, shifts, figures.MarkAlpha(alpha))
	if err != nil {
		return curves, scatter, err
	}
	ss, err := figures.Scatter(runs, id, shifts)
	if err != nil {
		return curves, scatter, err
	}
	curves, scatter = cs[0], ss[len(ss)-1]
	var avg float64
	for _, s := range shifts {
		avg += top1(s)
	}
	avg /= float64(len(shifts))
	label := "α = " + fmtAlpha(alpha)

	curves.Plot.Title.Text = "WiSE-FT: accuracy vs. mixing coefficient α\ncurrent " + label
	if estimate {
		curves.Plot.Title.Text += " (estimate, ringed)"
	}
	h := &highlight{curves: true, x: alpha} // the vertical line at α is the figure's own (under the legend)
	h.add(alpha, 100*top1(id), seriesColor(0))
	for k, s := range shifts {
		h.add(alpha, 100*top1(s), seriesColor(k+1))
	}
	h.add(alpha, 100*avg, avgColor)
	curves.Plot.Add(h)

	hs := &highlight{x: clampProb(top1(id)), label: label}
	hs.add(clampProb(top1(id)), clampProb(avg), highlightColor)
	scatter.Plot.Add(hs)
	return curves, scatter, nil
}

// Readout is the table of a frame: for the in-distribution set, each shift and the shifts' average, the top-1
// accuracy at α = 0, at α and at α = 1 (when swept), and the change from each end.
func Readout(res *wiseft.SweepResult, id string, shifts []string, alpha float64) (HTML, error) {
	return readout(res, id, shifts, alpha, false)
}

// readout is Readout, with the column of α headed as an estimate when estimate is set.
func readout(res *wiseft.SweepResult, id string, shifts []string, alpha float64, estimate bool) (HTML, error) {
	if res.Index(alpha) < 0 {
		return "", fmt.Errorf("widgets: α = %g is not in the sweep", alpha)
	}
	type col struct {
		head string
		a    float64
	}
	cols := []col{}
	if res.Index(0) >= 0 {
		cols = append(cols, col{"α = 0 (zero-shot)", 0})
	}
	if !(alpha == 0 && res.Index(0) >= 0) && !(alpha == 1 && res.Index(1) >= 0) {
		head := "α = " + fmtAlpha(alpha)
		if estimate {
			m, _ := res.Get(alpha, id)
			head += fmt.Sprintf(" (estimate, %d images)", m.N)
		}
		cols = append(cols, col{head, alpha})
	}
	if res.Index(1) >= 0 {
		cols = append(cols, col{"α = 1 (fine-tuned)", 1})
	}
	rows := append([]string{id}, shifts...)
	value := func(set string, a float64) float64 {
		if set == "" { // the average
			var s float64
			for _, sh := range shifts {
				m, _ := res.Get(a, sh)
				s += m.Top1
			}
			return s / float64(len(shifts))
		}
		m, _ := res.Get(a, set)
		return m.Top1
	}
	var b strings.Builder
	b.WriteString(`<table class="wiseft-readout" style="border-collapse:collapse;font-size:12px;margin:4px 0">`)
	b.WriteString(`<tr style="border-bottom:1px solid #999"><th style="text-align:left;padding:2px 8px">top-1 %</th>`)
	for _, c := range cols {
		style := "padding:2px 8px;text-align:right"
		if c.a == alpha {
			style += ";background:#fff3c4"
		}
		fmt.Fprintf(&b, `<th style="%s">%s</th>`, style, html.EscapeString(c.head))
	}
	b.WriteString(`<th style="padding:2px 8px;text-align:right">Δ vs zero-shot</th>`)
	b.WriteString(`<th style="padding:2px 8px;text-align:right">Δ vs fine-tuned</th></tr>`)
	for r, set := range append(rows, "") {
		name := set
		style := ""
		switch {
		case set == "":
			name = "avg. of " + strconv.Itoa(len(shifts)) + " shifts"
			style = ` style="border-top:1px solid #999;font-weight:bold"`
		case r == 0:
			name += " (in-distribution)"
			style = ` style="font-weight:bold"`
		}
		fmt.Fprintf(&b, `<tr%s><td style="text-align:left;padding:2px 8px">%s</td>`, style, html.EscapeString(name))
		for _, c := range cols {
			bg := ""
			if c.a == alpha {
				bg = ";background:#fff3c4"
			}
			fmt.Fprintf(&b, `<td style="text-align:right;padding:2px 8px%s">%.2f</td>`, bg, 100*value(set, c.a))
		}
		cur := value(set, alpha)
		for _, end := range []float64{0, 1} {
			if res.Index(end) < 0 {
				b.WriteString(`<td></td>`)
				continue
			}
			fmt.Fprintf(&b, `<td style="text-align:right;padding:2px 8px">%s</td>`, delta(100*(cur-value(set, end))))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</table>`)
	return HTML(b.String()), nil
}

// delta formats a change in percentage points, green when positive and red when negative.
func delta(d float64) string {
	switch {
	case math.Abs(d) < 0.005:
		return `<span style="color:#777">±0.00</span>`
	case d > 0:
		return fmt.Sprintf(`<span style="color:#2a7d2a">+%.2f</span>`, d)
	default:
		return fmt.Sprintf(`<span style="color:#c0392b">%.2f</span>`, d)
	}
}

// fmtAlpha prints α compactly (0.35, not 0.35000000000000003).
func fmtAlpha(a float64) string { return strconv.FormatFloat(math.Round(a*1e6)/1e6, 'g', -1, 64) }

func clampProb(p float64) float64 { return min(max(p, figures.Eps), 1-figures.Eps) }

// StaticHTML renders the frames of the given α one below the other (what Show displays without a front end).
func (e *AlphaExplorer) StaticHTML(alphas []float64) (HTML, error) {
	var b strings.Builder
	for _, a := range alphas {
		f, err := e.Frame(a)
		if err != nil {
			return "", err
		}
		b.WriteString(string(f))
		b.WriteString(`<hr style="border:none;border-top:1px dashed #bbb;margin:6px 0"/>`)
	}
	return HTML(b.String()), nil
}

// staticAlphas returns the α to render without a front end, snapped to slider positions.
func (e *AlphaExplorer) staticAlphas(ps []float64) []float64 {
	want := e.StaticAlphas
	if len(want) == 0 {
		want = []float64{0, 0.5, 1}
	}
	var out []float64
	for _, a := range want {
		p := ps[nearest(ps, a)]
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// ReadoutText is Readout as plain text: α, then the top-1 accuracy (%) of each set and of the shifts' average.
func ReadoutText(res *wiseft.SweepResult, id string, shifts []string, alpha float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "α = %s:", fmtAlpha(alpha))
	var sum float64
	for _, s := range append([]string{id}, shifts...) {
		m, _ := res.Get(alpha, s)
		fmt.Fprintf(&b, " %s %.2f%%", s, 100*m.Top1)
		if s != id {
			sum += m.Top1
		}
	}
	fmt.Fprintf(&b, " · avg. of %d shifts %.2f%%", len(shifts), 100*sum/float64(len(shifts)))
	return b.String()
}
