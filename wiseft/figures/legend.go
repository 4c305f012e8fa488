package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one line of a legend.
type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// legendMargin is the space between a legend's box and its entries,
// and between the box and the axes.
const legendMargin = vg.Length(5)

// setLegend fills p's legend with entries, in a white framed box in the
// given corner of the data area.
func setLegend(p *plot.Plot, entries []legendEntry, top, left bool) {
	p.Legend.Top, p.Legend.Left = top, left
	off := 2 * legendMargin
	p.Legend.XOffs, p.Legend.YOffs = -off, -off
	if left {
		p.Legend.XOffs = off + p.Y.Padding
	}
	if !top {
		p.Legend.YOffs = off + p.X.Padding
	}
	box := &legendBox{leg: &p.Legend}
	for _, e := range entries {
		box.texts = append(box.texts, e.text)
	}
	for i, e := range entries {
		thumbs := e.thumbs
		if i == 0 {
			thumbs = append([]plot.Thumbnailer{box}, thumbs...)
		}
		p.Legend.Add(e.text, thumbs...)
	}
}

// legendBox is drawn as the first thumbnail of a legend's first entry:
// from that icon's place it works out the whole legend's extent and
// fills it with a framed white box, so the legend stays readable over
// curves and grid lines.
type legendBox struct {
	leg   *plot.Legend
	texts []string
}

// Thumbnail implements plot.Thumbnailer.
func (b *legendBox) Thumbnail(c *draw.Canvas) {
	l := b.leg
	sty := l.TextStyle
	var textW vg.Length
	for _, t := range b.texts {
		textW = max(textW, sty.Width(t))
	}
	em := sty.Width(" ")
	enth := c.Max.Y - c.Min.Y
	n := vg.Length(len(b.texts))
	r := vg.Rectangle{
		Min: vg.Point{Y: c.Min.Y - (n-1)*(enth+l.Padding) - legendMargin + sty.FontExtents().Descent},
		Max: vg.Point{Y: c.Max.Y + legendMargin},
	}
	if l.Left {
		r.Min.X = c.Min.X - legendMargin
		r.Max.X = c.Min.X + l.ThumbnailWidth + em + textW + legendMargin
	} else {
		r.Min.X = c.Min.X - em - textW - legendMargin
		r.Max.X = c.Max.X + legendMargin
	}
	c.SetColor(color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xe8})
	c.Fill(r.Path())
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0xb0}, Width: vg.Points(0.6)})
	c.Stroke(r.Path())
}

// legendSize estimates the legend's width and height as fractions of
// the data area of a Width×Height figure.
func legendSize(p *plot.Plot, entries []legendEntry) (w, h float64) {
	sty := p.Legend.TextStyle
	var textW vg.Length
	for _, e := range entries {
		textW = max(textW, sty.Width(e.text))
	}
	width := textW + sty.Width(" ") + p.Legend.ThumbnailWidth + 4*legendMargin
	height := vg.Length(len(entries))*sty.Height("Mg") + 4*legendMargin
	const axesW, axesH = 0.9 * vg.Inch, 1.1 * vg.Inch // axes, labels and title
	return float64(width/(Width-axesW)) + 0.02, float64(height/(Height-axesH)) + 0.03
}

// corners in order of preference.
var corners = []struct{ top, left bool }{{true, true}, {false, false}, {true, false}, {false, true}}

// placeLegend picks the corner for a legend of w×h, as fractions of the
// data area, given the points the figure occupies, normalized to [0, 1]
// on both axes. Points of weight 1 are data; lighter ones (the y = x
// line) only break ties. A corner free of data is taken as it is;
// otherwise the y range is stretched to make room, below or above, by
// the least that clears some corner, at most maxBelow or maxAbove
// times the current span. below and above are the stretch, in
// current spans, to add under y0 and over y1. If no corner can be
// cleared, the one covering the least weight is taken unstretched.
func placeLegend(pts []weighted, w, h, maxBelow, maxAbove float64) (top, left bool, below, above float64) {
	best, bestGrow, bestCost := -1, math.Inf(1), math.Inf(1)
	for i, c := range corners {
		x0, x1 := 0.0, w
		if !c.left {
			x0, x1 = 1-w, 1
		}
		hi, lo, cost := math.Inf(-1), math.Inf(1), 0.0
		for _, p := range pts {
			if p.x < x0 || p.x > x1 {
				continue
			}
			if p.w >= 1 {
				hi, lo = max(hi, p.y), min(lo, p.y)
			}
			if c.top && p.y >= 1-h || !c.top && p.y <= h {
				cost += p.w
			}
		}
		grow, limit := 0.0, maxAbove
		if c.top {
			if hi > 1-h {
				grow = hi/(1-h) - 1
			}
		} else {
			limit = maxBelow
			if lo < h {
				grow = (h - lo) / (1 - h)
			}
		}
		if grow > limit {
			continue
		}
		if grow < bestGrow-1e-9 || grow < bestGrow+1e-9 && cost < bestCost-1e-9 {
			best, bestGrow, bestCost = i, grow, cost
		}
	}
	if best < 0 {
		// Nothing can be cleared: cover the least.
		for i, c := range corners {
			cost := 0.0
			for _, p := range pts {
				inX := c.left && p.x <= w || !c.left && p.x >= 1-w
				inY := c.top && p.y >= 1-h || !c.top && p.y <= h
				if inX && inY {
					cost += p.w
				}
			}
			if cost < bestCost-1e-9 {
				best, bestCost = i, cost
			}
		}
		return corners[best].top, corners[best].left, 0, 0
	}
	c := corners[best]
	if c.top {
		return true, c.left, 0, bestGrow
	}
	return false, c.left, bestGrow, 0
}

// weighted is a point in normalized data coordinates with a weight.
type weighted struct{ x, y, w float64 }

// densify returns points along the polyline xys every 1/steps of each
// segment, all with weight w.
func densify(xys [][2]float64, steps int, w float64) []weighted {
	var out []weighted
	for i, p := range xys {
		out = append(out, weighted{p[0], p[1], w})
		if i+1 < len(xys) {
			q := xys[i+1]
			for s := 1; s < steps; s++ {
				t := float64(s) / float64(steps)
				out = append(out, weighted{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1]), w})
			}
		}
	}
	return out
}

// LegendEntry is one line of a legend made by [PlaceLegend]: its text and the thumbnails drawn before it.
type LegendEntry struct {
	Text   string
	Thumbs []plot.Thumbnailer
}

// PlaceLegend fills p's legend with entries, in a framed white box in the corner of the data area (x0..x1 by
// y0..y1, data coordinates) that the lines cross least, as this package places its own legends: a corner free of
// the lines is taken as it is; otherwise the y range is stretched, above or below by at most maxStretch times its
// span, by the least that clears a corner. It returns the y range to draw. The figure is assumed to be
// [Width]×[Height] (as [Figure.SVG] and [Figure.PNG] draw it).
//
//	y0, y1 = figures.PlaceLegend(p, entries, lines, 0, 1, y0, y1, 0.6)
func PlaceLegend(p *plot.Plot, entries []LegendEntry, lines []plotter.XYs, x0, x1, y0, y1, maxStretch float64) (float64, float64) {
	var es []legendEntry
	for _, e := range entries {
		es = append(es, legendEntry{e.Text, e.Thumbs})
	}
	var pts []weighted
	for _, l := range lines {
		norm := make([][2]float64, len(l))
		for i, q := range l {
			norm[i] = [2]float64{(q.X - x0) / (x1 - x0), (q.Y - y0) / (y1 - y0)}
		}
		pts = append(pts, densify(norm, 10, 1)...)
	}
	w, h := legendSize(p, es)
	top, left, below, above := placeLegend(pts, w, h, maxStretch, maxStretch)
	setLegend(p, es, top, left)
	span := y1 - y0
	return y0 - below*span, y1 + above*span
}
