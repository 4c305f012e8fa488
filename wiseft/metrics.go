package wiseft

import (
	"fmt"
	"math"
	"slices"
)

// Prediction is the classifier's answer for one example, in the dataset's label space (for a datasets.ClassSubset
// dataset, the subset's labels).
//
//	preds, _ := ev.Predict(ctx, ds, 100)
//	p := preds[0]
//	fmt.Printf("example %d: %s (%.0f%%), truth %s\n", p.Index, names[p.Predicted], 100*p.Confidence, names[p.Label])
type Prediction struct {
	// Index is the example's index in the dataset.
	Index int
	// Label is the true label.
	Label int
	// Predicted is the arg-max of the logits (of the subset's logits for a ClassSubset dataset); ties go to the
	// lower label.
	Predicted int
	// Confidence is the softmax probability of Predicted (softmax over the same logits as the arg-max).
	Confidence float32
	// Probs is the whole softmax, one value per label; only filled with EvalOptions.KeepProbs.
	Probs []float32
}

// Correct reports whether the prediction matches the label.
//
//	if !p.Correct() { mistakes = append(mistakes, p) }
func (p Prediction) Correct() bool { return p.Predicted == p.Label }

// Metrics summarises a classifier's predictions on one dataset.
//
//	m, _ := ev.Evaluate(ctx, ds, 0)
//	fmt.Printf("%s: top-1 %.2f%%, macro-F1 %.3f\n", m.Dataset, 100*m.Top1, m.MacroF1)
type Metrics struct {
	// Dataset is the evaluated dataset's name.
	Dataset string
	// ClassNames are the dataset's class names, indexed by label.
	ClassNames []string
	// N is the number of examples evaluated; Correct how many were classified right.
	N, Correct int
	// Top1 is the top-1 accuracy, Correct/N, in [0, 1].
	Top1 float64
	// MacroF1 is the unweighted mean of the per-class F1 scores 2·TP/(2·TP+FP+FN) over the classes that occur
	// as a label (scikit-learn's f1_score(average="macro", labels=unique(y_true)), as WILDS computes its
	// "F1-macro_all": a class that is only ever predicted does not count).
	MacroF1 float64
	// MacroRecall is the unweighted mean of the per-class recalls over the classes that occur as a label: WILDS'
	// "recall-macro_all", equal to MeanPerClass.
	MacroRecall float64
	// MeanPerClass is the mean of PerClassAccuracy over the classes with examples (balanced accuracy).
	MeanPerClass float64
	// PerClassAccuracy is, per label, the fraction of its examples predicted right: the confusion matrix's
	// diagonal over Support. It is NaN for a label without examples.
	PerClassAccuracy []float64
	// Support is the number of examples of each label.
	Support []int
	// Skipped counts the examples that could not be read (corrupt or non-image files) and were left out;
	// SkipErrors holds the first few reasons.
	Skipped    int
	SkipErrors []string
	// Confusion is the confusion matrix: Confusion[label][predicted] counts examples.
	Confusion [][]int
	// Scores are the metrics the dataset's benchmark defines beyond top-1, under the keys the paper's code writes
	// them with (see DatasetMetrics): "acc_avg", "recall-macro_all", "F1-macro_all" (iWildCam); "acc_avg",
	// "acc_region:Asia", "count_region:Asia", ..., "acc_worst_region", "acc_worst_year" (FMoW); "pm0", "pm10"
	// (ImageNet-Vid-Robust, YTBB-Robust). Nil for an ordinary dataset.
	Scores map[string]float64
	// Notes are the strings the paper's code writes beside the scores ("merge_op": "max" for the video sets).
	Notes map[string]string
}

// MetricsFromPredictions computes the metrics of predictions over a label space of len(classNames) labels.
//
//	preds, _ := ev.Predict(ctx, ds, 0)
//	m, err := wiseft.MetricsFromPredictions(ds.Name(), ds.ClassNames(), preds)
func MetricsFromPredictions(dataset string, classNames []string, preds []Prediction) (Metrics, error) {
	k := len(classNames)
	m := Metrics{Dataset: dataset, ClassNames: slices.Clone(classNames), N: len(preds),
		PerClassAccuracy: make([]float64, k), Support: make([]int, k), Confusion: make([][]int, k)}
	for i := range m.Confusion {
		m.Confusion[i] = make([]int, k)
	}
	for _, p := range preds {
		if p.Label < 0 || p.Label >= k || p.Predicted < 0 || p.Predicted >= k {
			return Metrics{}, fmt.Errorf("metrics: example %d has label %d and prediction %d, outside [0, %d)",
				p.Index, p.Label, p.Predicted, k)
		}
		m.Confusion[p.Label][p.Predicted]++
		m.Support[p.Label]++
		if p.Correct() {
			m.Correct++
		}
	}
	if m.N > 0 {
		m.Top1 = float64(m.Correct) / float64(m.N)
	}
	predicted := make([]int, k)
	for _, row := range m.Confusion {
		for j, c := range row {
			predicted[j] += c
		}
	}
	var f1Sum, accSum float64
	var f1Classes, accClasses int
	for c := range k {
		tp := m.Confusion[c][c]
		if m.Support[c] > 0 {
			m.PerClassAccuracy[c] = float64(tp) / float64(m.Support[c])
			accSum += m.PerClassAccuracy[c]
			accClasses++
		} else {
			m.PerClassAccuracy[c] = math.NaN()
		}
		fn, fp := m.Support[c]-tp, predicted[c]-tp
		if m.Support[c] > 0 {
			f1Sum += 2 * float64(tp) / float64(2*tp+fp+fn)
			f1Classes++
		}
	}
	if f1Classes > 0 {
		m.MacroF1 = f1Sum / float64(f1Classes)
	}
	if accClasses > 0 {
		m.MeanPerClass = accSum / float64(accClasses)
	}
	m.MacroRecall = m.MeanPerClass
	return m, nil
}

// LossAccuracy are the mean cross-entropy loss and the top-1 accuracy of a model on a set of examples.
type LossAccuracy struct {
	Loss, Accuracy float64
}

// CrossEntropy computes the mean loss −log p(label) and the accuracy of predictions made with
// EvalOptions.KeepProbs (or Evaluator.WithProbs) set, so that each Prediction has its whole softmax.
//
//	preds, _ := ev.WithProbs().Predict(ctx, testSet, 500)
//	la, err := wiseft.CrossEntropy(preds) // la.Loss, la.Accuracy
func CrossEntropy(preds []Prediction) (LossAccuracy, error) {
	if len(preds) == 0 {
		return LossAccuracy{}, fmt.Errorf("cross-entropy of no predictions")
	}
	var loss float64
	correct := 0
	for _, p := range preds {
		if p.Label < 0 || p.Label >= len(p.Probs) {
			return LossAccuracy{}, fmt.Errorf("prediction %d has no probability for label %d "+
				"(set EvalOptions.KeepProbs)", p.Index, p.Label)
		}
		loss -= math.Log(max(float64(p.Probs[p.Label]), 1e-30))
		if p.Correct() {
			correct++
		}
	}
	n := float64(len(preds))
	return LossAccuracy{Loss: loss / n, Accuracy: float64(correct) / n}, nil
}
