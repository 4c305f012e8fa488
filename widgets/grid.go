package widgets

import (
	"context"
	"fmt"
	"html"
	"image"
	"slices"
	"strings"

	xdraw "golang.org/x/image/draw"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
)

// GridItem is one image of an ImageGrid with its caption and one line per model.
type GridItem struct {
	Image image.Image
	// Caption is shown under the image (the true label, for instance).
	Caption string
	// Lines are shown under the caption, green when Correct is true and red when Wrong is true.
	Lines []GridLine
}

// GridLine is one line of a GridItem.
type GridLine struct {
	Text           string
	Correct, Wrong bool
}

// ImageGrid lays out items in rows of columns (default 8) cells, each image scaled to size pixels wide (default
// 84; small images are enlarged with visible pixels, large ones are reduced to a thumbnail first).
func ImageGrid(items []GridItem, columns, size int) (HTML, error) {
	if columns <= 0 {
		columns = 8
	}
	if size <= 0 {
		size = 84
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="wiseft-grid" style="display:grid;grid-template-columns:repeat(%d,max-content);`+
		`gap:6px;font-family:sans-serif;font-size:11px">`, columns)
	for _, it := range items {
		if it.Image == nil {
			return "", fmt.Errorf("widgets: image grid item %q has no image", it.Caption)
		}
		img := thumbnail(it.Image, 2*size)
		src, err := PNGDataURL(img)
		if err != nil {
			return "", err
		}
		render := ""
		if img.Bounds().Dx() < size {
			render = "image-rendering:pixelated;"
		}
		fmt.Fprintf(&b, `<div style="border:1px solid #ddd;padding:3px;text-align:center;width:%dpx;box-sizing:content-box;overflow:hidden">`+
			`<img src="%s" style="width:%dpx;%s"/>`, size+8, src, size, render)
		if it.Caption != "" {
			fmt.Fprintf(&b, `<div style="font-weight:bold">%s</div>`, html.EscapeString(it.Caption))
		}
		for _, l := range it.Lines {
			color := "#333"
			switch {
			case l.Correct:
				color = "#2a7d2a"
			case l.Wrong:
				color = "#c0392b"
			}
			// Lines wrap at their spaces (and, failing that, anywhere) inside the tile: a long model name or
			// class name never runs into the next tile.
			fmt.Fprintf(&b, `<div style="color:%s;white-space:normal;overflow-wrap:anywhere;line-height:1.25;margin-top:1px">%s</div>`,
				color, html.EscapeString(l.Text))
		}
		b.WriteString(`</div>`)
	}
	b.WriteString(`</div>`)
	return HTML(b.String()), nil
}

// thumbnail returns img reduced so that its larger side is at most maxSide (img itself when already small).
func thumbnail(img image.Image, maxSide int) image.Image {
	bd := img.Bounds()
	w, h := bd.Dx(), bd.Dy()
	if w <= maxSide && h <= maxSide {
		return img
	}
	if w >= h {
		w, h = maxSide, max(1, h*maxSide/w)
	} else {
		w, h = max(1, w*maxSide/h), maxSide
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, bd, xdraw.Src, nil)
	return dst
}

// NamedClassifier is a classifier with the name a grid or table shows for it ("zero-shot", "α = 0.5", ...).
type NamedClassifier struct {
	Name       string
	Classifier *wiseft.Classifier
}

// ModelPredictions are one model's predictions on the examples of a grid, in the grid's order.
type ModelPredictions struct {
	Name        string
	Predictions []wiseft.Prediction
}

// indexed is the examples idx of a dataset, renumbered from 0.
type indexed struct {
	datasets.Dataset
	idx []int
}

// Len is the number of chosen examples.
func (d indexed) Len() int { return len(d.idx) }

// Example returns the i-th chosen example.
func (d indexed) Example(i int) (image.Image, int, error) { return d.Dataset.Example(d.idx[i]) }

// Predict runs each model on the examples indices of ds and returns their predictions, in the order of indices
// (Prediction.Index is the index in ds). Models with the same tensors share one compiled evaluator.
func Predict(ds datasets.Dataset, indices []int, models ...NamedClassifier) ([]ModelPredictions, error) {
	for _, i := range indices {
		if i < 0 || i >= ds.Len() {
			return nil, fmt.Errorf("widgets: example %d is outside %s's [0, %d)", i, ds.Name(), ds.Len())
		}
	}
	sub := indexed{ds, slices.Clone(indices)}
	var ev *wiseft.Evaluator
	out := make([]ModelPredictions, len(models))
	for k, m := range models {
		if m.Classifier == nil {
			return nil, fmt.Errorf("widgets: model %q has no classifier", m.Name)
		}
		var err error
		if ev == nil || ev.SetWeights(m.Classifier.Model.Weights) != nil {
			if ev, err = wiseft.NewEvaluator(m.Classifier, wiseft.EvalOptions{BatchSize: min(len(indices), 64)}); err != nil {
				return nil, err
			}
		}
		preds, err := ev.Predict(context.Background(), sub, 0)
		if err != nil {
			return nil, fmt.Errorf("widgets: %s: %w", m.Name, err)
		}
		for i := range preds {
			preds[i].Index = indices[i]
		}
		out[k] = ModelPredictions{Name: m.Name, Predictions: preds}
	}
	return out, nil
}

// PredictionGrid shows the examples indices of ds with their true label and, for each model, the predicted label
// and its confidence (green when right, red when wrong). models[k].Predictions[i] must be the prediction for
// indices[i] (as Predict returns them).
func PredictionGrid(ds datasets.Dataset, indices []int, models []ModelPredictions, columns int) (HTML, error) {
	names := ds.ClassNames()
	items := make([]GridItem, len(indices))
	for i, idx := range indices {
		img, label, err := ds.Example(idx)
		if err != nil {
			return "", err
		}
		items[i] = GridItem{Image: img, Caption: "true: " + className(names, label)}
		for _, m := range models {
			if len(m.Predictions) != len(indices) {
				return "", fmt.Errorf("widgets: %s has %d predictions for %d examples", m.Name, len(m.Predictions), len(indices))
			}
			p := m.Predictions[i]
			items[i].Lines = append(items[i].Lines, GridLine{
				Text:    fmt.Sprintf("%s: %s %.0f%%", m.Name, className(names, p.Predicted), 100*p.Confidence),
				Correct: p.Correct(), Wrong: !p.Correct(),
			})
		}
	}
	return ImageGrid(items, columns, 0)
}

// CompareModels runs the models on the examples indices of ds (Predict) and shows them in a PredictionGrid.
//
//	widgets.Must(widgets.CompareModels(test, []int{0, 1, 2, 3, 4, 5, 6, 7}, 8,
//		widgets.NamedClassifier{"zero-shot", zs}, widgets.NamedClassifier{"fine-tuned", ft})).Display()
func CompareModels(ds datasets.Dataset, indices []int, columns int, models ...NamedClassifier) (HTML, error) {
	preds, err := Predict(ds, indices, models...)
	if err != nil {
		return "", err
	}
	return PredictionGrid(ds, indices, preds, columns)
}

func className(names []string, label int) string {
	if label >= 0 && label < len(names) {
		return names[label]
	}
	return fmt.Sprint(label)
}

// Range returns the integers [lo, hi), for grids of consecutive examples.
func Range(lo, hi int) []int {
	out := make([]int, 0, max(hi-lo, 0))
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}
