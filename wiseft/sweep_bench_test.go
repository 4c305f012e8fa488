package wiseft_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
)

// BenchmarkSweep times an 11-α sweep of the shipped model over 256 test images of each of MNIST, MNIST-Sketch
// and FontDigits (a stored set and two rendered ones, as in the main job), two ways side by side:
//
//   - engine: the Sweeper (every α formed inside the compiled program and run on each decoded batch, batches
//     spread over workers);
//   - per-alpha: the way sweeps ran before the engine, kept here as the baseline: one evaluator, the weights of
//     each α mixed on the host with Interpolate and swapped in, every set decoded again for each α.
//
// Workers=1 shows the work itself; workers=0 (one per CPU) what the machine's cores add. Needs world/model and the
// MNIST files of scripts/setup-data.sh (skipped without them).
//
//	go test -run '^$' -bench Sweep -benchtime 3x ./wiseft
func BenchmarkSweep(b *testing.B) {
	m, err := clipmodel.Load(fixtureModel)
	if err != nil {
		b.Skip(err)
	}
	var sets []wiseft.EvalSet
	images := 0
	for _, name := range []string{"MNIST", "MNIST-Sketch", "FontDigits"} {
		ds, err := datasets.Open(name, datasets.Options{Location: dataDir(), Split: datasets.Test, Limit: 256, Seed: 1})
		if err != nil {
			b.Skip(err)
		}
		sets = append(sets, wiseft.EvalSet{Dataset: ds})
		images += ds.Len()
	}
	test := sets[0].Dataset
	zs, err := wiseft.ZeroShotClassifier(m, test.ClassNames(), test.Templates())
	if err != nil {
		b.Fatal(err)
	}
	ft := perturbed(zs)
	alphas := wiseft.DefaultAlphas
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("engine/workers=%d", workers), func(b *testing.B) {
			sw, err := wiseft.NewSweeper(zs, ft, wiseft.SweepOptions{BatchSize: 256, Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := sw.Run(context.Background(), alphas, sets); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(alphas)*images*b.N)/b.Elapsed().Seconds(), "img·α/s")
		})
		b.Run(fmt.Sprintf("per-alpha/workers=%d", workers), func(b *testing.B) {
			ev, err := wiseft.NewEvaluator(zs, wiseft.EvalOptions{BatchSize: 256, Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				for _, a := range alphas {
					w, err := wiseft.Interpolate(zs.Model.Weights, ft.Model.Weights, a)
					if err != nil {
						b.Fatal(err)
					}
					if err := ev.SetWeights(w); err != nil {
						b.Fatal(err)
					}
					for _, s := range sets {
						if _, err := ev.Evaluate(context.Background(), s.Dataset, 0); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.ReportMetric(float64(len(alphas)*images*b.N)/b.Elapsed().Seconds(), "img·α/s")
		})
	}
}

// perturbed is clf with every weight moved by a little noise: a stand-in fine-tuned model (a sweep's cost does not
// depend on the values).
func perturbed(clf *wiseft.Classifier) *wiseft.Classifier {
	rng := rand.New(rand.NewPCG(1, 2))
	out := clf.Clone()
	for _, t := range out.Model.Weights {
		for i, v := range t.Data {
			t.Data[i] = v * (1 + 0.01*float32(rng.NormFloat64()))
		}
	}
	return out
}

// dataDir is the data folder of the tests: $WISEFT_DATA, else the checkout's data/.
func dataDir() string {
	if d := os.Getenv(datasets.LocationEnv); d != "" {
		return d
	}
	return "../data"
}
