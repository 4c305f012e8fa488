package figures

import (
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// ensembleLog is paperLog with the output-space ensemble's accuracies beside WiSE-FT's: the same endpoints, a
// flatter curve between them.
func ensembleLog() []results.Record {
	recs := paperLog()
	for _, r := range recs {
		a, _ := r.Alpha()
		r["ImageNet:output_ensemble_top1"] = mix(0.75, 0.95, 0.1, a)
		r["ImageNetV2:output_ensemble_top1"] = mix(0.60, 0.50, 0.1, a)
		r["ImageNetR:output_ensemble_top1"] = mix(0.70, 0.55, 0.1, a)
	}
	return recs
}

func TestScatterOutputEnsemble(t *testing.T) {
	recs := ensembleLog()
	curves := curvesOf(t, recs)
	runs := withOutputCurves(curves)
	if len(runs) != 2 || runs[0].OutputEnsemble || !runs[1].OutputEnsemble || runs[1].Label != OutputEnsembleLabel+", ViT-B/32" {
		t.Fatalf("runs %+v", runs)
	}
	for i := range 11 {
		w, _ := runs[0].Value(i, "ImageNetV2")
		o, _ := runs[1].Value(i, "ImageNetV2")
		if want := recs[i]["ImageNetV2:output_ensemble_top1"].(float64); o != want || w != recs[i]["ImageNetV2:top1"].(float64) {
			t.Errorf("α=%v: curves read %v and %v, the log holds %v and %v", runs[0].Alphas[i], w, o, recs[i]["ImageNetV2:top1"], want)
		}
	}
	figs, err := Scatter(curves, "ImageNet", []string{"ImageNetV2", "ImageNetR"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		svg, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		text := checkSVG(t, f.Name, svg)
		if !strings.Contains(text, "WiSE-FT, ViT-B/32") || !strings.Contains(text, OutputEnsembleLabel) {
			t.Errorf("%s: legend lacks the two curves:\n%s", f.Name, text)
		}
	}

	// A log of output ensembles alone draws their curve.
	only := ensembleLog()
	for _, r := range only {
		for _, d := range []string{"ImageNet", "ImageNetV2", "ImageNetR"} {
			delete(r, d+":top1")
		}
	}
	figs, err = Scatter(curvesOf(t, only), "ImageNet", []string{"ImageNetV2"})
	if err != nil {
		t.Fatal(err)
	}
	svg, _ := figs[0].SVG()
	if text := checkSVG(t, "only", svg); !strings.Contains(text, OutputEnsembleLabel) || strings.Contains(text, "WiSE-FT,") {
		t.Errorf("outputs-only legend:\n%s", text)
	}
	// Without ensemble keys nothing is added.
	if len(withOutputCurves(curvesOf(t, paperLog()))) != 1 {
		t.Error("an ensemble curve without ensemble records")
	}
	// An output-ensemble accuracy outside [0, 1] is refused under its own key.
	bad := ensembleLog()
	bad[3]["ImageNetR:output_ensemble_top1"] = 1.5
	if _, err := Scatter(curvesOf(t, bad), "ImageNet", []string{"ImageNetR"}); err == nil ||
		!strings.Contains(err.Error(), "ImageNetR:output_ensemble_top1") {
		t.Errorf("out-of-range output ensemble: %v", err)
	}

	alpha, err := AlphaCurves(curves, "ImageNet", []string{"ImageNetV2", "ImageNetR"})
	if err != nil || len(alpha) != 1 || alpha[0].Name != "alpha" {
		t.Fatalf("alpha figures %v, %v", alpha, err)
	}
	svg, _ = alpha[0].SVG()
	text := checkSVG(t, "alpha", svg)
	for _, want := range []string{"ImageNet, " + OutputEnsembleLabel, "avg. of 2 shifts, " + OutputEnsembleLabel, "avg. of 2 shifts\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("alpha figure legend lacks %q:\n%s", want, text)
		}
	}
}
