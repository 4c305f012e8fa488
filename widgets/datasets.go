package widgets

import (
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// DatasetSheets shows, for each dataset, its name, size and its first n examples in a strip (zoomed twice),
// one dataset per row.
func DatasetSheets(n int, sets ...datasets.Dataset) (HTML, error) {
	var b strings.Builder
	b.WriteString(`<table class="wiseft-sheets" style="border-collapse:collapse;font-family:sans-serif;font-size:12px">`)
	for _, ds := range sets {
		strip, err := Strip(ds, Range(0, min(n, ds.Len())))
		if err != nil {
			return "", err
		}
		src, err := PNGDataURL(strip)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `<tr><td style="padding:4px 10px 4px 0;vertical-align:middle;white-space:nowrap"><b>%s</b><br/>`+
			`<span style="color:#777">%d images</span></td><td style="padding:2px 0"><img src="%s" `+
			`style="width:%dpx;image-rendering:pixelated"/></td></tr>`, html.EscapeString(ds.Name()), ds.Len(), src,
			2*strip.Bounds().Dx())
	}
	b.WriteString(`</table>`)
	return HTML(b.String()), nil
}

// Strip lays the examples indices of ds out in one row, separated by 1-pixel grey gutters.
func Strip(ds datasets.Dataset, indices []int) (image.Image, error) {
	if len(indices) == 0 {
		return nil, fmt.Errorf("widgets: strip of %s: no examples", ds.Name())
	}
	imgs := make([]image.Image, len(indices))
	w, h := 0, 0
	for k, i := range indices {
		img, _, err := ds.Example(i)
		if err != nil {
			return nil, err
		}
		imgs[k] = thumbnail(img, 64)
		w += imgs[k].Bounds().Dx() + 1
		h = max(h, imgs[k].Bounds().Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, w+1, h+2))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{Y: 0x80}), image.Point{}, draw.Src)
	x := 1
	for _, img := range imgs {
		b := img.Bounds()
		draw.Draw(out, image.Rect(x, 1, x+b.Dx(), 1+b.Dy()), img, b.Min, draw.Src)
		x += b.Dx() + 1
	}
	return out, nil
}

// SummaryTable prints a sweep as the command line's `wiseft run` does: α, the in-distribution set, each shift and
// the shifts' average, top-1 in percent, so a notebook's output can be compared with the main job's line by line.
func SummaryTable(res *wiseft.SweepResult, id string, shifts []string) string {
	return res.Summary(id, shifts)
}

// CompareWithRecords checks that a sweep has the same top-1 accuracy and macro-F1 as results-log records (the
// lines `wiseft run --results-db` appends) for every α and set of the sweep, and returns a line per difference
// (none: identical). Values are compared exactly: the same program on the same data must give the same bits.
func CompareWithRecords(res *wiseft.SweepResult, recs []results.Record) []string {
	byAlpha := map[float64]results.Record{}
	for _, r := range recs {
		if a, ok := r.Alpha(); ok {
			byAlpha[a] = r // the last line of an α wins, as in package figures
		}
	}
	var diffs []string
	for i, a := range res.Alphas {
		r, ok := byAlpha[a]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("α = %g: no record", a))
			continue
		}
		for j, s := range res.Sets {
			m := res.Metrics[i][j]
			for _, kv := range []struct {
				metric string
				v      float64
			}{{"top1", m.Top1}, {"f1", m.MacroF1}} {
				got, ok := r.Metric(s, kv.metric)
				if !ok {
					diffs = append(diffs, fmt.Sprintf("α = %g: no %s:%s in the record", a, s, kv.metric))
				} else if got != kv.v && !(math.IsNaN(got) && math.IsNaN(kv.v)) {
					diffs = append(diffs, fmt.Sprintf("α = %g %s:%s: notebook %v, command line %v", a, s, kv.metric, kv.v, got))
				}
			}
		}
	}
	return diffs
}

// TopK returns the k most probable labels of a prediction made with EvalOptions.KeepProbs, most probable first.
func TopK(p wiseft.Prediction, k int) []int {
	idx := make([]int, len(p.Probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p.Probs[idx[a]] > p.Probs[idx[b]] })
	return idx[:min(k, len(idx))]
}
