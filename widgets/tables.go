package widgets

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/gowiseft/wiseft/wiseft"
)

// NamedMetrics are one model's metrics on a dataset, under the name a table shows for the model.
type NamedMetrics struct {
	Name    string
	Metrics wiseft.Metrics
}

// PerClassTable shows, for each class, every model's accuracy on the examples of that class (cells shaded from
// red, 0%, to green, 100%), with the support, then the mean per-class accuracy and the top-1 accuracy. The models'
// metrics must be over the same classes.
func PerClassTable(cols ...NamedMetrics) (HTML, error) {
	if len(cols) == 0 {
		return "", fmt.Errorf("widgets: per-class table: no metrics")
	}
	names := cols[0].Metrics.ClassNames
	for _, c := range cols {
		if len(c.Metrics.PerClassAccuracy) != len(names) || len(c.Metrics.ClassNames) != len(names) {
			return "", fmt.Errorf("widgets: per-class table: %q has %d classes, %q has %d", cols[0].Name, len(names),
				c.Name, len(c.Metrics.PerClassAccuracy))
		}
	}
	var b strings.Builder
	b.WriteString(`<table class="wiseft-perclass" style="border-collapse:collapse;font-size:12px;font-family:sans-serif">`)
	fmt.Fprintf(&b, `<tr style="border-bottom:1px solid #999"><th style="text-align:left;padding:2px 8px">class</th>`+
		`<th style="padding:2px 8px;text-align:right">n</th>`)
	for _, c := range cols {
		fmt.Fprintf(&b, `<th style="padding:2px 8px;text-align:right">%s</th>`, html.EscapeString(c.Name))
	}
	b.WriteString(`</tr>`)
	for k, name := range names {
		fmt.Fprintf(&b, `<tr><td style="padding:2px 8px">%s</td><td style="padding:2px 8px;text-align:right;color:#777">%d</td>`,
			html.EscapeString(name), cols[0].Metrics.Support[k])
		for _, c := range cols {
			v := c.Metrics.PerClassAccuracy[k]
			if math.IsNaN(v) {
				b.WriteString(`<td style="padding:2px 8px;text-align:right;color:#999">–</td>`)
				continue
			}
			fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:right;background:%s">%.1f</td>`, heat(v), 100*v)
		}
		b.WriteString(`</tr>`)
	}
	for r, row := range []struct {
		label string
		of    func(wiseft.Metrics) float64
	}{
		{"mean per class", func(m wiseft.Metrics) float64 { return m.MeanPerClass }},
		{"top-1", func(m wiseft.Metrics) float64 { return m.Top1 }},
	} {
		border := ""
		if r == 0 {
			border = "border-top:1px solid #999;"
		}
		fmt.Fprintf(&b, `<tr style="%sfont-weight:bold"><td style="padding:2px 8px">%s</td><td></td>`, border, row.label)
		for _, c := range cols {
			fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:right">%.2f</td>`, 100*row.of(c.Metrics))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</table>`)
	return HTML(b.String()), nil
}

// heat maps an accuracy in [0, 1] to a light background from red through yellow to green.
func heat(v float64) string {
	v = clamp01(v)
	hue := 120 * v // 0 red, 60 yellow, 120 green
	return fmt.Sprintf("hsl(%.0f,70%%,85%%)", hue)
}

// ConfusionSVG draws the confusion matrix of m as an SVG heat map: rows are the true classes, columns the
// predicted ones, each cell shaded by the fraction of its row and labelled with its count.
func ConfusionSVG(m wiseft.Metrics, title string) (string, error) {
	k := len(m.Confusion)
	if k == 0 || len(m.ClassNames) != k {
		return "", fmt.Errorf("widgets: confusion matrix of %q: %d rows for %d class names", m.Dataset, k, len(m.ClassNames))
	}
	for _, row := range m.Confusion {
		if len(row) != k {
			return "", fmt.Errorf("widgets: confusion matrix of %q is not square", m.Dataset)
		}
	}
	const cell = 34
	label := 8
	for _, n := range m.ClassNames {
		label = max(label, len([]rune(n)))
	}
	left := 24 + 7*min(label, 16) // row labels
	top := 44 + 6*min(label, 16)  // title and rotated column labels
	w, h := max(left+k*cell+10, 7*len([]rune(title))+12, 250), top+k*cell+10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="wiseft-confusion" width="%d" height="%d" viewBox="0 0 %d %d" `+
		`font-family="Liberation Sans,Arial,Helvetica,sans-serif" font-size="11">`, w, h, w, h)
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, 4, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="32" fill="#555">rows: true class · columns: predicted</text>`, 4)
	for j, n := range m.ClassNames {
		x, y := left+j*cell+cell/2, top-6
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-60)" text-anchor="start">%s</text>`, x, y,
			html.EscapeString(shortName(n)))
	}
	for i, row := range m.Confusion {
		total := 0
		for _, c := range row {
			total += c
		}
		y := top + i*cell
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle">%s</text>`, left-6, y+cell/2,
			html.EscapeString(shortName(m.ClassNames[i])))
		for j, c := range row {
			frac := 0.0
			if total > 0 {
				frac = float64(c) / float64(total)
			}
			fill := confusionFill(frac, i == j)
			x := left + j*cell
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/>`, x, y, cell, cell, fill)
			if c > 0 {
				textColor := "#222"
				if frac > 0.55 {
					textColor = "#fff"
				}
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" dominant-baseline="middle" fill="%s" font-size="10">%d</text>`,
					x+cell/2, y+cell/2, textColor, c)
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.String(), nil
}

// confusionFill shades a cell: blue on the diagonal (right), red off it (mistakes), by the row fraction.
func confusionFill(frac float64, diagonal bool) string {
	if frac == 0 {
		return "#f7f7f7"
	}
	light := 96 - 62*math.Sqrt(frac)
	if diagonal {
		return fmt.Sprintf("hsl(210,65%%,%.0f%%)", light)
	}
	return fmt.Sprintf("hsl(0,70%%,%.0f%%)", light)
}

func shortName(s string) string {
	r := []rune(s)
	if len(r) > 16 {
		return string(r[:15]) + "…"
	}
	return s
}

// ConfusionMatrix is ConfusionSVG as HTML to display; several side by side: ConfusionMatrices.
func ConfusionMatrix(m wiseft.Metrics, title string) (HTML, error) {
	svg, err := ConfusionSVG(m, title)
	if err != nil {
		return "", err
	}
	return HTML(svg), nil
}

// ConfusionMatrices draws one confusion matrix per model, side by side, titled by the model's name.
func ConfusionMatrices(cols ...NamedMetrics) (HTML, error) {
	var b strings.Builder
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">`)
	for _, c := range cols {
		title := c.Name
		if c.Metrics.Dataset != "" {
			title += " on " + c.Metrics.Dataset
		}
		title += fmt.Sprintf(" (top-1 %.1f%%)", 100*c.Metrics.Top1)
		h, err := ConfusionMatrix(c.Metrics, title)
		if err != nil {
			return "", err
		}
		b.WriteString(string(h))
	}
	b.WriteString(`</div>`)
	return HTML(b.String()), nil
}

// SweepTable shows a sweep as a table: one row per α, the top-1 accuracy (%) on each set and the average over
// shifts (when given), the best value of each column in bold; with heldOut, the α chosen on it (wiseft.BestAlpha)
// is highlighted.
func SweepTable(res *wiseft.SweepResult, shifts []string, heldOut string) (HTML, error) {
	if res == nil || len(res.Alphas) == 0 {
		return "", fmt.Errorf("widgets: sweep table: empty sweep")
	}
	for _, s := range shifts {
		if res.SetIndex(s) < 0 {
			return "", fmt.Errorf("widgets: sweep table: %q is not one of the sweep's sets %q", s, res.Sets)
		}
	}
	chosen := -1
	if heldOut != "" {
		best, err := wiseft.BestAlpha(res, heldOut)
		if err != nil {
			return "", err
		}
		chosen = best.Index
	}
	cols := append([]string{}, res.Sets...)
	value := func(i, j int) float64 {
		if j < len(res.Sets) {
			return res.Metrics[i][j].Top1
		}
		var s float64
		for _, sh := range shifts {
			s += res.Metrics[i][res.SetIndex(sh)].Top1
		}
		return s / float64(len(shifts))
	}
	if len(shifts) > 0 {
		cols = append(cols, fmt.Sprintf("avg. %d shifts", len(shifts)))
	}
	best := make([]float64, len(cols))
	for j := range cols {
		best[j] = math.Inf(-1)
		for i := range res.Alphas {
			best[j] = max(best[j], value(i, j))
		}
	}
	var b strings.Builder
	b.WriteString(`<table class="wiseft-sweep" style="border-collapse:collapse;font-size:12px;font-family:sans-serif">`)
	b.WriteString(`<tr style="border-bottom:1px solid #999"><th style="padding:2px 8px">α</th>`)
	for _, c := range cols {
		fmt.Fprintf(&b, `<th style="padding:2px 8px;text-align:right">%s</th>`, html.EscapeString(c))
	}
	b.WriteString(`</tr>`)
	for i, a := range res.Alphas {
		style := ""
		if i == chosen {
			style = ` style="background:#fff3c4"`
		}
		fmt.Fprintf(&b, `<tr%s><td style="padding:2px 8px">%s</td>`, style, fmtAlpha(a))
		for j := range cols {
			v := value(i, j)
			weight := ""
			if v == best[j] {
				weight = "font-weight:bold;"
			}
			fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:right;%s">%.2f</td>`, weight, 100*v)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</table>`)
	if chosen >= 0 {
		fmt.Fprintf(&b, `<div style="font-size:12px;color:#555;font-family:sans-serif">highlighted: α = %s, the best on %s `+
			`(held-out in-distribution data); bold: the best of each column</div>`, fmtAlpha(res.Alphas[chosen]),
			html.EscapeString(heldOut))
	}
	return HTML(b.String()), nil
}
