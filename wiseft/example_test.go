package wiseft_test

import (
	"context"
	"fmt"
	"image"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
)

// The examples use the shipped world's small CLIP (world/model, with its tokenizer) and a made-up two-class
// dataset: a bright square in the top-left or in the bottom-right corner of a 28x28 image.

const fixtureModel = "../world/model"

func corners(name string, n int) datasets.Dataset {
	imgs := make([]*image.Gray, n)
	labels := make([]int, n)
	for i := range n {
		img := image.NewGray(image.Rect(0, 0, 28, 28))
		label := i % 2
		x0, y0 := 2+i%5, 2+i%7
		if label == 1 {
			x0, y0 = 26-x0-10, 26-y0-10
		}
		for y := y0; y < y0+10; y++ {
			for x := x0; x < x0+10; x++ {
				img.Pix[y*28+x] = 230
			}
		}
		imgs[i], labels[i] = img, label
	}
	ds, err := datasets.NewInMemory(name, []string{"top left", "bottom right"}, []string{"a square in the {} corner."}, imgs, labels)
	if err != nil {
		panic(err)
	}
	return ds
}

func ExampleZeroShotClassifier() {
	m, err := clipmodel.Load(fixtureModel)
	if err != nil {
		fmt.Println(err)
		return
	}
	train := corners("corners", 8)
	zs, err := wiseft.ZeroShotClassifier(m, train.ClassNames(), train.Templates())
	if err != nil {
		fmt.Println(err)
		return
	}
	head := zs.Model.Weights[wiseft.HeadWeight]
	fmt.Printf("%d classes, head %v (one normalised text embedding per class, scaled by CLIP's temperature)\n",
		zs.NumClasses(), head.Shape)
	// Output:
	// 2 classes, head [2 64] (one normalised text embedding per class, scaled by CLIP's temperature)
}

func ExampleFineTune() {
	m, err := clipmodel.Load(fixtureModel)
	if err != nil {
		fmt.Println(err)
		return
	}
	train := corners("corners", 32)
	zs, err := wiseft.ZeroShotClassifier(m, train.ClassNames(), train.Templates())
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := wiseft.DefaultFineTuneConfig() // the paper's recipe; a tiny budget here
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WarmupSteps = 2, 8, 1e-3, 2
	steps := 0
	ft, err := wiseft.FineTune(context.Background(), zs, train, cfg,
		wiseft.TrainRun{Progress: func(p wiseft.ProgressInfo) { steps = p.Step }})
	if err != nil {
		fmt.Println(err)
		return
	}
	changed := ft.Model.Weights["visual_projection.weight"].Data[0] != zs.Model.Weights["visual_projection.weight"].Data[0]
	fmt.Printf("%d steps; image tower changed: %v; text tower kept: %v\n", steps, changed,
		ft.Model.Weights["text_projection.weight"].Data[0] == zs.Model.Weights["text_projection.weight"].Data[0])
	// Output:
	// 8 steps; image tower changed: true; text tower kept: true
}

func ExampleSweep() {
	m, err := clipmodel.Load(fixtureModel)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test := corners("corners", 32), corners("corners-test", 20)
	zs, err := wiseft.ZeroShotClassifier(m, train.ClassNames(), train.Templates())
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := wiseft.DefaultFineTuneConfig()
	cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.WarmupSteps = 3, 8, 1e-3, 2
	ft, err := wiseft.FineTune(context.Background(), zs, train, cfg, wiseft.TrainRun{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// θ(α) = (1−α)·θ_zero-shot + α·θ_fine-tuned, every α run on each batch of each set.
	res, err := wiseft.Sweep(context.Background(), zs, ft, []float64{0, 0.5, 1},
		[]wiseft.EvalSet{{Dataset: test}}, wiseft.SweepOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Sets, res.Alphas, len(res.Metrics), "rows of", len(res.Metrics[0]), "set")
	fmt.Printf("fine-tuned on the test set: %.0f%%\n", 100*res.Metrics[2][0].Top1)
	// Output:
	// [corners-test] [0 0.5 1] 3 rows of 1 set
	// fine-tuned on the test set: 100%
}

func ExampleEvaluator() {
	m, err := clipmodel.Load(fixtureModel)
	if err != nil {
		fmt.Println(err)
		return
	}
	test := corners("corners-test", 20)
	zs, err := wiseft.ZeroShotClassifier(m, test.ClassNames(), test.Templates())
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := wiseft.NewEvaluator(zs, wiseft.EvalOptions{BatchSize: 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	metrics, err := ev.Evaluate(context.Background(), test, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d examples, %d classes, confusion matrix %dx%d\n", metrics.Dataset, metrics.N,
		len(metrics.ClassNames), len(metrics.Confusion), len(metrics.Confusion[0]))
	// Output:
	// corners-test: 20 examples, 2 classes, confusion matrix 2x2
}
