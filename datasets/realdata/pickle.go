package realdata

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// unpickle decodes a Python pickle (protocols 0 to 5, binary opcodes and the common text ones) holding plain data
// and NumPy arrays, as CIFAR's python batches and NumPy's object .npy files are. Other objects give an error.
func unpickle(data []byte) (v any, err error) {
	defer func() { // a bug here must give an error for the file, not crash the program
		if p := recover(); p != nil {
			v, err = nil, &panicError{p}
		}
	}()
	u := &unpickler{data: data, memo: map[int]any{}}
	return u.run()
}

// panicError is unpickle's error when decoding panicked: a bug of the decoder (every malformed input has an error
// of its own), which the fuzz test looks for.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("pickle: malformed data: %v", e.value) }

// unpickler is the state of the pickle machine.
type unpickler struct {
	data  []byte
	pos   int
	stack []any
	memo  map[int]any
}

var errTruncated = errors.New("pickle: unexpected end of data")

// take returns the next n bytes.
func (u *unpickler) take(n int) ([]byte, error) {
	if n < 0 || n > len(u.data)-u.pos {
		return nil, errTruncated
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

// uint reads an n-byte little-endian unsigned integer (n = 1, 2, 4 or 8).
func (u *unpickler) uint(n int) (uint64, error) {
	b, err := u.take(n)
	if err != nil {
		return 0, err
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:]), nil
}

// line reads up to and excluding the next newline.
func (u *unpickler) line() (string, error) {
	i := bytes.IndexByte(u.data[u.pos:], '\n')
	if i < 0 {
		return "", errTruncated
	}
	s := string(u.data[u.pos : u.pos+i])
	u.pos += i + 1
	return s, nil
}

// sized reads an n-byte length, then that many bytes.
func (u *unpickler) sized(n int) ([]byte, error) {
	l, err := u.uint(n)
	if err != nil {
		return nil, err
	}
	if l > uint64(len(u.data)) {
		return nil, errTruncated
	}
	return u.take(int(l))
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (any, error) {
	if len(u.stack) == 0 {
		return nil, errors.New("pickle: stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 {
		return nil, errors.New("pickle: stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	if _, ok := v.(pyMark); ok {
		return nil, errMarkAsValue
	}
	return v, nil
}

// errMarkAsValue: a MARK is only a delimiter on the stack; an opcode that takes a value found one instead.
var errMarkAsValue = errors.New("pickle: a MARK where a value was expected")

// popMark pops the items above the topmost MARK, and the MARK.
func (u *unpickler) popMark() ([]any, error) {
	for i := len(u.stack) - 1; i >= 0; i-- {
		if _, ok := u.stack[i].(pyMark); ok {
			items := append([]any(nil), u.stack[i+1:]...)
			u.stack = u.stack[:i]
			return items, nil
		}
	}
	return nil, errors.New("pickle: MARK not found")
}

// popInto pops the items of an APPEND/SETITEM-like opcode (n of them when single, else down to the mark) and
// returns them with the container they go into, now on top of the stack.
func (u *unpickler) popInto(single bool, n int) ([]any, any, error) {
	var items []any
	var err error
	if single {
		items, err = u.popN(n)
	} else {
		items, err = u.popMark()
	}
	if err != nil {
		return nil, nil, err
	}
	t, err := u.top()
	if err != nil {
		return nil, nil, err
	}
	return items, t, nil
}

// popN pops the top n items, in stack order.
func (u *unpickler) popN(n int) ([]any, error) {
	if len(u.stack) < n {
		return nil, errors.New("pickle: stack underflow")
	}
	items := append([]any(nil), u.stack[len(u.stack)-n:]...)
	for _, it := range items {
		if _, ok := it.(pyMark); ok {
			return nil, errMarkAsValue
		}
	}
	u.stack = u.stack[:len(u.stack)-n]
	return items, nil
}

// run executes opcodes until STOP.
func (u *unpickler) run() (any, error) {
	for {
		if u.pos >= len(u.data) {
			return nil, errTruncated
		}
		op := u.data[u.pos]
		u.pos++
		if op == '.' { // STOP
			v, err := u.top()
			if err != nil {
				return nil, err
			}
			return v, nil
		}
		if err := u.step(op); err != nil {
			return nil, fmt.Errorf("%w (opcode 0x%02x at offset %d)", err, op, u.pos-1)
		}
	}
}

// step executes one opcode other than STOP.
func (u *unpickler) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		_, err := u.take(1)
		return err
	case 0x95: // FRAME
		_, err := u.take(8)
		return err
	case '(': // MARK
		u.push(pyMark{})
	case '0': // POP
		_, err := u.pop()
		return err
	case '1': // POP_MARK
		_, err := u.popMark()
		return err
	case '2': // DUP
		v, err := u.top()
		if err != nil {
			return err
		}
		u.push(v)
	case 'N':
		u.push(nil)
	case 0x88:
		u.push(true)
	case 0x89:
		u.push(false)
	case 'K', 'M', 'J': // BININT1, BININT2, BININT
		x, err := u.uint(argSize(op))
		if err != nil {
			return err
		}
		if op == 'J' {
			u.push(int64(int32(uint32(x))))
		} else {
			u.push(int64(x))
		}
	case 0x8a, 0x8b: // LONG1, LONG4
		n := 1
		if op == 0x8b {
			n = 4
		}
		b, err := u.sized(n)
		if err != nil {
			return err
		}
		v, err := longFromBytes(b)
		if err != nil {
			return err
		}
		u.push(v)
	case 'I', 'L': // INT, LONG (text)
		s, err := u.line()
		if err != nil {
			return err
		}
		switch s {
		case "01":
			u.push(true)
		case "00":
			u.push(false)
		default:
			if len(s) > 0 && s[len(s)-1] == 'L' {
				s = s[:len(s)-1]
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("pickle: bad integer %q", s)
			}
			u.push(n)
		}
	case 'G': // BINFLOAT
		b, err := u.take(8)
		if err != nil {
			return err
		}
		u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 'F': // FLOAT
		s, err := u.line()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("pickle: bad float %q", s)
		}
		u.push(f)
	case 'U', 'T', 'C', 'B', 0x8e, 0x96: // SHORT_BINSTRING, BINSTRING, SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8
		b, err := u.sized(argSize(op))
		if err != nil {
			return err
		}
		u.push(b)
	case 'X', 0x8c, 0x8d: // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
		b, err := u.sized(argSize(op))
		if err != nil {
			return err
		}
		u.push(string(b))
	case ')':
		u.push(pyTuple{})
	case ']':
		u.push(&pyList{})
	case '}':
		u.push(&pyDict{m: map[string]any{}})
	case 't', 'l', 'd': // TUPLE, LIST, DICT
		items, err := u.popMark()
		if err != nil {
			return err
		}
		switch op {
		case 't':
			u.push(pyTuple(items))
		case 'l':
			u.push(&pyList{items: items})
		default:
			d := &pyDict{m: map[string]any{}}
			if err := d.setItems(items); err != nil {
				return err
			}
			u.push(d)
		}
	case 0x85, 0x86, 0x87: // TUPLE1..3
		items, err := u.popN(int(op - 0x84))
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case 'a', 'e': // APPEND, APPENDS
		items, t, err := u.popInto(op == 'a', 1)
		if err != nil {
			return err
		}
		l, ok := t.(*pyList)
		if !ok {
			return fmt.Errorf("pickle: append to %T", t)
		}
		l.items = append(l.items, items...)
	case 's', 'u': // SETITEM, SETITEMS
		items, t, err := u.popInto(op == 's', 2)
		if err != nil {
			return err
		}
		d, ok := t.(*pyDict)
		if !ok {
			return fmt.Errorf("pickle: setitem on %T", t)
		}
		return d.setItems(items)
	case 'q', 'r', 'p', 0x94: // BINPUT, LONG_BINPUT, PUT, MEMOIZE
		return u.put(op)
	case 'h', 'j', 'g': // BINGET, LONG_BINGET, GET
		return u.get(op)
	case 'c': // GLOBAL
		mod, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		u.push(pyGlobal{mod, name})
	case 0x93: // STACK_GLOBAL
		items, err := u.popN(2)
		if err != nil {
			return err
		}
		mod, ok1 := items[0].(string)
		name, ok2 := items[1].(string)
		if !ok1 || !ok2 {
			return errors.New("pickle: STACK_GLOBAL needs two strings")
		}
		u.push(pyGlobal{mod, name})
	case 'R': // REDUCE
		items, err := u.popN(2)
		if err != nil {
			return err
		}
		args, ok := items[1].(pyTuple)
		if !ok {
			return fmt.Errorf("pickle: REDUCE arguments are %T, not a tuple", items[1])
		}
		v, err := call(items[0], args)
		if err != nil {
			return err
		}
		u.push(v)
	case 'b': // BUILD
		items, err := u.popN(1)
		if err != nil {
			return err
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		return build(t, items[0])
	default:
		return fmt.Errorf("pickle: unsupported opcode %q", op)
	}
	return nil
}

// put stores the top of the stack in the memo.
func (u *unpickler) put(op byte) error {
	var idx int
	switch op {
	case 'q', 'r':
		n := 1
		if op == 'r' {
			n = 4
		}
		x, err := u.uint(n)
		if err != nil {
			return err
		}
		idx = int(x)
	case 'p':
		s, err := u.line()
		if err != nil {
			return err
		}
		if idx, err = strconv.Atoi(s); err != nil {
			return fmt.Errorf("pickle: bad memo index %q", s)
		}
	default: // MEMOIZE
		idx = len(u.memo)
	}
	v, err := u.top()
	if err != nil {
		return err
	}
	u.memo[idx] = v
	return nil
}

// get pushes a memo entry.
func (u *unpickler) get(op byte) error {
	var idx int
	switch op {
	case 'h', 'j':
		n := 1
		if op == 'j' {
			n = 4
		}
		x, err := u.uint(n)
		if err != nil {
			return err
		}
		idx = int(x)
	default:
		s, err := u.line()
		if err != nil {
			return err
		}
		if idx, err = strconv.Atoi(s); err != nil {
			return fmt.Errorf("pickle: bad memo index %q", s)
		}
	}
	v, ok := u.memo[idx]
	if !ok {
		return fmt.Errorf("pickle: memo entry %d missing", idx)
	}
	u.push(v)
	return nil
}

// setItems stores key, value pairs.
func (d *pyDict) setItems(items []any) error {
	if len(items)%2 != 0 {
		return errors.New("pickle: odd number of dict items")
	}
	for i := 0; i < len(items); i += 2 {
		k, err := dictKey(items[i])
		if err != nil {
			return err
		}
		d.m[k] = items[i+1]
	}
	return nil
}

// argSize is the byte size of the integer argument (or length prefix) of the sized opcodes.
func argSize(op byte) int {
	switch op {
	case 'K', 'U', 'C', 0x8c:
		return 1
	case 'M':
		return 2
	case 0x8e, 0x96, 0x8d:
		return 8
	}
	return 4 // 'J', 'T', 'B', 'X'
}

// longFromBytes decodes a little-endian two's-complement integer that fits an int64.
func longFromBytes(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	n := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	if !n.IsInt64() {
		return 0, errors.New("pickle: integer too large")
	}
	return n.Int64(), nil
}
