package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/wiseft/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// AlphaCurves draws, for each run (a curve), top-1 accuracy in
// percent against the mixing coefficient α: one line for idDataset, one
// per shift dataset and a thick one for the average over the shifts,
// with the α that maximises that average marked by a dotted line. The
// figure is named "alpha" when the log holds one run and
// "alpha-" + [FileName](run label) otherwise. Errors are as for [Scatter].
// [MarkAlpha] draws a dashed vertical line at one α under everything else
// (the legend's box and the notes stay readable over it).
//
//	figs, err := figures.AlphaCurves(curves, "ImageNet", []string{"ImageNetV2", "ObjectNet"})
//	if err == nil {
//		_, err = figs[0].Save("plots") // plots/alpha.svg, plots/alpha.png
//	}
func AlphaCurves(runs []results.Curve, idDataset string, shiftDatasets []string, opts ...Option) ([]Figure, error) {
	o := makeOptions(opts)
	if err := checkCurves(runs, idDataset, shiftDatasets); err != nil {
		return nil, err
	}
	var figs []Figure
	used := map[string]bool{}
	for _, r := range runs {
		name := "alpha"
		if len(runs) > 1 {
			name = "alpha-" + FileName(r.Label)
		}
		for base, k := name, 2; used[name]; k++ {
			name = base + "-" + strconv.Itoa(k)
		}
		used[name] = true
		f, err := alphaFigure(name, r, idDataset, shiftDatasets, o.mark)
		if err != nil {
			return nil, fmt.Errorf("plot: accuracy vs alpha for %s: %w", r.Label, err)
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// alphaFigure draws r's curves and, when r has an output-space ensemble, its in-distribution and average curves
// dotted beside them.
// mark, when not nil, is the α of a dashed vertical line drawn first.
func alphaFigure(name string, r results.Curve, id string, shifts []string, mark *float64) (Figure, error) {
	title := "WiSE-FT: accuracy vs. mixing coefficient α"
	if r.Label != "WiSE-FT" {
		title += "\n" + strings.TrimPrefix(r.Label, "WiSE-FT, ")
	}
	p := newPlot(title, "mixing coefficient α  (0 = zero-shot, 1 = fine-tuned)", "Top-1 accuracy (%)")
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = lightGrey, lightGrey
	p.Add(grid)

	type series struct {
		label string
		of    func(i int) (float64, bool)
		style draw.LineStyle
		glyph draw.GlyphStyle
		best  bool // the series whose best α is marked
	}
	all := []series{{
		label: id + " (in-distribution)",
		of:    func(i int) (float64, bool) { return r.Value(i, id) },
		style: draw.LineStyle{Color: color.Black, Width: vg.Points(2)},
		glyph: draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}},
	}}
	for k, s := range shifts {
		col := runColor(k + 1)
		all = append(all, series{
			label: s,
			of:    func(i int) (float64, bool) { return r.Value(i, s) },
			style: draw.LineStyle{Color: col, Width: vg.Points(1.2)},
			glyph: draw.GlyphStyle{Color: col, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}},
		})
	}
	avgCol := runColor(0)
	all = append(all, series{
		label: "avg. of " + strconv.Itoa(len(shifts)) + " shifts",
		of:    func(i int) (float64, bool) { return r.Average(i, shifts) },
		style: draw.LineStyle{Color: avgCol, Width: vg.Points(2.4), Dashes: []vg.Length{vg.Points(6), vg.Points(2)}},
		glyph: draw.GlyphStyle{Color: avgCol, Radius: vg.Points(2.6), Shape: draw.CircleGlyph{}},
		best:  true,
	})
	if ens, ok := r.OutputCurve(); ok {
		dotted := []vg.Length{vg.Points(1.5), vg.Points(2.5)}
		all = append(all, series{
			label: id + ", " + OutputEnsembleLabel,
			of:    func(i int) (float64, bool) { return ens.Value(i, id) },
			style: draw.LineStyle{Color: color.Black, Width: vg.Points(1.6), Dashes: dotted},
			glyph: draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2), Shape: draw.TriangleGlyph{}},
		}, series{
			label: "avg. of " + strconv.Itoa(len(shifts)) + " shifts, " + OutputEnsembleLabel,
			of:    func(i int) (float64, bool) { return ens.Average(i, shifts) },
			style: draw.LineStyle{Color: avgCol, Width: vg.Points(1.8), Dashes: dotted},
			glyph: draw.GlyphStyle{Color: avgCol, Radius: vg.Points(2.4), Shape: draw.TriangleGlyph{}},
		})
	}

	// Collect the points first: the marker for the best α goes under
	// the lines.
	xyss := make([]plotter.XYs, len(all))
	lo, hi := math.Inf(1), math.Inf(-1)
	bestA, bestV := math.NaN(), math.Inf(-1)
	for si, s := range all {
		for i, a := range r.Alphas {
			v, ok := s.of(i)
			if !ok || math.IsNaN(v) {
				continue
			}
			xyss[si] = append(xyss[si], plotter.XY{X: a, Y: 100 * v})
			lo, hi = min(lo, 100*v), max(hi, 100*v)
			if s.best && v > bestV {
				bestA, bestV = a, v
			}
		}
	}
	if math.IsInf(lo, 0) {
		return Figure{}, fmt.Errorf("no record with a numeric alpha has any of the accuracies")
	}
	pad := max(0.06*(hi-lo), 0.5)
	y0, y1 := lo-pad, hi+pad
	a0, a1 := min(r.Alphas[0], 0), max(r.Alphas[len(r.Alphas)-1], 1)

	var current *plotter.Line
	if mark != nil {
		current, _ = plotter.NewLine(plotter.XYs{{X: *mark, Y: y0}, {X: *mark, Y: y1}})
		current.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x33}, Width: vg.Points(1.4), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		p.Add(current)
	}
	var best *plotter.Line
	if !math.IsNaN(bestA) {
		best, _ = plotter.NewLine(plotter.XYs{{X: bestA, Y: y0}, {X: bestA, Y: y1}})
		best.LineStyle = draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2)}}
		p.Add(best)
	}
	var entries []legendEntry
	var occupied []weighted
	for si, s := range all {
		if len(xyss[si]) == 0 {
			continue
		}
		line, pts, _ := plotter.NewLinePoints(xyss[si])
		line.LineStyle, pts.GlyphStyle = s.style, s.glyph
		p.Add(line, pts)
		entries = append(entries, legendEntry{s.label, []plot.Thumbnailer{line, pts}})
		norm := make([][2]float64, len(xyss[si]))
		for i, q := range xyss[si] {
			norm[i] = [2]float64{(q.X - a0) / (a1 - a0), (q.Y - y0) / (y1 - y0)}
		}
		occupied = append(occupied, densify(norm, 10, 1)...)
	}

	// Room for the legend, keeping the axis within about 0..100 %.
	span := y1 - y0
	maxBelow := math.Max(0, math.Min(0.6, (y0+1)/span))
	maxAbove := math.Max(0, math.Min(0.6, (101-y1)/span))
	w, h := legendSize(p, entries)
	top, left, below, above := placeLegend(occupied, w, h, maxBelow, maxAbove)
	setLegend(p, entries, top, left)
	y0, y1 = y0-below*span, y1+above*span
	sty := sans(8.5)
	if best != nil {
		// A band of its own for the note on the best α, at the end of its line away from the legend, so that it
		// covers no curve.
		const axesH = 1.1 * vg.Inch // axes, labels and title, as legendSize estimates them
		frac := float64((sty.Height("Mg") + 6) / (Height - axesH))
		band := frac / (1 - frac) * (y1 - y0)
		if top {
			y0 -= band
		} else {
			y1 += band
		}
	}
	if current != nil {
		current.XYs[0].Y, current.XYs[1].Y = y0, y1
	}

	if best != nil {
		best.XYs[0].Y, best.XYs[1].Y = y0, y1
		// Label the best α at the end of its line away from the legend.
		at := plotter.XY{X: bestA, Y: y0}
		sty.Color = grey
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
		off := vg.Point{X: 3, Y: 3}
		if !top {
			at.Y = y1
			sty.YAlign = draw.YTop
			off.Y = -3
		}
		if bestA > (a0+a1)/2 {
			sty.XAlign, off.X = draw.XRight, -3
		}
		p.Add(&textAt{at: at, off: off, style: sty, halo: true,
			text: fmt.Sprintf("best avg. α=%s (%.1f%%)", strconv.FormatFloat(bestA, 'g', 4, 64), 100*bestV)})
	}

	p.X.Min, p.X.Max = a0, a1
	p.Y.Min, p.Y.Max = y0, y1
	p.X.Tick.Marker = alphaTicks{}
	p.Y.Tick.Marker = RoundTicks{Suffix: "%"}
	return Figure{Name: name, Plot: p}, nil
}

// alphaTicks labels α every 0.1, with labels every 0.2.
type alphaTicks struct{}

// Ticks implements plot.Ticker.
func (alphaTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for k := int(math.Ceil(min*10 - 1e-9)); k <= int(math.Floor(max*10+1e-9)); k++ {
		t := plot.Tick{Value: float64(k) / 10}
		if k%2 == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}
