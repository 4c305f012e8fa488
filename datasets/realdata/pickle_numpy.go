package realdata

import (
	"encoding/binary"
	"fmt"
	"math"
)

// call applies a GLOBAL to its REDUCE arguments; only the callables that data pickles use are known.
func call(f any, args pyTuple) (any, error) {
	g, ok := f.(pyGlobal)
	if !ok {
		return nil, fmt.Errorf("pickle: cannot call %T", f)
	}
	switch g.module + "." + g.name {
	case "_codecs.encode": // how Python 3 writes bytes at protocol 2: encode(str, "latin1")
		if len(args) != 2 {
			break
		}
		s, ok := args[0].(string)
		if !ok {
			break
		}
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("pickle: _codecs.encode: %U is not latin-1", r)
			}
			out = append(out, byte(r))
		}
		return out, nil
	case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
		return &ndarray{}, nil
	case "numpy.dtype":
		if len(args) < 1 {
			break
		}
		return parseDtype(asString(args[0]))
	case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar":
		if len(args) == 2 {
			if d, ok := args[0].(*npDtype); ok {
				if b, ok := args[1].([]byte); ok {
					return scalar(d, b)
				}
			}
		}
	case "builtins.bytes", "__builtin__.bytes", "builtins.bytearray", "__builtin__.bytearray":
		if len(args) == 0 {
			return []byte{}, nil
		}
		if b, ok := args[0].([]byte); ok {
			return b, nil
		}
		if len(args) == 2 {
			return call(pyGlobal{"_codecs", "encode"}, args)
		}
	default:
		return nil, fmt.Errorf("pickle: unsupported object %s.%s", g.module, g.name)
	}
	return nil, fmt.Errorf("pickle: unsupported arguments for %s.%s", g.module, g.name)
}

// asString returns a str or bytes value as a string ("" for anything else).
func asString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	}
	return ""
}

// build applies a BUILD state to a NumPy array or dtype.
func build(obj, state any) error {
	st, ok := state.(pyTuple)
	if !ok {
		return fmt.Errorf("pickle: BUILD state is %T, not a tuple", state)
	}
	switch o := obj.(type) {
	case *npDtype:
		if len(st) >= 2 {
			if order := asString(st[1]); len(order) == 1 {
				o.order = order[0]
			}
		}
		return nil
	case *ndarray:
		if len(st) == 5 { // (version, shape, dtype, fortran, data); older NumPy omits the version
			st = st[1:]
		}
		if len(st) != 4 {
			return fmt.Errorf("pickle: ndarray state has %d items", len(st))
		}
		shape, err := asInts(st[0])
		if err != nil {
			return fmt.Errorf("pickle: ndarray shape: %w", err)
		}
		d, ok := st[1].(*npDtype)
		if !ok {
			return fmt.Errorf("pickle: ndarray dtype is %T", st[1])
		}
		if fortran, _ := st[2].(bool); fortran && len(shape) > 1 {
			return fmt.Errorf("pickle: Fortran-ordered arrays are not supported")
		}
		o.shape, o.dtype = shape, d
		switch data := st[3].(type) {
		case []byte:
			o.data = data
		case *pyList:
			o.objects = data.items
		default:
			return fmt.Errorf("pickle: ndarray data is %T", st[3])
		}
		return o.check()
	}
	return fmt.Errorf("pickle: cannot BUILD %T", obj)
}

// scalar decodes a NumPy scalar of an integer, float or bool dtype.
func scalar(d *npDtype, b []byte) (any, error) {
	a := &ndarray{shape: nil, dtype: d, data: b}
	switch d.code[0] {
	case 'i', 'u':
		v, err := a.ints()
		if err != nil {
			return nil, err
		}
		return int64(v[0]), nil
	case 'b':
		return len(b) == 1 && b[0] != 0, nil
	case 'f':
		var bo binary.ByteOrder = binary.LittleEndian
		if d.bigEndian() {
			bo = binary.BigEndian
		}
		switch len(b) {
		case 4:
			return float64(math.Float32frombits(bo.Uint32(b))), nil
		case 8:
			return math.Float64frombits(bo.Uint64(b)), nil
		}
	}
	return nil, fmt.Errorf("pickle: unsupported scalar dtype %s", d.code)
}
