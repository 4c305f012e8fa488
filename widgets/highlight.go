package widgets

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gowiseft/wiseft/wiseft/figures"
)

// palette is package figures's series palette: the α curves draw the in-distribution set in black, shift k in
// palette[(k+1) % 8] and the average in palette[0].
var palette = func() []color.Color {
	out := make([]color.Color, 8)
	for i := range out {
		out[i] = figures.SeriesColor(i)
	}
	return out
}()

var (
	avgColor       = palette[0]
	highlightColor = color.RGBA{R: 0xff, G: 0xa5, B: 0x00, A: 0xff}
	markColor      = color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
)

// seriesColor is the colour of series k on the α curves (0: the in-distribution set, in black).
func seriesColor(k int) color.Color {
	if k == 0 {
		return color.Black
	}
	return palette[k%len(palette)]
}

// highlight is a gonum plotter that marks the current α: rings around points (in the α curves' style when
// curves is set, else the scatter's) and a label. It has no data range, so adding it never changes a figure's
// axes.
type highlight struct {
	curves bool
	x      float64
	pts    [][2]float64
	colors []color.Color
	label  string
}

func (h *highlight) add(x, y float64, c color.Color) {
	h.pts = append(h.pts, [2]float64{x, y})
	h.colors = append(h.colors, c)
}

// Plot implements figures.Plotter.
func (h *highlight) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, pt := range h.pts {
		at := vg.Point{X: trX(pt[0]), Y: trY(pt[1])}
		if !c.Contains(at) {
			continue
		}
		if h.curves { // the α curves: the series' colour in a ring
			c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: vg.Points(5.5), Shape: draw.CircleGlyph{}}, at)
			c.DrawGlyph(draw.GlyphStyle{Color: h.colors[i], Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}, at)
			ring(c, at, vg.Points(6.5), vg.Points(1.2), markColor)
		} else { // the scatter: thick rings that leave the point's own marker visible
			ring(c, at, vg.Points(8), vg.Points(3), h.colors[i])
			ring(c, at, vg.Points(10), vg.Points(1), markColor)
		}
	}
	if h.label == "" {
		return
	}
	sty := text.Style{Color: markColor, Font: font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, 11),
		Handler: plot.DefaultTextHandler, YAlign: draw.YTop}
	var at vg.Point
	if h.curves {
		at = vg.Point{X: trX(h.x) + 4, Y: c.Max.Y - 4}
		sty.XAlign = draw.XLeft
		if trX(h.x) > (c.Min.X+c.Max.X)/2 {
			at.X, sty.XAlign = trX(h.x)-4, draw.XRight
		}
	} else if len(h.pts) > 0 {
		at = vg.Point{X: trX(h.pts[0][0]) + 10, Y: trY(h.pts[0][1]) - 8}
		sty.XAlign = draw.XLeft
		if at.X > (c.Min.X+c.Max.X)/2 {
			at.X, sty.XAlign = trX(h.pts[0][0])-10, draw.XRight
		}
	}
	c.FillText(sty, at, h.label)
}

// ring strokes a circle of radius r around at.
func ring(c draw.Canvas, at vg.Point, r, width vg.Length, col color.Color) {
	var p vg.Path
	p.Move(vg.Point{X: at.X + r, Y: at.Y})
	p.Arc(at, r, 0, 2*math.Pi)
	p.Close()
	c.SetLineStyle(draw.LineStyle{Color: col, Width: width})
	c.Stroke(p)
}
