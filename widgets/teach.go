package widgets

import (
	"fmt"
	"html"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
)

// DistanceTable shows wiseft.WeightDistances as a table with a bar for each group's relative distance.
func DistanceTable(ds []wiseft.GroupDistance) HTML {
	maxRel := 0.0
	for _, d := range ds {
		maxRel = max(maxRel, d.Relative())
	}
	var b strings.Builder
	b.WriteString(`<table class="wiseft-distances" style="border-collapse:collapse;font-size:12px;font-family:sans-serif">`)
	b.WriteString(`<tr style="border-bottom:1px solid #999"><th style="text-align:left;padding:2px 8px">tensors</th>` +
		`<th style="padding:2px 8px;text-align:right">values</th><th style="padding:2px 8px;text-align:right">‖θ₁−θ₀‖</th>` +
		`<th style="padding:2px 8px;text-align:right">‖θ₀‖</th><th style="padding:2px 8px;text-align:left">‖θ₁−θ₀‖ / ‖θ₀‖</th></tr>`)
	for _, d := range ds {
		style := ""
		if d.Group == "total" {
			style = ` style="border-top:1px solid #999;font-weight:bold"`
		}
		width := 0.0
		if maxRel > 0 {
			width = 160 * d.Relative() / maxRel
		}
		fmt.Fprintf(&b, `<tr%s><td style="padding:2px 8px">%s</td><td style="padding:2px 8px;text-align:right">%d</td>`+
			`<td style="padding:2px 8px;text-align:right">%.4g</td><td style="padding:2px 8px;text-align:right">%.4g</td>`+
			`<td style="padding:2px 8px"><span style="display:inline-block;width:%.0fpx;height:9px;background:#1f77b4;`+
			`margin-right:6px"></span>%.2f%%</td></tr>`, style, html.EscapeString(d.Group), d.Params, d.Distance, d.Norm0,
			width, 100*d.Relative())
	}
	b.WriteString(`</table>`)
	return HTML(b.String())
}

// Series is one line of a Lines figure.
type Series struct {
	Name string
	X, Y []float64
	// Dashed draws the line dashed; Color, when set, replaces the palette's.
	Dashed bool
	Color  color.Color
}

// Lines draws series as lines with points (the project's figure style and size, see package figures), for the
// teaching notebook's loss and accuracy curves. Marks are vertical dotted lines at the given x (α = 0 and 1, for
// instance).
func Lines(title, xLabel, yLabel string, marks []float64, series ...Series) (figures.Figure, error) {
	p := plot.New()
	p.Title.Text = title
	sans := func(size vg.Length) font.Font {
		return font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, size)
	}
	p.Title.TextStyle.Font = sans(13)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sans(12)
		ax.Tick.Label.Font = sans(11)
	}
	p.Legend.TextStyle.Font = sans(11)
	p.Legend.ThumbnailWidth = vg.Points(22)
	p.Legend.Padding = vg.Points(3)
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = color.Gray{Y: 0xe4}, color.Gray{Y: 0xe4}
	p.Add(grid)
	if len(series) == 0 {
		return figures.Figure{}, fmt.Errorf("widgets: a line figure needs at least one series")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	xlo, xhi := math.Inf(1), math.Inf(-1)
	var entries []figures.LegendEntry
	var lines []plotter.XYs
	for k, s := range series {
		if len(s.X) != len(s.Y) || len(s.X) == 0 {
			return figures.Figure{}, fmt.Errorf("widgets: series %q has %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		xys := make(plotter.XYs, 0, len(s.X))
		for i := range s.X {
			if math.IsNaN(s.Y[i]) || math.IsInf(s.Y[i], 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: s.X[i], Y: s.Y[i]})
			lo, hi = min(lo, s.Y[i]), max(hi, s.Y[i])
			xlo, xhi = min(xlo, s.X[i]), max(xhi, s.X[i])
		}
		line, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return figures.Figure{}, err
		}
		col := s.Color
		if col == nil {
			col = palette[(k+1)%len(palette)]
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(2.2)}
		if s.Dashed { // thinner, so that a solid line under it stays visible
			line.LineStyle.Width = vg.Points(1.3)
			line.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		pts.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		p.Add(line, pts)
		entries = append(entries, figures.LegendEntry{Text: s.Name, Thumbs: []plot.Thumbnailer{line, pts}})
		lines = append(lines, xys)
	}
	if !math.IsInf(lo, 0) {
		// The data with a little room on both sides; the legend goes in the corner the lines leave free (the range
		// is stretched only when none is).
		// Nearly flat data get a span of 2 % of their size, so that the ticks stay round numbers.
		if minSpan := max(1e-3, 0.02*max(math.Abs(lo), math.Abs(hi))); hi-lo < minSpan {
			mid := (lo + hi) / 2
			lo, hi = mid-minSpan/2, mid+minSpan/2
		}
		span := hi - lo
		p.Y.Min, p.Y.Max = lo-0.06*span, hi+0.06*span
		if xhi > xlo {
			p.X.Min, p.X.Max = xlo, xhi
		}
		p.Y.Min, p.Y.Max = figures.PlaceLegend(p, entries, lines, p.X.Min, p.X.Max, p.Y.Min, p.Y.Max, 0.6)
	}
	p.X.Tick.Marker = figures.RoundTicks{}
	p.Y.Tick.Marker = figures.RoundTicks{}
	for _, m := range marks {
		l, err := plotter.NewLine(plotter.XYs{{X: m, Y: p.Y.Min}, {X: m, Y: p.Y.Max}})
		if err != nil {
			return figures.Figure{}, err
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2)}}
		p.Add(l)
	}
	return figures.Figure{Name: figures.FileName(title), Plot: p}, nil
}
