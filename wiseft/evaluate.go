package wiseft

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/pipeline"
)

// DefaultEvalBatchSize is the batch size NewEvaluator uses when given batchSize ≤ 0.
//
//	ev, err := wiseft.NewEvaluator(clf, 0) // batches of DefaultEvalBatchSize
const DefaultEvalBatchSize = 32

// Evaluator runs a classifier over datasets. It compiles the classifier graph (Logits) once, for one batch size,
// with the weights as variables of the program: SetWeights swaps in other weights of the same shapes (every α of a
// sweep, a soup, a fine-tuned checkpoint) without recompiling. Datasets are streamed in batches through the data
// pipeline (datasets/pipeline): examples are decoded and preprocessed on all cores, at most
// pipeline.DefaultPrefetch batches ahead of the model, and the last batch is padded to the batch size.
//
// Only the tensors the classifier graph reads are held (the image tower, the visual projection and the head); the
// text tower is not copied. Methods may be called from several goroutines; they run one at a time.
//
//	ev, err := wiseft.NewEvaluator(zs, 64)
//	m, err := ev.Evaluate(testSet, 0)
//	fmt.Printf("zero-shot: %.2f%%\n", 100*m.Top1)
//	err = ev.SetWeights(ft.Model.Weights)
//	m, err = ev.Evaluate(testSet, 0)
type Evaluator struct {
	// Workers is the number of goroutines that decode and preprocess images; ≤ 0 means one per CPU.
	Workers int
	// Progress, when set, is called after each batch with the number of examples done and the total.
	Progress func(done, total int)
	// KeepProbs makes Predict fill Prediction.Probs with the whole softmax.
	KeepProbs bool

	mu         sync.Mutex
	batchSize  int
	config     clipmodel.Config
	transform  preprocess.Transform
	numClasses int
	shapes     map[string][]int // the tensors held in ctx
	ctx        *context.Context
	exec       *context.Exec
	compiles   int // how many times the graph was built (1 unless something went wrong)
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

// NewEvaluator compiles clf for batches of batchSize images (≤ 0 means DefaultEvalBatchSize) on the process
// backend (clipmodel.Backend). The classifier's weights are copied; later changes to clf do not affect the
// evaluator.
//
//	ev, err := wiseft.NewEvaluator(clf, 32)
//	ev.Progress = func(done, total int) { fmt.Printf("\r%d/%d", done, total) }
func NewEvaluator(clf *Classifier, batchSize int) (*Evaluator, error) {
	if clf == nil || clf.Model == nil {
		return nil, fmt.Errorf("evaluator: no classifier")
	}
	m := clf.Model
	if err := m.Weights.Check(m.Config); err != nil {
		return nil, fmt.Errorf("evaluator: %w", err)
	}
	if m.Weights[HeadWeight] == nil {
		return nil, fmt.Errorf("evaluator: the model has no classification head (%s)", HeadWeight)
	}
	if batchSize <= 0 {
		batchSize = DefaultEvalBatchSize
	}
	backend, err := clipmodel.Backend()
	if err != nil {
		return nil, err
	}
	tf, err := evalTransform(m)
	if err != nil {
		return nil, fmt.Errorf("evaluator: %w", err)
	}
	w := classifierWeights(m.Weights)
	e := &Evaluator{batchSize: batchSize, config: m.Config, transform: tf, numClasses: clf.NumClasses(),
		shapes: make(map[string][]int, len(w)), ctx: context.New()}
	for name, t := range w {
		e.shapes[name] = slices.Clone(t.Shape)
	}
	clipmodel.SetWeights(e.ctx, w)
	cfg := m.Config
	e.exec, err = context.NewExec(backend, e.ctx.Reuse(), func(ctx *context.Context, pixels *graph.Node) *graph.Node {
		e.compiles++
		return Logits(ctx, cfg, pixels)
	})
	if err != nil {
		return nil, fmt.Errorf("evaluator: %w", err)
	}
	v := cfg.Vision
	zeros := tensors.FromFlatDataAndDimensions(make([]float32, batchSize*tf.Len()),
		batchSize, v.Channels, v.ImageSize, v.ImageSize)
	if err := e.exec.PreCompile(zeros); err != nil {
		return nil, fmt.Errorf("evaluator: compiling the classifier: %w", err)
	}
	return e, nil
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
//
//	fmt.Println(ev.BatchSize()) // 32
func (e *Evaluator) BatchSize() int { return e.batchSize }

// SetWeights replaces the evaluator's weights without recompiling. w must hold every tensor the classifier graph
// reads (image tower, visual projection, head) with the shapes the evaluator was built with; other tensors (the
// text tower) are ignored. The values are copied.
//
//	for _, alpha := range []float64{0, 0.5, 1} {
//		w, _ := wiseft.Interpolate(zs.Model.Weights, ft.Model.Weights, alpha)
//		_ = ev.SetWeights(w)
//		m, _ := ev.Evaluate(testSet, 0)
//		fmt.Println(alpha, m.Top1)
//	}
func (e *Evaluator) SetWeights(w clipmodel.Weights) error {
	sub := make(clipmodel.Weights, len(e.shapes))
	for name, shape := range e.shapes {
		t, ok := w[name]
		if !ok || t == nil {
			return fmt.Errorf("evaluator: the weights lack tensor %q (shape %s)", name, safetensors.ShapeString(shape))
		}
		if !slices.Equal(t.Shape, shape) {
			return fmt.Errorf("evaluator: tensor %q has shape %s, the evaluator was built for %s",
				name, safetensors.ShapeString(t.Shape), safetensors.ShapeString(shape))
		}
		if err := checkTensor("the weights", name, t); err != nil {
			return fmt.Errorf("evaluator: %w", err)
		}
		sub[name] = t
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	clipmodel.SetWeights(e.ctx, sub)
	return nil
}

// Evaluate classifies the first limit examples of ds (limit ≤ 0: all) and returns top-1 accuracy, macro-F1,
// per-class accuracy, the confusion matrix and the scores of ds's benchmark (see DatasetMetrics), in ds's label
// space. For a datasets.ClassSubset dataset the logits
// are restricted to the subset's classes before the arg-max (as the paper does for ImageNet-R and ImageNet-A);
// otherwise ds must have as many classes as the classifier.
//
//	m, err := ev.Evaluate(datasets.Limit(testSet, 1000), 0)
//	fmt.Printf("%.2f%% top-1, %.3f macro-F1\n", 100*m.Top1, m.MacroF1)
func (e *Evaluator) Evaluate(ds datasets.Dataset, limit int) (Metrics, error) {
	preds, skipped, err := e.predict(ds, limit)
	if err != nil {
		return Metrics{}, err
	}
	m, err := DatasetMetrics(ds, preds)
	if err != nil {
		return Metrics{}, err
	}
	m.Skipped = skipped.count
	for _, s := range skipped.first {
		m.SkipErrors = append(m.SkipErrors, s.Error())
	}
	return m, nil
}

// Predict classifies the first limit examples of ds (limit ≤ 0: all) and returns one Prediction per example, in
// order: the predicted label, the softmax confidence and (with KeepProbs) the whole softmax, in ds's label space
// (see Evaluate for ClassSubset datasets).
//
//	preds, err := ev.Predict(ds, 64)
//	for _, p := range preds {
//		if !p.Correct() {
//			fmt.Printf("#%d: %s, %.0f%% sure\n", p.Index, ds.ClassNames()[p.Predicted], 100*p.Confidence)
//		}
//	}
//
// Examples that cannot be read (corrupt files) are left out; Evaluate counts them in Metrics.Skipped. It is an
// error only when no example at all could be read.
func (e *Evaluator) Predict(ds datasets.Dataset, limit int) ([]Prediction, error) {
	preds, _, err := e.predict(ds, limit)
	return preds, err
}

// skips counts the examples an evaluation left out and keeps the first few errors.
type skips struct {
	count int
	first []error
}

func (e *Evaluator) predict(ds datasets.Dataset, limit int) ([]Prediction, skips, error) {
	if ds == nil {
		return nil, skips{}, fmt.Errorf("evaluator: no dataset")
	}
	project, err := e.labelSpace(ds)
	if err != nil {
		return nil, skips{}, err
	}
	var preds []Prediction
	sk, err := e.eachLogits(ds, limit, func(idx, label int, row []float32) {
		preds = append(preds, predict(idx, label, row, project, e.KeepProbs))
	})
	return preds, sk, err
}

// eachLogits streams the first limit examples of ds (limit ≤ 0: all) through the compiled classifier and calls fn
// with each example's index, label and row of logits (the classifier's classes; the row is reused after fn
// returns). Examples that cannot be read are left out and counted; it is an error only when none could be read.
func (e *Evaluator) eachLogits(ds datasets.Dataset, limit int, fn func(idx, label int, row []float32)) (skips, error) {
	if ds.Len() == 0 {
		return skips{}, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	indices := firstN(ds.Len(), limit)
	loader, err := pipeline.New(ds, pipeline.Config{BatchSize: e.batchSize, Transform: e.transform, Workers: e.Workers,
		Indices: indices})
	if err != nil {
		return skips{}, fmt.Errorf("evaluator: %w", err)
	}
	defer loader.Close()
	done := 0
	v := e.config.Vision
	per := e.transform.Len()
	for b := range loader.All() {
		// Every batch is padded with zero rows to the compiled batch size.
		pixels := b.Pixels[:e.batchSize*per]
		clear(pixels[b.N*per:])
		in := tensors.FromFlatDataAndDimensions(pixels, e.batchSize, v.Channels, v.ImageSize, v.ImageSize)
		out, err := e.exec.Exec(in)
		_ = in.FinalizeAll()
		if err != nil {
			return skips{}, fmt.Errorf("evaluator: %s: %w", ds.Name(), err)
		}
		logits, err := tensors.CopyFlatData[float32](out[0])
		_ = out[0].FinalizeAll() // release the device buffer now rather than at garbage collection
		if err != nil {
			return skips{}, err
		}
		for k, idx := range b.Indices {
			fn(idx, b.Labels[k], logits[k*e.numClasses:(k+1)*e.numClasses])
			done++
		}
		loader.Recycle(b)
		if e.Progress != nil {
			e.Progress(done+loader.Skipped(), len(indices))
		}
	}
	// An example that cannot be read (a corrupt or non-image file in a large dataset, a label outside the class
	// list) is left out and counted.
	sk := skips{count: loader.Skipped()}
	for _, s := range loader.Skips()[:min(loader.Skipped(), 5)] {
		sk.first = append(sk.first, fmt.Errorf("%s example %d: %w", ds.Name(), s.Index, s.Err))
	}
	if done == 0 && sk.count > 0 {
		return sk, fmt.Errorf("no example of %s could be read (%d failed; the first: %w)", ds.Name(), sk.count, sk.first[0])
	}
	return sk, nil
}

// labelSpace returns, for a dataset covering some of the classifier's classes (datasets.SubsetOf: ClassSubset or
// ClassGroups, directly or through wrappers), the classifier classes of each dataset label (nil: the identity),
// after checking that ds's labels fit the classifier.
func (e *Evaluator) labelSpace(ds datasets.Dataset) ([][]int, error) {
	nLabels := len(ds.ClassNames())
	groups, ok := datasets.SubsetOf(ds)
	if !ok {
		if nLabels != e.numClasses {
			return nil, fmt.Errorf("evaluator: %s has %d classes, the classifier %d (a dataset covering some of the "+
				"classifier's classes implements datasets.ClassSubset)", ds.Name(), nLabels, e.numClasses)
		}
		return nil, nil
	}
	if len(groups) != nLabels {
		return nil, fmt.Errorf("evaluator: %s lists %d subset classes for %d class names", ds.Name(), len(groups), nLabels)
	}
	// A label without classifier classes is never predicted (YTBB-Robust's classes that ImageNet lacks); a
	// dataset needs at least one label with classes.
	covered := false
	for label, g := range groups {
		covered = covered || len(g) > 0
		for _, c := range g {
			if c < 0 || c >= e.numClasses {
				return nil, fmt.Errorf("evaluator: %s maps label %d to class %d, outside the classifier's [0, %d)",
					ds.Name(), label, c, e.numClasses)
			}
		}
	}
	if !covered {
		return nil, fmt.Errorf("evaluator: %s maps none of its labels to a classifier class", ds.Name())
	}
	return groups, nil
}

// MustNewEvaluator is NewEvaluator for notebook cells: it panics on error.
//
//	ev := wiseft.MustNewEvaluator(clf, 32)
func MustNewEvaluator(clf *Classifier, batchSize int) *Evaluator {
	e, err := NewEvaluator(clf, batchSize)
	if err != nil {
		panic(err)
	}
	return e
}

// MustEvaluate is Evaluate for notebook cells: it panics on error.
//
//	fmt.Printf("%.2f%%\n", 100*ev.MustEvaluate(testSet, 500).Top1)
func (e *Evaluator) MustEvaluate(ds datasets.Dataset, limit int) Metrics {
	m, err := e.Evaluate(ds, limit)
	if err != nil {
		panic(err)
	}
	return m
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
