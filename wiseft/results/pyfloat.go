package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// The paper's plotting script reads the log with pandas (pd.read_json(path, lines=True)) and keeps the rows whose
// "alpha" is a Python float. Python's json module writes a float with a decimal point or an exponent (0.0, 1.0),
// an int without; Go's encoding/json writes float64(1) as 1. Once any line of a log has a list-valued α (the
// paper's per-epoch lines do), pandas keeps the column's values as Python objects, so α = 0 and α = 1 written as
// 0 and 1 read back as ints and are dropped. Append therefore writes every Go float as Python would.

// pyFloat is a float64 that encodes in JSON as Python writes floats: with a '.' or an exponent.
type pyFloat float64

// MarshalJSON writes encoding/json's number, adding ".0" to one that reads as an integer.
func (f pyFloat) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(float64(f))
	if err != nil {
		return nil, err
	}
	if !bytes.ContainsAny(b, ".eE") {
		b = append(b, '.', '0')
	}
	return b, nil
}

// pythonTyped returns v with every float (at any depth of maps and slices) a pyFloat, leaving integers,
// strings and booleans as they are.
func pythonTyped(v any) any {
	switch x := v.(type) {
	case float64:
		return pyFloat(x)
	case float32:
		return pyFloat(x)
	case []float64:
		out := make([]pyFloat, len(x))
		for i, f := range x {
			out[i] = pyFloat(f)
		}
		return out
	case []float32:
		out := make([]pyFloat, len(x))
		for i, f := range x {
			out[i] = pyFloat(f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pythonTyped(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pythonTyped(e)
		}
		return out
	case Record:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pythonTyped(e)
		}
		return out
	}
	return v
}

// checkAlpha accepts a finite number, or a non-empty list of finite numbers (the α list of the paper's per-epoch
// lines, written before the sweep runs).
func checkAlpha(v any) error {
	if a, ok := toFloat(v); ok {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("%q is %v, want a finite number", AlphaKey, a)
		}
		return nil
	}
	var list []any
	switch x := v.(type) {
	case []float64:
		for _, f := range x {
			list = append(list, f)
		}
	case []any:
		list = x
	default:
		return fmt.Errorf("%q is %T, want a number or a list of numbers", AlphaKey, v)
	}
	if len(list) == 0 {
		return fmt.Errorf("%q is an empty list", AlphaKey)
	}
	for _, e := range list {
		a, ok := toFloat(e)
		if !ok || math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("%q holds %v (%T), want finite numbers", AlphaKey, e, e)
		}
	}
	return nil
}
