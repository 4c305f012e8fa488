package results_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/wiseft/results"
)

func Example() {
	dir, _ := os.MkdirTemp("", "results")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "results.jsonl")

	for _, alpha := range []float64{0, 0.5, 1} {
		err := results.Append(path, results.Record{
			"model": "ViT-B/32", "train_dataset": "ImageNet", "alpha": alpha,
			"ImageNet:top1": 0.75 + 0.2*alpha, "ImageNetV2:top1": 0.6 + 0.2*alpha*(1-alpha),
		})
		if err != nil {
			fmt.Println(err)
			return
		}
	}

	recs, warns, err := results.Read(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range warns {
		fmt.Println("skipped", w)
	}
	for _, r := range recs {
		a, _ := r.Alpha()
		id, _ := r.Metric("ImageNet", "top1")
		shift, _ := r.Metric("ImageNetV2", "top1")
		fmt.Printf("α=%.1f %v ID %.2f shift %.2f\n", a, r.Datasets(), id, shift)
	}
	// Output:
	// α=0.0 [ImageNet ImageNetV2] ID 0.75 shift 0.60
	// α=0.5 [ImageNet ImageNetV2] ID 0.85 shift 0.65
	// α=1.0 [ImageNet ImageNetV2] ID 0.95 shift 0.60
}
