package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/templates"
)

// writeTinyIDXSet writes a 3-image, 2x3-pixel MNIST-style test split (gzip-compressed) into dir.
func writeTinyIDXSet(t *testing.T, dir string) (pix []uint8, labels []uint8) {
	t.Helper()
	pix = []uint8{
		0, 1, 2, 3, 4, 5,
		10, 20, 30, 40, 50, 60,
		255, 254, 253, 252, 251, 250,
	}
	labels = []uint8{7, 0, 9}
	for _, f := range []struct {
		name string
		dims []int
		data []uint8
	}{
		{"t10k-images-idx3-ubyte.gz", []int{3, 2, 3}, pix},
		{"t10k-labels-idx1-ubyte.gz", []int{3}, labels},
	} {
		var raw, gz bytes.Buffer
		if err := writeIDX(&raw, f.dims, f.data); err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(&gz)
		zw.Write(raw.Bytes())
		zw.Close()
		if err := os.WriteFile(filepath.Join(dir, f.name), gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pix, labels
}

func TestIDXRoundTrip(t *testing.T) {
	data := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	var raw bytes.Buffer
	if err := writeIDX(&raw, []int{2, 3, 2}, data); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	for name, stream := range map[string][]byte{"raw": raw.Bytes(), "gzip": gz.Bytes()} {
		a, err := readIDX(bytes.NewReader(stream))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(a.Dims) != 3 || a.Dims[0] != 2 || a.Dims[1] != 3 || a.Dims[2] != 2 {
			t.Errorf("%s: dims %v", name, a.Dims)
		}
		if !bytes.Equal(a.Data, data) {
			t.Errorf("%s: data %v", name, a.Data)
		}
	}
}

func TestIDXRejectsBadInput(t *testing.T) {
	var ok bytes.Buffer
	writeIDX(&ok, []int{4}, []uint8{1, 2, 3, 4})
	good := ok.Bytes()
	cases := map[string][]byte{
		"empty":       {},
		"bad magic":   append([]byte{1, 0}, good[2:]...),
		"float type":  append([]byte{0, 0, 0x0d}, good[3:]...),
		"truncated":   good[:len(good)-1],
		"zero dim":    {0, 0, 8, 1, 0, 0, 0, 0},
		"huge dim":    {0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"short dims":  {0, 0, 8, 3, 0, 0, 0, 1},
		"no elements": {0, 0, 8, 0},
	}
	for name, b := range cases {
		if _, err := readIDX(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := writeIDX(&bytes.Buffer{}, []int{2, 2}, []uint8{1}); err == nil {
		t.Error("writeIDX accepted a size mismatch")
	}
}

func TestLoadIDXPairFromTinyFiles(t *testing.T) {
	dir := t.TempDir()
	pix, labels := writeTinyIDXSet(t, dir)
	g, err := loadIDXPair("Tiny", []string{filepath.Join(dir, "absent"), dir}, Test, "make it")
	if err != nil {
		t.Fatal(err)
	}
	if g.len() != 3 || g.w != 3 || g.h != 2 {
		t.Fatalf("got %d images of %dx%d", g.len(), g.w, g.h)
	}
	ds := &InMemory{name: "Tiny", classes: DigitClassNames, templates: templates.Digit, data: g}
	for i := 0; i < 3; i++ {
		img, label, err := ds.Example(i)
		if err != nil {
			t.Fatal(err)
		}
		if label != int(labels[i]) {
			t.Errorf("label %d = %d, want %d", i, label, labels[i])
		}
		if b := img.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
			t.Errorf("image %d is %v", i, b)
		}
		if !bytes.Equal(ds.data.gray(i).Pix, pix[i*6:(i+1)*6]) {
			t.Errorf("pixels of %d differ", i)
		}
	}
	// Returned images are copies: scribbling on one leaves the dataset intact.
	img, _, _ := ds.Example(0)
	img.(*image.Gray).Pix[0] = 99
	if again, _, _ := ds.Example(0); again.(*image.Gray).Pix[0] != pix[0] {
		t.Error("Example returned shared pixels")
	}

	// A missing label file is a MissingFileError naming the file and the step.
	os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	_, err = readIDXPair("Tiny", filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), "make it")
	var missing *MissingFileError
	if !errors.As(err, &missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("want a MissingFileError, got %v", err)
	}
	if !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz") || !strings.Contains(err.Error(), "make it") {
		t.Errorf("error does not name the file and step: %v", err)
	}
}

func TestMissingDataErrors(t *testing.T) {
	dir := t.TempDir()
	for name, step := range map[string]string{"MNIST": "GoMNIST", "UCIDigits": "python3-sklearn", "MNIST-Rotated": "GoMNIST"} {
		_, err := Open(name, Options{Location: dir})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: want a not-exist error, got %v", name, err)
			continue
		}
		if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "setup-data.sh") || !strings.Contains(err.Error(), step) {
			t.Errorf("%s: error does not say which file and which step: %v", name, err)
		}
	}
}
