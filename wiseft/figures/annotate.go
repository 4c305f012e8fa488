package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// alphaLabels is a plotter that writes "α=…" next to chosen points of a
// curve, on the side of the curve's normal that points up, so labels
// sit outside the bend of the usual concave WiSE-FT curve.
type alphaLabels struct {
	xys   plotter.XYs // the whole curve, in α order
	idx   []int       // points to label
	texts []string
	style text.Style
}

// Plot implements plot.Plotter.
func (l *alphaLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	at := func(i int) vg.Point { return vg.Point{X: trX(l.xys[i].X), Y: trY(l.xys[i].Y)} }
	const gap = 7 // points between a point and its label
	for j, i := range l.idx {
		a, b := at(max(i-1, 0)), at(min(i+1, len(l.xys)-1))
		tx, ty := float64(b.X-a.X), float64(b.Y-a.Y)
		nx, ny := 0.0, 1.0
		if n := math.Hypot(tx, ty); n > 0 {
			nx, ny = -ty/n, tx/n
		}
		if ny < 0 {
			nx, ny = -nx, -ny
		}
		pt := at(i)
		if !c.Contains(pt) {
			continue
		}
		sty := l.style
		switch {
		case nx < -0.35:
			sty.XAlign = draw.XRight
		case nx > 0.35:
			sty.XAlign = draw.XLeft
		default:
			sty.XAlign = draw.XCenter
		}
		sty.YAlign = draw.YBottom
		if ny < 0.35 {
			sty.YAlign = draw.YCenter
		}
		pos := vg.Point{X: pt.X + vg.Length(nx*gap), Y: pt.Y + vg.Length(ny*gap)}
		// Keep the label inside the canvas: a label that would run past an edge goes to the other side of
		// its point.
		w := sty.Width(l.texts[j])
		switch {
		case sty.XAlign == draw.XLeft && pos.X+w > c.Max.X:
			sty.XAlign, sty.YAlign, pos = draw.XRight, draw.YBottom, vg.Point{X: pt.X, Y: pt.Y + gap}
		case sty.XAlign == draw.XRight && pos.X-w < c.Min.X:
			sty.XAlign, sty.YAlign, pos = draw.XLeft, draw.YBottom, vg.Point{X: pt.X, Y: pt.Y + gap}
		case sty.XAlign == draw.XCenter && pos.X+w/2 > c.Max.X:
			sty.XAlign = draw.XRight
		case sty.XAlign == draw.XCenter && pos.X-w/2 < c.Min.X:
			sty.XAlign = draw.XLeft
		}
		c.FillText(sty, pos, l.texts[j])
	}
}

// textAt is a plotter that writes one text at a data point, moved by
// off.
type textAt struct {
	at    plotter.XY
	off   vg.Point
	text  string
	style text.Style
	halo  bool // on a white box, readable over lines drawn before it
}

// Plot implements plot.Plotter.
func (t *textAt) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	at := vg.Point{X: trX(t.at.X) + t.off.X, Y: trY(t.at.Y) + t.off.Y}
	if t.halo {
		r := t.style.Rectangle(t.text)
		const pad = vg.Length(1.5)
		box := vg.Rectangle{Min: vg.Point{X: at.X + r.Min.X - pad, Y: at.Y + r.Min.Y - pad},
			Max: vg.Point{X: at.X + r.Max.X + pad, Y: at.Y + r.Max.Y + pad}}
		c.SetColor(color.White)
		c.Fill(box.Path())
	}
	c.FillText(t.style, at, t.text)
}

// annotated returns the indices in alphas of the values to label: those
// in want, or by default 0.5 and, for a single run, 0.2 (or else 0.25)
// and 0.8 (or else 0.75).
func annotated(alphas, want []float64, runs int) []int {
	find := func(v float64) int {
		for i, a := range alphas {
			if math.Abs(a-v) < 1e-9 {
				return i
			}
		}
		return -1
	}
	var choices [][]float64
	if want != nil {
		for _, w := range want {
			choices = append(choices, []float64{w})
		}
	} else {
		choices = [][]float64{{0.5}}
		if runs == 1 {
			choices = [][]float64{{0.2, 0.25}, {0.5}, {0.8, 0.75}}
		}
	}
	var idx []int
	for _, c := range choices {
		for _, v := range c {
			if i := find(v); i >= 0 {
				idx = append(idx, i)
				break
			}
		}
	}
	return idx
}

// shrink returns sty at legend size.
func shrink(sty draw.GlyphStyle) draw.GlyphStyle {
	sty.Radius *= 0.72
	return sty
}

// marker returns a one-point scatter drawn with sty.
func marker(at plotter.XY, sty draw.GlyphStyle) *plotter.Scatter {
	s, _ := plotter.NewScatter(plotter.XYs{at})
	s.GlyphStyle = sty
	return s
}
