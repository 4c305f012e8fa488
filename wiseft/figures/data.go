package figures

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// run is one curve: the records of one group, one per α, sorted by α.
type run struct {
	label string
	alpha []float64
	recs  []results.Record
	// metric is the key read after "<dataset>:": "top1" (WiSE-FT) or OutputEnsembleTop1.
	metric string
	// outputs marks the output-space ensemble's curve of a group, drawn dashed.
	outputs bool
}

// OutputEnsembleTop1 is the metric of the output-space ensemble's top-1 accuracy in a record,
// "<dataset>:output_ensemble_top1" (see wiseft.OutputEnsemblePrefix).
const OutputEnsembleTop1 = "output_ensemble_top1"

// OutputEnsembleLabel is the legend label of the output-space ensemble's curve.
const OutputEnsembleLabel = "output-space ensemble"

// value returns the top-1 accuracy of dataset in the run's i-th record.
func (r run) value(i int, dataset string) (float64, bool) {
	if r.metric == "" {
		return r.recs[i].Top1(dataset)
	}
	return r.recs[i].Metric(dataset, r.metric)
}

// outputEnsemble returns the output-space ensemble's curve of r when its records hold one for dataset id.
func outputEnsemble(r run, id string) (run, bool) {
	for _, rec := range r.recs {
		if _, ok := rec.Metric(id, OutputEnsembleTop1); ok {
			label := OutputEnsembleLabel
			if rest, ok := strings.CutPrefix(r.label, "WiSE-FT"); ok {
				label += rest
			} else {
				label = r.label + ", " + label
			}
			return run{label: label, alpha: r.alpha, recs: r.recs, metric: OutputEnsembleTop1, outputs: true}, true
		}
	}
	return run{}, false
}

// withOutputEnsembles appends to runs the output-space ensemble's curve of each that has one.
func withOutputEnsembles(runs []run, id string) []run {
	out := slices.Clone(runs)
	for _, r := range runs {
		if e, ok := outputEnsemble(r, id); ok {
			out = append(out, e)
		}
	}
	return out
}

// top1Of returns a record's top-1 accuracy of d for WiSE-FT or, failing that, for the output-space ensemble.
func top1Of(r results.Record, d string) (float64, bool) {
	if v, ok := r.Top1(d); ok {
		return v, true
	}
	return r.Metric(d, OutputEnsembleTop1)
}

// average returns the mean top-1 accuracy over datasets in the run's
// i-th record, or false if any is missing.
func (r run) average(i int, datasets []string) (float64, bool) {
	sum := 0.0
	for _, d := range datasets {
		v, ok := r.value(i, d)
		if !ok {
			return 0, false
		}
		sum += v
	}
	return sum / float64(len(datasets)), true
}

// checkInputs validates the arguments common to all figures: some
// records, every named dataset with a ":top1" value in at least one
// record, and every such value a fraction in [0, 1].
func checkInputs(recs []results.Record, id string, shifts []string) error {
	if len(recs) == 0 {
		return errors.New("plot: no records")
	}
	if id == "" {
		return errors.New("plot: no in-distribution dataset named")
	}
	if len(shifts) == 0 {
		return errors.New("plot: no shift datasets named")
	}
	have := map[string]bool{}
	wanted := append([]string{id}, shifts...)
	for _, r := range recs {
		for _, d := range r.Datasets() {
			if _, ok := r.Top1(d); ok {
				have[d] = true
			}
		}
		for _, d := range wanted {
			if _, ok := top1Of(r, d); ok {
				have[d] = true
			}
		}
	}
	for _, r := range recs {
		for _, d := range wanted {
			for _, m := range []string{"top1", OutputEnsembleTop1} {
				if v, ok := r.Metric(d, m); ok && (v < 0 || v > 1) {
					return fmt.Errorf("plot: %q is %v; top-1 must be a fraction in [0, 1]", d+":"+m, v)
				}
			}
		}
	}
	for _, d := range wanted {
		if !have[d] {
			names := make([]string, 0, len(have))
			for n := range have {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("plot: dataset %q: no record has a numeric %q (datasets with top-1 in the log: %s)",
				d, d+":top1", strings.Join(names, ", "))
		}
	}
	return nil
}

// groupRuns splits the records with a numeric α into runs by the values
// of keys, in order of first appearance. Within a run a later record
// replaces an earlier one with the same α. Labels name the key values
// that differ between runs.
func groupRuns(recs []results.Record, keys []string) ([]run, error) {
	type group struct {
		vals  []string
		byA   map[float64]results.Record
		order []float64
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range recs {
		a, ok := r.Alpha()
		if !ok {
			continue
		}
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = fieldString(r[k])
		}
		id := strings.Join(vals, "\x00")
		g := index[id]
		if g == nil {
			g = &group{vals: vals, byA: map[float64]results.Record{}}
			index[id] = g
			groups = append(groups, g)
		}
		if _, seen := g.byA[a]; !seen {
			g.order = append(g.order, a)
		}
		g.byA[a] = r
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("plot: no record has a numeric %q", results.AlphaKey)
	}

	// Label runs by the keys whose values differ between them.
	var differ []int
	for i := range keys {
		for _, g := range groups[1:] {
			if g.vals[i] != groups[0].vals[i] {
				differ = append(differ, i)
				break
			}
		}
	}
	runs := make([]run, len(groups))
	for gi, g := range groups {
		sort.Float64s(g.order)
		rn := run{alpha: g.order}
		for _, a := range g.order {
			rn.recs = append(rn.recs, g.byA[a])
		}
		var parts []string
		for _, i := range differ {
			if g.vals[i] == "" {
				parts = append(parts, keys[i]+" unset")
			} else {
				parts = append(parts, shorten(g.vals[i], 28))
			}
		}
		rn.label = "WiSE-FT"
		if len(groups) > 1 {
			rn.label = strings.Join(parts, ", ")
		} else if m := slices.Index(keys, "model"); m >= 0 && g.vals[m] != "" {
			rn.label = "WiSE-FT, " + g.vals[m]
		}
		runs[gi] = rn
	}
	return runs, nil
}

// fieldString renders a record field for grouping and labels.
func fieldString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// shorten keeps the last n runes of s, marking a cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}
