package figures

import (
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// PlaceLegend takes a corner the lines leave free as it is, and stretches the y range only when every corner is
// crossed.
func TestPlaceLegendExported(t *testing.T) {
	entries := []LegendEntry{{Text: "a"}, {Text: "b"}}
	// A rising line: the top-left and bottom-right corners are free; the top-left one is preferred.
	p := plot.New()
	rising := []plotter.XYs{{{X: 0, Y: 0}, {X: 1, Y: 10}}}
	y0, y1 := PlaceLegend(p, entries, rising, 0, 1, 0, 10, 0.6)
	if y0 != 0 || y1 != 10 || !p.Legend.Top || !p.Legend.Left {
		t.Errorf("rising line: range [%v, %v], legend top %v left %v; want [0, 10] and the top-left corner",
			y0, y1, p.Legend.Top, p.Legend.Left)
	}
	// Flat lines at the top and the bottom: every corner is crossed, so the range grows above (or below) by the
	// least that clears one, at most 0.6 of its span.
	p = plot.New()
	flat := []plotter.XYs{{{X: 0, Y: 10}, {X: 1, Y: 10}}, {{X: 0, Y: 0}, {X: 1, Y: 0}}}
	y0, y1 = PlaceLegend(p, entries, flat, 0, 1, 0, 10, 0.6)
	grew := (y1 - 10) + (0 - y0)
	if grew <= 0 || grew > 6+1e-9 || math.Min(y0, 0) != y0 {
		t.Errorf("crowded corners: range [%v, %v], want [0, 10] stretched on one side by at most 6", y0, y1)
	}
	if (y1 > 10) != p.Legend.Top {
		t.Errorf("the range grew on one side (to [%v, %v]) and the legend went to the other (top %v)", y0, y1, p.Legend.Top)
	}
}
