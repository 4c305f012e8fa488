package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/gowiseft/wiseft/wiseft/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// AverageName is the [Figure.Name] of the scatter over the average of
// the shift datasets.
const AverageName = "average"

// Scatter draws the paper's figure for each shift dataset, in order,
// then for the average over the shifts (named [AverageName]): shift
// top-1 accuracy against idDataset top-1 accuracy, both on logit axes
// labelled in percent, one curve per run through its α values in
// increasing order, the zero-shot (α=0) and fine-tuned (α=1) models
// marked and the line y = x dashed. A run that also holds the
// output-space ensemble's accuracies (results.Curve.Outputs, the paper's
// baseline) gets a second, dashed curve through them, as the paper's
// figure compares the two.
//
// The curves come from a results log (results.Curves) or a sweep
// (wiseft.SweepResult.Curve). A figure uses the points that have the
// accuracies it needs (the average needs all shifts). It is an error if
// there are no curves, if a named dataset has no value in any curve, if
// a value is not a fraction in [0, 1], or if a figure would be empty.
//
//	curves, err := results.Curves(recs, figures.DefaultGroupKeys...)
//	figs, err := figures.Scatter(curves, "ImageNet", []string{"ImageNetV2", "ImageNetR"})
//	for _, f := range figs {
//		files, err := f.Save("plots") // plots/ImageNetV2.svg, plots/ImageNetV2.png, ...
//	}
func Scatter(runs []results.Curve, idDataset string, shiftDatasets []string, opts ...Option) ([]Figure, error) {
	if err := checkCurves(runs, idDataset, shiftDatasets); err != nil {
		return nil, err
	}
	o := makeOptions(opts)
	runs = withOutputCurves(runs)
	xOf := func(r results.Curve, i int) (float64, bool) { return r.Value(i, idDataset) }
	xLabel := idDataset + " top-1 accuracy (%)"

	var figs []Figure
	for _, s := range shiftDatasets {
		yOf := func(r results.Curve, i int) (float64, bool) { return r.Value(i, s) }
		f, err := scatterFigure(s, "WiSE-FT: "+s+" vs. "+idDataset, xLabel, s+" top-1 accuracy (%)", runs, o, xOf, yOf)
		if err != nil {
			return nil, fmt.Errorf("plot: %s vs %s: %w", s, idDataset, err)
		}
		figs = append(figs, f)
	}
	yOf := func(r results.Curve, i int) (float64, bool) { return r.Average(i, shiftDatasets) }
	n := strconv.Itoa(len(shiftDatasets))
	f, err := scatterFigure(AverageName, "WiSE-FT: average of "+n+" shifts vs. "+idDataset, xLabel,
		"Avg. top-1 accuracy on "+n+" shifts (%)", runs, o, xOf, yOf)
	if err != nil {
		return nil, fmt.Errorf("plot: average over shifts vs %s: %w", idDataset, err)
	}
	return append(figs, f), nil
}

// curve is one run's points on one figure.
type curve struct {
	xys    plotter.XYs
	alphas []float64
}

func scatterFigure(name, title, xLabel, yLabel string, runs []results.Curve, o options,
	xOf, yOf func(results.Curve, int) (float64, bool)) (Figure, error) {
	curves := make([]curve, len(runs))
	var xs, ys []float64
	for ri, r := range runs {
		for i, a := range r.Alphas {
			x, okx := xOf(r, i)
			y, oky := yOf(r, i)
			if !okx || !oky || math.IsNaN(x) || math.IsNaN(y) {
				continue
			}
			curves[ri].xys = append(curves[ri].xys, plotter.XY{X: clampProb(x), Y: clampProb(y)})
			curves[ri].alphas = append(curves[ri].alphas, a)
			xs, ys = append(xs, x), append(ys, y)
		}
	}
	if len(xs) == 0 {
		return Figure{}, fmt.Errorf("no record with a numeric alpha has both accuracies")
	}

	p := newPlot(title, xLabel, yLabel)
	lx0, lx1, ly0, ly1 := scatterRanges(xs, ys)
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = lightGrey, lightGrey
	p.Add(grid)

	diag, _ := plotter.NewLine(plotter.XYs{
		{X: InvLogit(min(lx0, ly0)), Y: InvLogit(min(lx0, ly0))},
		{X: InvLogit(max(lx1, ly1)), Y: InvLogit(max(lx1, ly1))},
	})
	diag.LineStyle = diagonalStyle()
	p.Add(diag)

	var entries []legendEntry
	for ri, cv := range curves {
		if len(cv.xys) == 0 {
			continue
		}
		col := runColor(ri)
		line, _ := plotter.NewLine(cv.xys)
		line.LineStyle = curveStyle(col)
		if runs[ri].OutputEnsemble {
			line.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		pts, _ := plotter.NewScatter(cv.xys)
		pts.GlyphStyle = pointStyle(col)
		p.Add(line, pts)
		entries = append(entries, legendEntry{runs[ri].Label, []plot.Thumbnailer{line, pts}})

		for i, a := range cv.alphas {
			if runs[ri].OutputEnsemble {
				break // the endpoints are the same two models as WiSE-FT's, marked once
			}
			if a == 0 {
				p.Add(marker(cv.xys[i], zeroShotStyle(col)))
			}
			if a == 1 {
				p.Add(marker(cv.xys[i], fineTunedStyle(col)))
			}
		}
		lab := &alphaLabels{xys: cv.xys, style: sans(8.5)}
		for _, i := range annotated(cv.alphas, o.annotate, len(runs)) {
			lab.idx = append(lab.idx, i)
			lab.texts = append(lab.texts, "α="+strconv.FormatFloat(cv.alphas[i], 'g', 4, 64))
		}
		p.Add(lab)
	}

	var markerCol color.Color = color.Gray{Y: 0xa8}
	if len(runs) == 1 {
		markerCol = runColor(0)
	}
	entries = append(entries,
		legendEntry{"zero-shot (α=0)", []plot.Thumbnailer{marker(plotter.XY{}, shrink(zeroShotStyle(markerCol)))}},
		legendEntry{"fine-tuned (α=1)", []plot.Thumbnailer{marker(plotter.XY{}, shrink(fineTunedStyle(markerCol)))}},
		legendEntry{"y = x", []plot.Thumbnailer{diag}},
	)
	occupied := func() []weighted {
		nx := func(v float64) float64 { return (v - lx0) / (lx1 - lx0) }
		ny := func(v float64) float64 { return (v - ly0) / (ly1 - ly0) }
		var occ []weighted
		for _, cv := range curves {
			norm := make([][2]float64, len(cv.xys))
			for i, q := range cv.xys {
				norm[i] = [2]float64{nx(Logit(q.X)), ny(Logit(q.Y))}
			}
			occ = append(occ, densify(norm, 10, 1)...)
		}
		if d0, d1 := max(lx0, ly0), min(lx1, ly1); d0 < d1 {
			diag := [][2]float64{{nx(d0), ny(d0)}, {nx(d1), ny(d1)}}
			occ = append(occ, densify(diag, 40, 0.3)...)
		}
		return occ
	}
	// Room for the legend, keeping the axis within 0.1..99.9 %.
	span := ly1 - ly0
	maxBelow := math.Max(0, math.Min(0.6, (ly0-Logit(0.001))/span))
	maxAbove := math.Max(0, math.Min(0.6, (Logit(0.999)-ly1)/span))
	w, h := legendSize(p, entries)
	top, left, below, above := placeLegend(occupied(), w, h, maxBelow, maxAbove)
	setLegend(p, entries, top, left)
	ly0, ly1 = ly0-below*span, ly1+above*span

	// Fix the ranges last: Add widened them to the plotters' data.
	p.X.Scale, p.Y.Scale = LogitScale{}, LogitScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = PercentTicks{}, PercentTicks{}
	p.X.Min, p.X.Max = InvLogit(lx0), InvLogit(lx1)
	p.Y.Min, p.Y.Max = InvLogit(ly0), InvLogit(ly1)
	return Figure{Name: name, Plot: p}, nil
}
