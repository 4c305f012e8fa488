package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Curve is one run's results by mixing coefficient, typed: what every figure draws. Both the results-log reader
// (Curves) and a sweep (wiseft.SweepResult.Curve) produce it.
//
//	curves, err := results.Curves(recs, "model", "train_dataset")
//	v, ok := curves[0].Value(0, "ImageNet") // top-1 of the first α
type Curve struct {
	// Label names the run in legends ("WiSE-FT", or the values that tell it from the other runs).
	Label string
	// Alphas are the mixing coefficients, ascending and distinct.
	Alphas []float64
	// Top1 holds, per dataset, the top-1 accuracy (a fraction) at each α; NaN where the run lacks it.
	Top1 map[string][]float64
	// Outputs holds, in the same way, the top-1 accuracy of the output-space ensemble of the run's two endpoints
	// (the paper's baseline, "<dataset>:output_ensemble_top1" in a log) at each α; nil when the run did not
	// evaluate it. See OutputCurve.
	Outputs map[string][]float64
	// OutputEnsemble marks a curve of output-space ensembles (made by OutputCurve): figures draw it dashed and
	// leave its endpoints, the same two models as WiSE-FT's, unmarked.
	OutputEnsemble bool
}

// OutputEnsembleTop1 is the metric of the output-space ensemble's top-1 accuracy in a record:
// "<dataset>:output_ensemble_top1" (the key wiseft.SweepResult.Records writes).
const OutputEnsembleTop1 = "output_ensemble_top1"

// OutputEnsembleLabel is the legend label of an output-space ensemble's curve.
const OutputEnsembleLabel = "output-space ensemble"

// OutputCurve returns the run's output-space ensemble as a curve of its own (Top1 = c.Outputs, OutputEnsemble
// set, labelled "output-space ensemble" with what tells the run apart), and whether the run has one.
func (c Curve) OutputCurve() (Curve, bool) {
	has := false
	for _, vs := range c.Outputs {
		for _, v := range vs {
			has = has || !math.IsNaN(v)
		}
	}
	if !has {
		return Curve{}, false
	}
	label := OutputEnsembleLabel
	if rest, ok := strings.CutPrefix(c.Label, "WiSE-FT"); ok {
		label += rest
	} else {
		label = c.Label + ", " + label
	}
	return Curve{Label: label, Alphas: c.Alphas, Top1: c.Outputs, OutputEnsemble: true}, true
}

// Value returns the top-1 accuracy of dataset at the curve's i-th α, and whether the run has it.
func (c Curve) Value(i int, dataset string) (float64, bool) {
	vs, ok := c.Top1[dataset]
	if !ok || i < 0 || i >= len(vs) || math.IsNaN(vs[i]) {
		return 0, false
	}
	return vs[i], true
}

// Average returns the mean top-1 accuracy over datasets at the curve's i-th α, or false if any is missing.
func (c Curve) Average(i int, datasets []string) (float64, bool) {
	sum := 0.0
	for _, d := range datasets {
		v, ok := c.Value(i, d)
		if !ok {
			return 0, false
		}
		sum += v
	}
	return sum / float64(len(datasets)), true
}

// Datasets lists, sorted, the datasets the curve has a value for at some α.
func (c Curve) Datasets() []string {
	var out []string
	for d := range c.Top1 {
		for i := range c.Alphas {
			if _, ok := c.Value(i, d); ok {
				out = append(out, d)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// MethodKey is the record field naming how the fine-tuned endpoint was made; DefaultMethod is what a record
// without it ran (records written before methods existed): end-to-end fine-tuning.
const (
	MethodKey     = "method"
	DefaultMethod = "ft"
)

// Curves groups the records that have a numeric α into curves by the values of groupKeys, in order of first
// appearance (no keys: all records form one curve); a record's "<dataset>:output_ensemble_top1" values go to
// the curve's Outputs. Within a curve a later record replaces an earlier one with
// the same α. Labels name the key values that differ between curves; a single curve is "WiSE-FT" (with the
// model's name when "model" is a group key). Records without a numeric α are ignored; it is an error if none has
// one. A record without a "method" groups as DefaultMethod.
func Curves(recs []Record, groupKeys ...string) ([]Curve, error) {
	type group struct {
		vals  []string
		byA   map[float64]Record
		order []float64
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range recs {
		a, ok := r.Alpha()
		if !ok {
			continue
		}
		vals := make([]string, len(groupKeys))
		for i, k := range groupKeys {
			vals[i] = fieldString(r[k])
			if k == MethodKey && vals[i] == "" {
				vals[i] = DefaultMethod // written before methods were recorded: end-to-end fine-tuning ran
			}
		}
		id := strings.Join(vals, "\x00")
		g := index[id]
		if g == nil {
			g = &group{vals: vals, byA: map[float64]Record{}}
			index[id] = g
			groups = append(groups, g)
		}
		if _, seen := g.byA[a]; !seen {
			g.order = append(g.order, a)
		}
		g.byA[a] = r
	}
	if len(groups) == 0 {
		return nil, errors.New("no record has a numeric \"" + AlphaKey + "\"")
	}
	// Label curves by the keys whose values differ between them.
	var differ []int
	for i := range groupKeys {
		for _, g := range groups[1:] {
			if g.vals[i] != groups[0].vals[i] {
				differ = append(differ, i)
				break
			}
		}
	}
	curves := make([]Curve, len(groups))
	for gi, g := range groups {
		sort.Float64s(g.order)
		c := Curve{Alphas: g.order, Top1: map[string][]float64{}}
		for i, a := range g.order {
			r := g.byA[a]
			for _, d := range r.Datasets() {
				v, _ := r.Top1(d)
				if c.Top1[d] == nil {
					c.Top1[d] = nanSlice(len(g.order))
				}
				c.Top1[d][i] = v
			}
			for k := range r {
				d, ok := strings.CutSuffix(k, ":"+OutputEnsembleTop1)
				v, num := toFloat(r[k])
				if !ok || d == "" || !num {
					continue
				}
				if c.Outputs == nil {
					c.Outputs = map[string][]float64{}
				}
				if c.Outputs[d] == nil {
					c.Outputs[d] = nanSlice(len(g.order))
				}
				c.Outputs[d][i] = v
			}
		}
		var parts []string
		for _, i := range differ {
			if g.vals[i] == "" {
				parts = append(parts, groupKeys[i]+" unset")
			} else {
				parts = append(parts, shorten(g.vals[i], 28))
			}
		}
		c.Label = "WiSE-FT"
		if len(groups) > 1 {
			c.Label = strings.Join(parts, ", ")
		} else if m := slices.Index(groupKeys, "model"); m >= 0 && g.vals[m] != "" {
			c.Label = "WiSE-FT, " + g.vals[m]
		}
		curves[gi] = c
	}
	return curves, nil
}

// CheckCurves reports, for the figures of idDataset and shifts: no curves, a named dataset no curve has a value for,
// or a value that is not a fraction in [0, 1].
func CheckCurves(curves []Curve, idDataset string, shifts []string) error {
	if len(curves) == 0 {
		return errors.New("no curves")
	}
	if idDataset == "" {
		return errors.New("no in-distribution dataset named")
	}
	if len(shifts) == 0 {
		return errors.New("no shift datasets named")
	}
	// A run's output-space ensemble counts as its own curve.
	all := slices.Clone(curves)
	for _, c := range curves {
		if o, ok := c.OutputCurve(); ok {
			all = append(all, o)
		}
	}
	have := map[string]bool{}
	for _, c := range all {
		for _, d := range c.Datasets() {
			have[d] = true
		}
	}
	for _, d := range append([]string{idDataset}, shifts...) {
		for _, c := range all {
			key := d + ":top1"
			if c.OutputEnsemble {
				key = d + ":" + OutputEnsembleTop1
			}
			for i := range c.Alphas {
				if v, ok := c.Value(i, d); ok && (v < 0 || v > 1) {
					return fmt.Errorf("%q is %v; top-1 must be a fraction in [0, 1]", key, v)
				}
			}
		}
		if !have[d] {
			names := make([]string, 0, len(have))
			for n := range have {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("dataset %q: no record has a numeric %q (datasets with top-1: %s)",
				d, d+":top1", strings.Join(names, ", "))
		}
	}
	return nil
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
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
