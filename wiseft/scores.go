package wiseft

import (
	"fmt"
	"math"
	"slices"

	"github.com/gowiseft/wiseft/datasets"
)

// DatasetMetrics computes the metrics of predictions on ds (MetricsFromPredictions over ds's labels) and, in
// Metrics.Scores, those of ds's benchmark as the paper's code reports them (its eval.py keeps whatever the
// dataset's post_loop_metrics returns):
//
//   - WILDS iWildCam (datasets.WILDS "iwildcam"): WILDS' eval, "acc_avg" (accuracy), "recall-macro_all" and
//     "F1-macro_all" (macro averages over the labels present among the examples, scikit-learn's
//     labels=unique(y_true)).
//   - WILDS FMoW ("fmow", with datasets.ExampleGroups): "acc_avg", and for every grouping field f (year, region)
//     and group g "acc_f:g" (0 for an empty group, as WILDS' scatter mean gives) and "count_f:g", and
//     "acc_worst_f", the lowest accuracy over the groups with examples, NotWorst groups left out.
//   - pm-k sets (datasets.PerturbationSets): "pm0", the fraction of anchors classified as one of their accepted
//     labels, and "pm<k>", the fraction whose anchor and every frame of the set are; Notes["merge_op"] is "max"
//     (class groups are scored by their largest logit). A set with a frame missing from preds (an unreadable
//     file) is left out of both.
//
// For any other dataset Scores is nil.
//
//	preds, _ := ev.Predict(ds, 0)
//	m, _ := wiseft.DatasetMetrics(ds, preds)
//	fmt.Println(m.Scores["F1-macro_all"])
func DatasetMetrics(ds datasets.Dataset, preds []Prediction) (Metrics, error) {
	m, err := MetricsFromPredictions(ds.Name(), ds.ClassNames(), preds)
	if err != nil {
		return Metrics{}, err
	}
	switch datasets.WILDSOf(ds) {
	case "iwildcam":
		m.Scores = map[string]float64{"acc_avg": m.Top1, "recall-macro_all": m.MacroRecall, "F1-macro_all": m.MacroF1}
	case "fmow":
		m.Scores = map[string]float64{"acc_avg": m.Top1}
		groups, ok := datasets.GroupsOf(ds)
		if !ok {
			return Metrics{}, fmt.Errorf("metrics: %s is an FMoW set without the groups of its examples", ds.Name())
		}
		for _, g := range groups {
			if err := groupScores(m.Scores, g, preds); err != nil {
				return Metrics{}, fmt.Errorf("metrics: %s: %w", ds.Name(), err)
			}
		}
	}
	if k, sets, _, ok := datasets.PerturbationSetsOf(ds); ok {
		if m.Scores == nil {
			m.Scores = map[string]float64{}
		}
		pm0, pmk := PerturbationScores(sets, preds)
		m.Scores["pm0"], m.Scores[fmt.Sprintf("pm%d", k)] = pm0, pmk
		m.Notes = map[string]string{"merge_op": "max"}
	}
	return m, nil
}

// groupScores adds the per-group accuracies and counts of g and its worst group to scores, as WILDS' fmow eval
// names them.
func groupScores(scores map[string]float64, g datasets.Grouping, preds []Prediction) error {
	correct := make([]int, len(g.Names))
	count := make([]int, len(g.Names))
	for _, p := range preds {
		if p.Index < 0 || p.Index >= len(g.Of) {
			return fmt.Errorf("example %d has no %s", p.Index, g.Field)
		}
		k := g.Of[p.Index]
		if k < 0 || k >= len(g.Names) {
			return fmt.Errorf("example %d is in %s group %d of %d", p.Index, g.Field, k, len(g.Names))
		}
		count[k]++
		if p.Correct() {
			correct[k]++
		}
	}
	worst := math.Inf(1)
	for k, name := range g.Names {
		acc := 0.0
		if count[k] > 0 {
			acc = float64(correct[k]) / float64(count[k])
			if !slices.Contains(g.NotWorst, name) {
				worst = min(worst, acc)
			}
		}
		scores["acc_"+g.Field+":"+name] = acc
		scores["count_"+g.Field+":"+name] = float64(count[k])
	}
	if math.IsInf(worst, 1) {
		worst = 0 // WILDS' minimum of no groups
	}
	scores["acc_worst_"+g.Field] = worst
	return nil
}

// PerturbationScores returns the pm-0 accuracy (anchors classified as one of their accepted labels) and the pm-k
// accuracy (anchors whose every frame is too) of sets, over the sets whose anchor and frames all have a
// prediction; both are 0 when none has.
//
//	pm0, pm10 := wiseft.PerturbationScores(sets, preds)
func PerturbationScores(sets []datasets.PerturbationSet, preds []Prediction) (pm0, pmk float64) {
	byIndex := make(map[int]int, len(preds))
	for _, p := range preds {
		byIndex[p.Index] = p.Predicted
	}
	var n, anchors, all int
	for _, s := range sets {
		frames := append([]int{s.Anchor}, s.Frames...)
		right := make([]bool, len(frames))
		complete := true
		for i, f := range frames {
			pred, ok := byIndex[f]
			if !ok || i >= len(s.Accept) {
				complete = false
				break
			}
			right[i] = slices.Contains(s.Accept[i], pred)
		}
		if !complete {
			continue
		}
		n++
		if right[0] {
			anchors++
			if !slices.Contains(right, false) {
				all++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(anchors) / float64(n), float64(all) / float64(n)
}
