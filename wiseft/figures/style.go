package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette colours the runs, in order (a colour-blind-safe set).
var palette = []color.Color{
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // red
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // purple
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // orange
	color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, // brown
	color.RGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff}, // pink
	color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff}, // cyan
}

func runColor(i int) color.Color { return palette[i%len(palette)] }

// SeriesColor is the colour of series i in this package's figures (curves, runs), for drawings that must match
// them (the notebooks' α highlight).
func SeriesColor(i int) color.Color { return runColor(i) }

var (
	grey      = color.Gray{Y: 0x60}
	lightGrey = color.Gray{Y: 0xe4}
)

// sansFont returns Liberation Sans of the given size.
func sansFont(size vg.Length) font.Font {
	return font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, size)
}

// sans returns a black text style in Liberation Sans of the given size.
func sans(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    sansFont(size),
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the package's fonts and labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansFont(12)
	p.Title.Padding = vg.Points(8)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Tick.Label.Font = sansFont(9.5)
		ax.Label.TextStyle.Font = sansFont(11)
		ax.Label.Padding = vg.Points(4)
		ax.Tick.Length = vg.Points(4)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font = sansFont(9)
	p.Legend.ThumbnailWidth = vg.Points(22)
	p.Legend.Padding = vg.Points(3)
	return p
}

// starGlyph draws a filled five-pointed star with a dark outline.
type starGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (starGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var path vg.Path
	for i := range 10 {
		r := sty.Radius
		if i%2 == 1 {
			r *= 0.45
		}
		a := math.Pi/2 + float64(i)*math.Pi/5
		q := vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))}
		if i == 0 {
			path.Move(q)
		} else {
			path.Line(q)
		}
	}
	path.Close()
	fillOutline(c, sty.Color, path)
}

// diamondGlyph draws a filled diamond with a dark outline.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var path vg.Path
	path.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	path.Line(vg.Point{X: pt.X + r*0.8, Y: pt.Y})
	path.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	path.Line(vg.Point{X: pt.X - r*0.8, Y: pt.Y})
	path.Close()
	fillOutline(c, sty.Color, path)
}

func fillOutline(c *draw.Canvas, fill color.Color, path vg.Path) {
	c.SetColor(fill)
	c.Fill(path)
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0x20}, Width: vg.Points(0.7)})
	c.Stroke(path)
}

// glyphs for the endpoints and the α points of a curve.
func zeroShotStyle(col color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: col, Radius: vg.Points(7), Shape: starGlyph{}}
}

func fineTunedStyle(col color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: col, Radius: vg.Points(5.5), Shape: diamondGlyph{}}
}

func pointStyle(col color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
}

func curveStyle(col color.Color) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: vg.Points(1.6)}
}

func diagonalStyle() draw.LineStyle {
	return draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
}
