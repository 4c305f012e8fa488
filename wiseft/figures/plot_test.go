package figures

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// checkSVG parses data as XML and returns its text content.
func checkSVG(t *testing.T, name string, data []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", name, err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = x.Name.Local
			}
		case xml.CharData:
			text.Write(x)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q, want svg", name, root)
	}
	return text.String()
}

func TestSaveAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plots")
	shifts := []string{"ImageNetV2", "ImageNetR"}
	paths, err := SaveAll(curvesOf(t, paperLog()), "ImageNet", shifts, dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range []string{"ImageNetV2", "ImageNetR", "average"} {
		want = append(want, filepath.Join(dir, n+".svg"), filepath.Join(dir, n+".png"))
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want) {
		t.Errorf("%d files in dir, want %d (temp files left?)", len(entries), len(want))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(p)
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", p, fi.Mode())
		}
		switch filepath.Ext(p) {
		case ".svg":
			text := checkSVG(t, p, data)
			base := strings.TrimSuffix(filepath.Base(p), ".svg")
			yLabel := base + " top-1 accuracy (%)"
			if base == "average" {
				yLabel = "Avg. top-1 accuracy on 2 shifts (%)"
			}
			for _, s := range []string{"ImageNet top-1 accuracy (%)", yLabel, "90%", "zero-shot (α=0)", "fine-tuned (α=1)", "y = x", "α=0.5"} {
				if !strings.Contains(text, s) {
					t.Errorf("%s lacks %q", p, s)
				}
			}
		case ".png":
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 750 {
				t.Errorf("%s: %dx%d, want 900x750", p, b.Dx(), b.Dy())
			}
		}
	}

	// Saving again replaces the files.
	if _, err := SaveAll(curvesOf(t, paperLog()), "ImageNet", shifts, dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(want) {
		t.Errorf("after a second save: %d files", len(entries))
	}
}

func TestScatterFigures(t *testing.T) {
	recs := paperLog()
	figs, err := Scatter(curvesOf(t, recs), "ImageNet", []string{"ImageNetV2", "ImageNetR"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"ImageNetV2", "ImageNetR", AverageName}) {
		t.Fatalf("names %v", names)
	}
	p := figs[0].Plot
	if _, ok := p.X.Scale.(LogitScale); !ok {
		t.Errorf("x scale %T", p.X.Scale)
	}
	if _, ok := p.Y.Scale.(LogitScale); !ok {
		t.Errorf("y scale %T", p.Y.Scale)
	}
	// The axes hold the data: ID 0.75..0.95, shift 0.50..~0.64.
	if !(p.X.Min < 0.75 && p.X.Max > 0.95 && p.Y.Min < 0.50 && p.Y.Max > 0.64) {
		t.Errorf("ranges x [%v, %v] y [%v, %v]", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	// ... and let y = x cross them.
	if lo, hi := max(p.X.Min, p.Y.Min), min(p.X.Max, p.Y.Max); hi <= lo {
		t.Errorf("y = x misses the axes: x [%v, %v] y [%v, %v]", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	if p.Y.Max >= 1 || p.Y.Min <= 0 {
		t.Errorf("y range [%v, %v] leaves (0, 1)", p.Y.Min, p.Y.Max)
	}

	// The curve is drawn in α order even if the log is not.
	shuffled := slices.Clone(recs)
	slices.Reverse(shuffled)
	runs := curvesOf(t, shuffled)
	if len(runs) != 1 || !slices.IsSorted(runs[0].Alphas) || len(runs[0].Alphas) != 11 {
		t.Errorf("runs %+v", runs)
	}
}

func TestScatterRanges(t *testing.T) {
	// Shift far below ID: an axis is widened until y = x shows.
	x0, x1, y0, y1 := scatterRanges([]float64{0.75, 0.95}, []float64{0.2, 0.3})
	if overlap := min(x1, y1) - max(x0, y0); max(overlap/(x1-x0), overlap/(y1-y0)) < 0.25-1e-9 {
		t.Errorf("overlap %v of x [%v %v] y [%v %v]", overlap, x0, x1, y0, y1)
	}
	// Already crossing: only padding.
	x0, x1, _, _ = scatterRanges([]float64{0.6, 0.8}, []float64{0.55, 0.75})
	pad := 0.08 * (Logit(0.8) - Logit(0.6))
	if !near(x0, Logit(0.6)-pad) || !near(x1, Logit(0.8)+pad) {
		t.Errorf("x range [%v, %v] not just padded", x0, x1)
	}
	// A single point still gets a range.
	x0, x1, y0, y1 = scatterRanges([]float64{0.7}, []float64{0.7})
	if !(x1 > x0 && y1 > y0) {
		t.Errorf("single point: x [%v %v] y [%v %v]", x0, x1, y0, y1)
	}
}

func TestGroupRuns(t *testing.T) {
	a := synthLog("ViT-B/32", 0.63, 0.81, 1)
	b := synthLog("ViT-L/14", 0.75, 0.86, 1.2)
	// A re-run of α=0.5 for a: the later line wins.
	again := results.Record{}
	for k, v := range a[5] {
		again[k] = v
	}
	again["ImageNet:top1"] = 0.5
	recs := append(append(append([]results.Record{}, a...), b...), again,
		results.Record{"model": "x", "alpha": []any{0.5}, "ImageNet:top1": 0.1}) // no numeric alpha
	runs := curvesOf(t, recs)
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	if runs[0].Label != "ViT-B/32, /ckpt/ViT-B/32" || runs[1].Label != "ViT-L/14, /ckpt/ViT-L/14" {
		t.Errorf("labels %q, %q", runs[0].Label, runs[1].Label)
	}
	if v, _ := runs[0].Value(5, "ImageNet"); v != 0.5 {
		t.Errorf("α=0.5 ImageNet = %v, want the re-run's 0.5", v)
	}
	if len(runs[0].Alphas) != 11 {
		t.Errorf("run 0 has %d points", len(runs[0].Alphas))
	}
	one := curvesOf(t, recs, []string{}...)
	if len(one) != 1 || one[0].Label != "WiSE-FT" {
		t.Errorf("no group keys: %d runs, label %q", len(one), one[0].Label)
	}
	figs, err := Scatter(curvesOf(t, recs, "model"), "ImageNet", shiftNames(), AnnotateAlphas())
	if err != nil || len(figs) != len(synthShifts)+1 {
		t.Fatalf("Scatter: %d figures, %v", len(figs), err)
	}
}

func TestAverage(t *testing.T) {
	r := curvesOf(t, []results.Record{{"alpha": 0.0, "A:top1": 0.5, "B:top1": 0.7}})[0]
	if v, ok := r.Average(0, []string{"A", "B"}); !ok || !near(v, 0.6) {
		t.Errorf("average = %v, %v", v, ok)
	}
	if _, ok := r.Average(0, []string{"A", "C"}); ok {
		t.Error("average with a missing dataset ok")
	}
}

func TestAlphaCurves(t *testing.T) {
	figs, err := AlphaCurves(curvesOf(t, paperLog()), "ImageNet", []string{"ImageNetV2", "ImageNetR"})
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 1 || figs[0].Name != "alpha" {
		t.Fatalf("figures %v", figs)
	}
	svg, err := figs[0].SVG()
	if err != nil {
		t.Fatal(err)
	}
	text := checkSVG(t, "alpha.svg", svg)
	for _, s := range []string{"Top-1 accuracy (%)", "mixing coefficient α", "ImageNet (in-distribution)", "avg. of 2 shifts", "best avg. α=0.3"} {
		if !strings.Contains(text, s) {
			t.Errorf("alpha.svg lacks %q", s)
		}
	}
	multi := append(synthLog("ViT-B/32", 0.63, 0.81, 1), synthLog("ViT-L/14", 0.75, 0.86, 1.2)...)
	figs, err = AlphaCurves(curvesOf(t, multi), "ImageNet", shiftNames())
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 || figs[0].Name == figs[1].Name || !strings.HasPrefix(figs[1].Name, "alpha-ViT-L_14") {
		t.Fatalf("names %q %q", figs[0].Name, figs[1].Name)
	}
	paths, err := figs[1].Save(t.TempDir())
	if err != nil || len(paths) != 2 {
		t.Fatalf("Save: %v %v", paths, err)
	}
	if _, err := AlphaCurves(nil, "ImageNet", shiftNames()); err == nil {
		t.Error("AlphaCurves(nil) succeeded")
	}
}

func TestErrors(t *testing.T) {
	recs := paperLog()
	cases := []struct {
		name   string
		recs   []results.Record
		id     string
		shifts []string
		want   string
	}{
		{"no records", nil, "ImageNet", []string{"ImageNetV2"}, `numeric "alpha"`},
		{"no shifts", recs, "ImageNet", nil, "no shift datasets"},
		{"no id", recs, "", []string{"ImageNetV2"}, "no in-distribution"},
		{"unknown shift", recs, "ImageNet", []string{"ImageNetV2", "ObjectNet"}, `"ObjectNet:top1"`},
		{"unknown id", recs, "CIFAR10", []string{"ImageNetV2"}, `dataset "CIFAR10"`},
		{"no alpha", []results.Record{{"ImageNet:top1": 0.7, "ImageNetV2:top1": 0.6}}, "ImageNet", []string{"ImageNetV2"}, `numeric "alpha"`},
		{"percent, not fraction", []results.Record{{"alpha": 0.0, "ImageNet:top1": 75.3, "ImageNetV2:top1": 0.6}},
			"ImageNet", []string{"ImageNetV2"}, `"ImageNet:top1" is 75.3`},
		{"never together", []results.Record{
			{"alpha": 0.0, "ImageNet:top1": 0.7},
			{"alpha": 1.0, "ImageNetV2:top1": 0.6},
		}, "ImageNet", []string{"ImageNetV2"}, "ImageNetV2 vs ImageNet"},
	}
	for _, c := range cases {
		curves, err := results.Curves(c.recs, DefaultGroupKeys...)
		if err != nil {
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: results.Curves: %v, want an error containing %q", c.name, err, c.want)
			}
			continue
		}
		_, err = Scatter(curves, c.id, c.shifts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if c.name == "unknown shift" && !strings.Contains(err.Error(), "ImageNet, ImageNetR, ImageNetV2") {
			t.Errorf("error does not list the log's datasets: %v", err)
		}
		if _, err := SaveAll(curves, c.id, c.shifts, t.TempDir()); err == nil {
			t.Errorf("%s: SaveAll succeeded", c.name)
		}
	}
	// A shift called "average" would overwrite the average figure.
	dup := []results.Record{{"alpha": 0.0, "ImageNet:top1": 0.7, "average:top1": 0.6}}
	if _, err := SaveAll(curvesOf(t, dup), "ImageNet", []string{"average"}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("duplicate file name: %v", err)
	}
}

func TestPlaceLegend(t *testing.T) {
	// Data fill the top-left and bottom-right corners: take another.
	pts := []weighted{{0.1, 0.9, 1}, {0.9, 0.1, 1}}
	top, left, below, above := placeLegend(pts, 0.4, 0.3, 0.6, 0.6)
	if !(top && !left || !top && left) || below != 0 || above != 0 {
		t.Errorf("got top=%v left=%v below=%v above=%v", top, left, below, above)
	}
	// Every corner taken: stretch the least.
	pts = []weighted{{0.1, 0.9, 1}, {0.9, 0.1, 1}, {0.9, 0.8, 1}, {0.1, 0.05, 1}}
	top, left, below, above = placeLegend(pts, 0.4, 0.3, 0.6, 0.6)
	if !top || left || below != 0 || !near(above, 0.8/0.7-1) {
		t.Errorf("got top=%v left=%v below=%v above=%v", top, left, below, above)
	}
	// No room allowed: cover the least weight.
	top, left, below, above = placeLegend(pts, 0.4, 0.3, 0, 0)
	if below != 0 || above != 0 {
		t.Errorf("stretched without room: %v %v (corner %v %v)", below, above, top, left)
	}
	// Light points (y = x) only break ties.
	pts = []weighted{{0.1, 0.9, 0.3}}
	if top, left, _, _ := placeLegend(pts, 0.4, 0.3, 0.6, 0.6); top && left {
		t.Error("legend put on the y = x line")
	}
}

func TestFileNameAndAtomic(t *testing.T) {
	for in, want := range map[string]string{
		"ImageNet-R": "ImageNet-R", "iwildcam/ood": "iwildcam_ood", "": "_", ".hidden": "_.hidden", "a b:c": "a_b_c",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
	dir := filepath.Join(t.TempDir(), "new")
	for _, s := range []string{"first", "second"} {
		p, err := WriteFileAtomic(dir, "f.txt", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != s {
			t.Errorf("read %q, want %q", b, s)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d entries, want 1", len(es))
	}
	if _, err := WriteFileAtomic(filepath.Join(dir, "f.txt"), "g", nil); err == nil {
		t.Error("writing under a file succeeded")
	}
	if _, err := (Figure{Name: "x"}).Save(dir); err == nil {
		t.Error("saving a figure without a plot succeeded")
	}
}

// curvesOf groups records into curves by keys (none given: DefaultGroupKeys), as `wiseft plot` does.
func curvesOf(t *testing.T, recs []results.Record, keys ...string) []results.Curve {
	t.Helper()
	if keys == nil {
		keys = DefaultGroupKeys
	}
	c, err := results.Curves(recs, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
