package results

import (
	"sort"
	"strings"
)

// AlphaKey is the key that holds the mixing coefficient α of a record.
const AlphaKey = "alpha"

// Record is one line of the results log: the run's flags, "alpha" and
// the "<Dataset>:<metric>" values. Numbers read back from a log are
// float64.
type Record map[string]any

// Alpha returns the record's mixing coefficient α and whether "alpha"
// holds a number.
func (r Record) Alpha() (float64, bool) {
	return toFloat(r[AlphaKey])
}

// Metric returns the value stored under "<dataset>:<metric>" and whether
// it is a number.
//
//	top1, ok := rec.Metric("ImageNet", "top1")
func (r Record) Metric(dataset, metric string) (float64, bool) {
	return toFloat(r[dataset+":"+metric])
}

// Top1 is shorthand for r.Metric(dataset, "top1").
func (r Record) Top1(dataset string) (float64, bool) {
	return r.Metric(dataset, "top1")
}

// String returns the value of key if it is a string.
func (r Record) String(key string) (string, bool) {
	s, ok := r[key].(string)
	return s, ok
}

// Datasets returns, sorted, the datasets that have a "<Dataset>:top1"
// key in the record.
func (r Record) Datasets() []string {
	var ds []string
	for k := range r {
		if name, ok := strings.CutSuffix(k, ":top1"); ok && name != "" {
			ds = append(ds, name)
		}
	}
	sort.Strings(ds)
	return ds
}

// toFloat converts any Go number to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}
