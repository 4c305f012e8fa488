package realdata

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// Python values built by the pickle reader: str is a Go string; bytes and Python 2 str are []byte; int is int64;
// float is float64; None is nil; bool is bool; tuple is pyTuple; list is *pyList; dict is *pyDict.

// pyTuple is a Python tuple.
type pyTuple []any

// pyList is a Python list (a pointer, as APPEND mutates it).
type pyList struct{ items []any }

// pyDict is a Python dict whose keys are str, bytes or int, all kept as their string form.
type pyDict struct{ m map[string]any }

// pyGlobal is a class or function named by GLOBAL, called by REDUCE.
type pyGlobal struct{ module, name string }

// pyMark is the MARK on the stack.
type pyMark struct{}

// npDtype is a NumPy dtype: its kind and size ("u1", "i8", "O8") and byte order ('<', '>', '|' or '=').
type npDtype struct {
	code  string
	order byte
}

// ndarray is a NumPy array: its shape, dtype and raw C-order data, or its elements for an object array.
type ndarray struct {
	shape   []int
	dtype   *npDtype
	data    []byte
	objects []any
}

// dictKey returns the string form of a dict key.
func dictKey(k any) (string, error) {
	switch v := k.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	}
	return "", fmt.Errorf("unsupported dict key type %T", k)
}

// parseDtype reads a dtype string such as "<i8", "|u1" or "u1"; a missing byte order is '|'.
func parseDtype(s string) (*npDtype, error) {
	d := &npDtype{order: '|'}
	if s != "" && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=') {
		d.order, s = s[0], s[1:]
	}
	if s == "O" { // object arrays in .npy headers omit the pointer size
		s = "O8"
	}
	if len(s) < 2 {
		return nil, fmt.Errorf("unsupported dtype %q", s)
	}
	if n, err := strconv.Atoi(s[1:]); err != nil || n < 1 || n > 16 {
		return nil, fmt.Errorf("unsupported dtype %q", s)
	}
	d.code = s
	return d, nil
}

// size is the dtype's item size in bytes.
func (d *npDtype) size() int {
	n, _ := strconv.Atoi(d.code[1:])
	return n
}

// bigEndian reports whether items are stored most significant byte first.
func (d *npDtype) bigEndian() bool { return d.order == '>' }

// count is the number of elements, the product of the shape; -1 when a dimension is negative or the product
// exceeds 2^40 (no real file comes near).
func (a *ndarray) count() int {
	n := 1
	for _, s := range a.shape {
		if s < 0 || (s > 0 && n > (1<<40)/s) {
			return -1
		}
		n *= s
	}
	return n
}

// check verifies that the data holds exactly count() items of the dtype.
func (a *ndarray) check() error {
	if a.dtype == nil {
		return fmt.Errorf("array without dtype")
	}
	if a.count() < 0 {
		return fmt.Errorf("bad shape %v", a.shape)
	}
	if a.dtype.code[0] == 'O' {
		if len(a.objects) != a.count() {
			return fmt.Errorf("object array of shape %v holds %d objects", a.shape, len(a.objects))
		}
		return nil
	}
	if len(a.data) != a.count()*a.dtype.size() {
		return fmt.Errorf("array of shape %v and dtype %s holds %d bytes, want %d", a.shape, a.dtype.code, len(a.data),
			a.count()*a.dtype.size())
	}
	return nil
}

// bytesU8 returns the data of a uint8 array.
func (a *ndarray) bytesU8() ([]byte, error) {
	if a.dtype == nil || (a.dtype.code != "u1" && a.dtype.code != "b1") {
		return nil, fmt.Errorf("want a uint8 array, got dtype %v", a.dtype)
	}
	return a.data, a.check()
}

// ints returns the elements of an integer array.
func (a *ndarray) ints() ([]int, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	d := a.dtype
	kind, size := d.code[0], d.size()
	if (kind != 'i' && kind != 'u') || (size != 1 && size != 2 && size != 4 && size != 8) {
		return nil, fmt.Errorf("want an integer array, got dtype %s", d.code)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if d.bigEndian() {
		bo = binary.BigEndian
	}
	out := make([]int, a.count())
	for i := range out {
		b := a.data[i*size : (i+1)*size]
		var u uint64
		switch size {
		case 1:
			u = uint64(b[0])
		case 2:
			u = uint64(bo.Uint16(b))
		case 4:
			u = uint64(bo.Uint32(b))
		case 8:
			u = bo.Uint64(b)
		}
		if kind == 'i' { // sign-extend
			shift := 64 - 8*size
			out[i] = int(int64(u<<shift) >> shift)
		} else {
			if u > math.MaxInt64 {
				return nil, fmt.Errorf("value %d does not fit an int", u)
			}
			out[i] = int(u)
		}
	}
	return out, nil
}

// asInts converts a Python list or tuple of ints, or an integer array, to []int.
func asInts(v any) ([]int, error) {
	var items []any
	switch x := v.(type) {
	case *pyList:
		items = x.items
	case pyTuple:
		items = x
	case *ndarray:
		return x.ints()
	default:
		return nil, fmt.Errorf("want a list of ints, got %T", v)
	}
	out := make([]int, len(items))
	for i, it := range items {
		n, ok := it.(int64)
		if !ok {
			return nil, fmt.Errorf("item %d is %T, not an int", i, it)
		}
		out[i] = int(n)
	}
	return out, nil
}

// asStrings converts a Python list of str or bytes to []string.
func asStrings(v any) ([]string, error) {
	l, ok := v.(*pyList)
	if !ok {
		return nil, fmt.Errorf("want a list of strings, got %T", v)
	}
	out := make([]string, len(l.items))
	for i, it := range l.items {
		switch s := it.(type) {
		case string:
			out[i] = s
		case []byte:
			out[i] = string(s)
		default:
			return nil, fmt.Errorf("item %d is %T, not a string", i, it)
		}
	}
	return out, nil
}
