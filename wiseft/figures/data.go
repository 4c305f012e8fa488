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
}

// value returns the top-1 accuracy of dataset in the run's i-th record.
func (r run) value(i int, dataset string) (float64, bool) {
	return r.recs[i].Top1(dataset)
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
	for _, r := range recs {
		for _, d := range r.Datasets() {
			if _, ok := r.Top1(d); ok {
				have[d] = true
			}
		}
	}
	wanted := append([]string{id}, shifts...)
	for _, r := range recs {
		for _, d := range wanted {
			if v, ok := r.Top1(d); ok && (v < 0 || v > 1) {
				return fmt.Errorf("plot: %q is %v; top-1 must be a fraction in [0, 1]", d+":top1", v)
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
