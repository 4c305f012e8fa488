package wiseft

import (
	"context"
	"fmt"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
)

// DefaultEvalBatchSize is the evaluation batch size when EvalOptions.BatchSize is 0.
const DefaultEvalBatchSize = 32

// EvalOptions says how an Evaluator (or a Sweep) runs; the zero value is a good default everywhere.
type EvalOptions struct {
	// BatchSize is the number of images per run of the compiled program (0: DefaultEvalBatchSize), rounded up to a
	// multiple of the device count.
	BatchSize int
	// Workers is the number of concurrent executions of the compiled program, each on its own batch (0: one per
	// CPU on SimpleGo, one on XLA). The results do not depend on it.
	Workers int
	// Devices is the number of XLA devices each batch is split over (0: all the backend has; SimpleGo has one).
	Devices int
	// DecodeWorkers is the number of goroutines that decode and preprocess images (0: one per CPU).
	DecodeWorkers int
	// KeepProbs makes Predict fill Prediction.Probs with the whole softmax.
	KeepProbs bool
	// Progress, when set, is called after each batch with the number of examples done and the total.
	Progress func(done, total int)
}

// Evaluator runs a classifier over datasets. It compiles the classifier graph (Logits) once, for one batch size,
// with the weights as variables of the program: SetWeights swaps in other weights of the same shapes (a soup, a
// fine-tuned checkpoint) without recompiling. Datasets are streamed in batches through the data pipeline
// (datasets/pipeline): examples are decoded and preprocessed on all cores, a few batches ahead of the model, and
// the last batch is padded to the batch size; EvalOptions.Workers batches run at once.
//
// Only the tensors the classifier graph reads are held (the image tower, the visual projection and the head); the
// text tower is not copied. Methods may be called from several goroutines.
//
//	ev, err := wiseft.NewEvaluator(zs, wiseft.EvalOptions{BatchSize: 64})
//	m, err := ev.Evaluate(ctx, testSet, 0)
//	fmt.Printf("zero-shot: %.2f%%\n", 100*m.Top1)
type Evaluator struct {
	e    *engine
	opts EvalOptions
}

// classifierTensor reports whether a weight is read by the classifier graph (Logits): the image tower, the visual
// projection and the classification head. The text tower and logit_scale (folded into the zero-shot head) are
// not.
func classifierTensor(name string) bool {
	return strings.HasPrefix(name, "vision_model.") || strings.HasPrefix(name, "visual_projection.") ||
		strings.HasPrefix(name, clipmodel.HeadPrefix)
}

// classifierWeights returns the tensors of w that the classifier graph reads (shared, not copied).
func classifierWeights(w clipmodel.Weights) clipmodel.Weights {
	out := make(clipmodel.Weights)
	for name, t := range w {
		if classifierTensor(name) {
			out[name] = t
		}
	}
	return out
}

// checkClassifier reports a classifier that cannot be compiled: no model, weights that do not fit its config, no
// head.
func checkClassifier(what string, clf *Classifier) error {
	if clf == nil || clf.Model == nil {
		return fmt.Errorf("%s: no classifier", what)
	}
	if err := clf.Model.Weights.Check(clf.Model.Config); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if clf.Model.Weights[HeadWeight] == nil {
		return fmt.Errorf("%s: the model has no classification head (%s)", what, HeadWeight)
	}
	return nil
}

// NewEvaluator compiles clf on the process backend (clipmodel.Backend). The classifier's weights are copied;
// later changes to clf do not affect the evaluator.
//
//	ev, err := wiseft.NewEvaluator(clf, wiseft.EvalOptions{})
func NewEvaluator(clf *Classifier, opts EvalOptions) (*Evaluator, error) {
	if err := checkClassifier("evaluator", clf); err != nil {
		return nil, err
	}
	for name, t := range classifierWeights(clf.Model.Weights) {
		if err := checkTensor("the classifier", name, t); err != nil {
			return nil, fmt.Errorf("evaluator: %w", err)
		}
	}
	e, err := newEngine(engineSpec{mode: fixedWeights, model: clf.Model, classes: clf.NumClasses(), opts: opts})
	if err != nil {
		return nil, fmt.Errorf("evaluator: %w", err)
	}
	return &Evaluator{e: e, opts: opts}, nil
}

// WithProgress returns an evaluator that shares e's compiled program and weights and reports to progress.
//
//	m, err := ev.WithProgress(bar.Evaluate("MNIST")).Evaluate(ctx, testSet, 0)
func (e *Evaluator) WithProgress(progress func(done, total int)) *Evaluator {
	c := *e
	c.opts.Progress = progress
	return &c
}

// WithProbs returns an evaluator that shares e's compiled program and keeps the whole softmax in predictions.
func (e *Evaluator) WithProbs() *Evaluator {
	c := *e
	c.opts.KeepProbs = true
	return &c
}

// evalTransform is m's evaluation preprocessing (CLIP's default for the model's image size when m has none).
func evalTransform(m *clipmodel.Model) (preprocess.Transform, error) {
	tf := m.Transform
	if tf.Size == 0 {
		tf = preprocess.New(m.Config.Vision.ImageSize)
	}
	if tf.Size != m.Config.Vision.ImageSize {
		return tf, fmt.Errorf("the transform makes %dx%d images, the model takes %dx%d",
			tf.Size, tf.Size, m.Config.Vision.ImageSize, m.Config.Vision.ImageSize)
	}
	return tf, nil
}

// BatchSize is the number of images per run of the compiled program.
func (e *Evaluator) BatchSize() int { return e.e.batch }

// SetWeights replaces the evaluator's weights without recompiling. w must hold every tensor the classifier graph
// reads (image tower, visual projection, head) with the shapes the evaluator was built with; other tensors (the
// text tower) are ignored. The values are copied.
//
//	w, _ := wiseft.Interpolate(zs.Model.Weights, ft.Model.Weights, 0.5)
//	err := ev.SetWeights(w)
func (e *Evaluator) SetWeights(w clipmodel.Weights) error {
	if err := e.e.setWeights(w); err != nil {
		return fmt.Errorf("evaluator: %w", err)
	}
	return nil
}

// Evaluate classifies the first limit examples of ds (limit ≤ 0: all) and returns top-1 accuracy, macro-F1,
// per-class accuracy, the confusion matrix and the scores of ds's benchmark (see DatasetMetrics), in ds's label
// space. For a datasets.ClassSubset dataset the logits
// are restricted to the subset's classes before the arg-max (as the paper does for ImageNet-R and ImageNet-A);
// otherwise ds must have as many classes as the classifier. Cancelling ctx stops it between batches.
//
//	m, err := ev.Evaluate(ctx, testSet, 1000)
//	fmt.Printf("%.2f%% top-1, %.3f macro-F1\n", 100*m.Top1, m.MacroF1)
func (e *Evaluator) Evaluate(ctx context.Context, ds datasets.Dataset, limit int) (Metrics, error) {
	r, err := e.predict(ctx, ds, limit)
	if err != nil {
		return Metrics{}, err
	}
	return metricsOf(ds.Name(), ds, r.preds[0], r.skips)
}

// metricsOf turns a pass's predictions of one set into metrics (DatasetMetrics, with the benchmark's own scores),
// named name, with its skipped examples.
func metricsOf(name string, ds datasets.Dataset, preds []Prediction, sk skips) (Metrics, error) {
	m, err := DatasetMetrics(ds, preds)
	if err != nil {
		return Metrics{}, err
	}
	m.Dataset = name
	m.Skipped = sk.count
	for _, s := range sk.first {
		m.SkipErrors = append(m.SkipErrors, s.Error())
	}
	return m, nil
}

// Predict classifies the first limit examples of ds (limit ≤ 0: all) and returns one Prediction per example, in
// order: the predicted label, the softmax confidence and (with KeepProbs) the whole softmax, in ds's label space
// (see Evaluate for ClassSubset datasets).
//
//	preds, err := ev.WithProbs().Predict(ctx, ds, 64)
//	for _, p := range preds {
//		if !p.Correct() {
//			fmt.Printf("#%d: %s, %.0f%% sure\n", p.Index, ds.ClassNames()[p.Predicted], 100*p.Confidence)
//		}
//	}
//
// Examples that cannot be read (corrupt files) are left out; Evaluate counts them in Metrics.Skipped. It is an
// error only when no example at all could be read.
func (e *Evaluator) Predict(ctx context.Context, ds datasets.Dataset, limit int) ([]Prediction, error) {
	r, err := e.predict(ctx, ds, limit)
	if err != nil {
		return nil, err
	}
	return r.preds[0], nil
}

func (e *Evaluator) predict(ctx context.Context, ds datasets.Dataset, limit int) (*passResult, error) {
	if ds == nil {
		return nil, fmt.Errorf("evaluator: no dataset")
	}
	r, err := e.e.pass(ctx, ds, firstN(ds.Len(), limit), []point{{}}, e.opts.KeepProbs, nil, e.opts.Progress)
	if err != nil {
		return nil, fmt.Errorf("evaluator: %w", err)
	}
	return r, nil
}

// labelSpace returns, for a dataset covering some of the classifier's classes (datasets.SubsetOf: ClassSubset or
// ClassGroups, directly or through wrappers), the classifier classes of each dataset label (nil: the identity),
// after checking that ds's labels fit a classifier of numClasses classes.
func labelSpace(ds datasets.Dataset, numClasses int) ([][]int, error) {
	nLabels := len(ds.ClassNames())
	groups, ok := datasets.SubsetOf(ds)
	if !ok {
		if nLabels != numClasses {
			return nil, fmt.Errorf("%s has %d classes, the classifier %d (a dataset covering some of the "+
				"classifier's classes implements datasets.ClassSubset)", ds.Name(), nLabels, numClasses)
		}
		return nil, nil
	}
	if len(groups) != nLabels {
		return nil, fmt.Errorf("%s lists %d subset classes for %d class names", ds.Name(), len(groups), nLabels)
	}
	// A label without classifier classes is never predicted (YTBB-Robust's classes that ImageNet lacks); a
	// dataset needs at least one label with classes.
	covered := false
	for label, g := range groups {
		covered = covered || len(g) > 0
		for _, c := range g {
			if c < 0 || c >= numClasses {
				return nil, fmt.Errorf("%s maps label %d to class %d, outside the classifier's [0, %d)",
					ds.Name(), label, c, numClasses)
			}
		}
	}
	if !covered {
		return nil, fmt.Errorf("%s maps none of its labels to a classifier class", ds.Name())
	}
	return groups, nil
}

// firstN returns the indices 0..n-1, n being limit clipped to [1, total] (limit ≤ 0 means total).
func firstN(total, limit int) []int {
	n := total
	if limit > 0 && limit < total {
		n = limit
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
