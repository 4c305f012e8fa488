package results

import (
	"bytes"
	"math"
)

// Python's json.dumps writes NaN, Infinity and -Infinity as bare
// tokens, which are not JSON. pythonCompat rewrites them, outside
// strings, into sentinel strings that restoreNonFinite turns back into
// float64 values after decoding.
var pyTokens = []struct {
	token    string
	sentinel string
	value    float64
}{
	{"-Infinity", "\"\\u0000py:-Infinity\"", math.Inf(-1)},
	{"Infinity", "\"\\u0000py:Infinity\"", math.Inf(1)},
	{"NaN", "\"\\u0000py:NaN\"", math.NaN()},
}

// pythonCompat returns line with Python's non-finite tokens replaced by
// sentinels, and whether it replaced any.
func pythonCompat(line []byte) ([]byte, bool) {
	if !bytes.Contains(line, []byte("NaN")) && !bytes.Contains(line, []byte("Infinity")) {
		return nil, false
	}
	var out []byte
	inString, escaped, replaced := false, false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out = append(out, c)
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		matched := false
		for _, t := range pyTokens {
			if bytes.HasPrefix(line[i:], []byte(t.token)) {
				out = append(out, t.sentinel...)
				i += len(t.token) - 1
				matched, replaced = true, true
				break
			}
		}
		if !matched {
			out = append(out, c)
		}
	}
	return out, replaced
}

// restoreNonFinite replaces the sentinel strings left by pythonCompat
// with their float64 values, in place, at any depth.
func restoreNonFinite(rec Record) {
	for k, v := range rec {
		rec[k] = restoreValue(v)
	}
}

func restoreValue(v any) any {
	switch x := v.(type) {
	case string:
		for _, t := range pyTokens {
			if x == "\x00py:"+t.token {
				return t.value
			}
		}
	case []any:
		for i := range x {
			x[i] = restoreValue(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = restoreValue(x[k])
		}
	}
	return v
}
