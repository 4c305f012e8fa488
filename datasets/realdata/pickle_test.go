package realdata

import (
	"bytes"
	"os"
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
		unpickle(data) // must not panic
		parseNpy(append([]byte(npyMagic+"\x01\x00"), data...))
	})
}
