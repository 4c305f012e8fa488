package figures_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/wiseft/figures"
	"github.com/gowiseft/wiseft/wiseft/results"
)

func ExampleSaveAll() {
	// A results log as the paper's code writes it, one record per α.
	var recs []results.Record
	for i := 0; i <= 10; i++ {
		a := float64(i) / 10
		recs = append(recs, results.Record{
			"model": "ViT-B/32", "train_dataset": "ImageNet", "alpha": a,
			"ImageNet:top1":   0.75 + 0.2*a,
			"ImageNetV2:top1": 0.60 - 0.1*a + 0.3*a*(1-a),
			"ObjectNet:top1":  0.50 - 0.1*a + 0.2*a*(1-a),
		})
	}
	dir, _ := os.MkdirTemp("", "plots")
	defer os.RemoveAll(dir)

	curves, err := results.Curves(recs, figures.DefaultGroupKeys...) // one curve: one model, one training set
	if err != nil {
		fmt.Println(err)
		return
	}
	files, err := figures.SaveAll(curves, "ImageNet", []string{"ImageNetV2", "ObjectNet"}, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// ImageNetV2.svg
	// ImageNetV2.png
	// ObjectNet.svg
	// ObjectNet.png
	// average.svg
	// average.png
}
