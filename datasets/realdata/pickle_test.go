package realdata

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestUnpicklePython2CIFARBatch(t *testing.T) {
	raw, imgs := cifarBatch("labels", []int{3, 9, 0})
	v, err := unpickle(raw)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*pyDict)
	arr := d.m["data"].(*ndarray)
	pix, err := arr.bytesU8()
	if err != nil || !slices.Equal(arr.shape, []int{3, 3072}) || !bytes.Equal(pix[3072:6144], imgs[1]) {
		t.Fatalf("data: shape %v, %v", arr.shape, err)
	}
	if l, err := asInts(d.m["labels"]); err != nil || !slices.Equal(l, []int{3, 9, 0}) {
		t.Errorf("labels %v, %v", l, err)
	}
	if s := asString(d.m["batch_label"]); s != "testing batch 1 of 1" {
		t.Errorf("batch_label %q", s)
	}
}

func TestUnpickleNumPyFixtures(t *testing.T) {
	raw, err := os.ReadFile("testdata/numpy_batch.pickle")
	if err != nil {
		t.Fatal(err)
	}
	v, err := unpickle(raw)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*pyDict)
	arr := d.m["data"].(*ndarray)
	pix, err := arr.bytesU8()
	want := make([]byte, 24)
	for i := range want {
		want[i] = byte(i)
	}
	if err != nil || !slices.Equal(arr.shape, []int{2, 12}) || !bytes.Equal(pix, want) {
		t.Errorf("data: shape %v, %v, %v", arr.shape, pix, err)
	}
	if l, err := asInts(d.m["fine_labels"]); err != nil || !slices.Equal(l, []int{3, 97}) {
		t.Errorf("fine_labels %v, %v", l, err)
	}
	if s, err := asStrings(d.m["filenames"]); err != nil || !slices.Equal(s, []string{"a.png", "b.png"}) {
		t.Errorf("filenames %v, %v", s, err)
	}

	raw, _ = os.ReadFile("testdata/numpy_data.npy")
	a, err := parseNpy(raw)
	if err != nil {
		t.Fatal(err)
	}
	if pix, err := a.bytesU8(); err != nil || !slices.Equal(a.shape, []int{2, 2, 2, 3}) || !bytes.Equal(pix, want) {
		t.Errorf("numpy_data.npy: %v %v %v", a.shape, pix, err)
	}
	raw, _ = os.ReadFile("testdata/numpy_labels.npy")
	if a, err = parseNpy(raw); err != nil {
		t.Fatal(err)
	}
	if l, err := a.ints(); err != nil || !slices.Equal(l, []int{-1, 7, 300}) {
		t.Errorf("numpy_labels.npy: %v, %v", l, err)
	}
	raw, _ = os.ReadFile("testdata/numpy_dict.npy")
	if a, err = parseNpy(raw); err != nil {
		t.Fatal(err)
	}
	images, lab, err := dictArrays(a)
	if err != nil {
		t.Fatal(err)
	}
	pix, _ = images.bytesU8()
	if l, _ := lab.ints(); !slices.Equal(images.shape, []int{1, 32, 32, 3}) || pix[300] != 300%251 || !slices.Equal(l, []int{4}) {
		t.Errorf("numpy_dict.npy: shape %v, labels %v", images.shape, l)
	}
}

func TestUnpickleErrors(t *testing.T) {
	good, _ := cifarBatch("labels", []int{1})
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"garbage":   []byte("hello world"),
		"no STOP":   good[:len(good)-1],
		"object":    []byte("\x80\x02cos\nsystem\nU\x02lsq\x00\x85R."),
		"huge len":  []byte("\x80\x02T\xff\xff\xff\x7f."),
	} {
		if _, err := unpickle(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := unpickle([]byte("\x80\x02cos\nsystem\n)R."))
	if err == nil || !strings.Contains(err.Error(), "os.system") {
		t.Errorf("unsupported global: %v", err)
	}
	// Every prefix of a valid pickle fails cleanly.
	for i := range len(good) {
		if _, err := unpickle(good[:i]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", i)
		}
	}
}

func TestNpyErrors(t *testing.T) {
	good := npyBytes("<i8", []int{2}, int64s(1, 2))
	if a, err := parseNpy(good); err != nil {
		t.Fatal(err)
	} else if l, _ := a.ints(); !slices.Equal(l, []int{1, 2}) {
		t.Fatalf("ints %v", l)
	}
	for name, data := range map[string][]byte{
		"short data": good[:len(good)-1],
		"bad magic":  append([]byte("XNUMPY"), good[6:]...),
		"fortran":    bytes.Replace(good, []byte("False"), []byte("True "), 1),
		"structured": bytes.Replace(good, []byte("'<i8'"), []byte("[('a'"), 1),
		"header":     good[:20],
	} {
		if _, err := parseNpy(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if a, _ := parseNpy(npyBytes("<f4", []int{1}, make([]byte, 4))); a != nil {
		if _, err := a.ints(); err == nil {
			t.Error("float array read as ints")
		}
	}
}

func FuzzUnpickle(f *testing.F) {
	good, _ := cifarBatch("labels", []int{1, 2})
	f.Add(good)
	if raw, err := os.ReadFile("testdata/numpy_dict.npy"); err == nil {
		f.Add(raw[128:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := unpickle(data)
		var pe *panicError
		if errors.As(err, &pe) {
			t.Fatalf("the decoder panicked (a bug, not a malformed input): %v", pe.value)
		}
		// Decoding is a function of the bytes: a second decoding gives the same value or the same error.
		v2, err2 := unpickle(data)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) || !reflect.DeepEqual(v, v2) {
			t.Fatalf("two decodings differ: %v, %v", err, err2)
		}
		if err == nil {
			if err := checkPickleValue(v, map[any]bool{}); err != nil {
				t.Fatalf("decoded %T: %v", v, err)
			}
		}
		if a, err := parseNpy(append([]byte(npyMagic+"\x01\x00"), data...)); err == nil {
			if err := checkPickleValue(a, map[any]bool{}); err != nil {
				t.Fatalf("npy: %v", err)
			}
		}
	})
}

// checkPickleValue checks that a decoded value is made only of the types the decoder documents, and that every
// array holds exactly the bytes (or objects) its shape and dtype call for. Lists, dicts and arrays are visited
// once (the memo can make a list contain itself).
func checkPickleValue(v any, seen map[any]bool) error {
	switch v.(type) {
	case *pyList, *pyDict, *ndarray:
		if seen[v] {
			return nil
		}
		seen[v] = true
	}
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []byte, *big.Int, pyGlobal:
		return nil
	case pyTuple:
		for _, e := range x {
			if err := checkPickleValue(e, seen); err != nil {
				return err
			}
		}
	case *pyList:
		for _, e := range x.items {
			if err := checkPickleValue(e, seen); err != nil {
				return err
			}
		}
	case *pyDict:
		for _, e := range x.m {
			if err := checkPickleValue(e, seen); err != nil {
				return err
			}
		}
	case *npDtype:
		return nil
	case *ndarray:
		if x.dtype != nil && x.dtype.code != "O8" && x.objects == nil {
			if n := x.count(); n < 0 || len(x.data) != n*x.dtype.size() {
				return fmt.Errorf("array of shape %v and dtype %s holds %d bytes", x.shape, x.dtype.code, len(x.data))
			}
		}
		for _, e := range x.objects {
			if err := checkPickleValue(e, seen); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("a value of type %T, which the decoder does not document", v)
	}
	return nil
}

// TestUnpickleMarkIsNotAValue: a MARK left where a value is expected (found by FuzzUnpickle: "(." returned the
// decoder's internal marker as the file's value) is an error.
func TestUnpickleMarkIsNotAValue(t *testing.T) {
	for _, data := range []string{"\x80\x02(.", "\x80\x02](a."} {
		if v, err := unpickle([]byte(data)); err == nil {
			t.Errorf("%q decoded to %T, want an error", data, v)
		}
	}
}
