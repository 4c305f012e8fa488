package figures

import (
	"math"
	"os"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// shiftSpec gives a dataset's zero-shot and fine-tuned top-1 and the
// extra logit a middle α gains.
type shiftSpec struct {
	name       string
	zs, ft, up float64
}

var synthShifts = []shiftSpec{
	{"ImageNetV2", 0.62, 0.70, 0.35},
	{"ImageNetR", 0.77, 0.52, 0.45},
	{"ImageNetSketch", 0.48, 0.40, 0.55},
	{"ObjectNet", 0.53, 0.45, 0.40},
	{"ImageNetA", 0.32, 0.18, 0.50},
}

func shiftNames() []string {
	var ns []string
	for _, s := range synthShifts {
		ns = append(ns, s.name)
	}
	return ns
}

// mix interpolates in logit space with a bump of up at α=0.5.
func mix(zs, ft, up, a float64) float64 {
	return InvLogit((1-a)*Logit(zs) + a*Logit(ft) + 4*up*a*(1-a))
}

// synthLog returns one record per α in 0, 0.1, ..., 1 for a run of
// model whose zero-shot and fine-tuned ID accuracies are idZS and idFT;
// shifts are scaled by shiftScale.
func synthLog(model string, idZS, idFT, shiftScale float64) []results.Record {
	var recs []results.Record
	for i := 0; i <= 10; i++ {
		a := float64(i) / 10
		r := results.Record{
			"model": model, "train_dataset": "ImageNet", "save": "/ckpt/" + model,
			"epochs": 10.0, "lr": 3e-5, "batch_size": 512.0, "alpha": a,
			"eval_datasets": []any{"ImageNet", "ImageNetV2"},
			"ImageNet:top1": mix(idZS, idFT, 0.25, a),
		}
		for _, s := range synthShifts {
			r[s.name+":top1"] = math.Min(mix(s.zs, s.ft, s.up, a)*shiftScale, 0.99)
		}
		recs = append(recs, r)
	}
	return recs
}

// The paper's shape: zero-shot ID 0.75 / shift 0.60, fine-tuned ID 0.95
// / shift 0.50, a middle α better on the shift.
func paperLog() []results.Record {
	var recs []results.Record
	for i := 0; i <= 10; i++ {
		a := float64(i) / 10
		recs = append(recs, results.Record{
			"model": "ViT-B/32", "train_dataset": "ImageNet", "save": "/ckpt/b32", "alpha": a,
			"ImageNet:top1":   mix(0.75, 0.95, 0.3, a),
			"ImageNetV2:top1": mix(0.60, 0.50, 0.35, a),
			"ImageNetR:top1":  mix(0.70, 0.55, 0.4, a),
		})
	}
	return recs
}

// TestWritePlotcheck writes the figures for a look by eye when
// WISEFT_PLOTCHECK names a directory.
func TestWritePlotcheck(t *testing.T) {
	dir := os.Getenv("WISEFT_PLOTCHECK")
	if dir == "" {
		t.Skip("set WISEFT_PLOTCHECK=dir to write the figures there")
	}
	if _, err := SaveAll(curvesOf(t, paperLog()), "ImageNet", []string{"ImageNetV2", "ImageNetR"}, dir+"/paper"); err != nil {
		t.Fatal(err)
	}
	multi := append(synthLog("ViT-B/32", 0.633, 0.81, 1), synthLog("ViT-L/14", 0.753, 0.86, 1.2)...)
	if _, err := SaveAll(curvesOf(t, multi), "ImageNet", shiftNames(), dir+"/multi"); err != nil {
		t.Fatal(err)
	}
	for _, recs := range [][]results.Record{paperLog(), multi} {
		figs, err := AlphaCurves(curvesOf(t, recs), "ImageNet", []string{"ImageNetV2", "ImageNetR"})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range figs {
			if _, err := f.Save(dir + "/alpha"); err != nil {
				t.Fatal(err)
			}
		}
	}
}
