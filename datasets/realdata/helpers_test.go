package realdata

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// solid returns a w×h image filled with c.
func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// writeFile writes data to path, creating its folders.
func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeImage writes img as a JPEG or PNG, chosen by the extension of path.
func writeImage(t testing.TB, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		err = png.Encode(&buf, img)
	default:
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
}

// makeTree writes, for each folder, n tiny images named 0.<ext>, 1.<ext>, ... under root.
func makeTree(t testing.TB, root string, folders []string, n int, ext string) {
	t.Helper()
	for fi, f := range folders {
		for i := range n {
			c := color.RGBA{uint8(40 * fi), uint8(20 * i), 100, 255}
			writeImage(t, filepath.Join(root, f, string(rune('0'+i))+ext), solid(6, 5, c))
		}
	}
}

// open opens a registered dataset, failing the test on error.
func open(t testing.TB, name string, opts datasets.Options) datasets.Dataset {
	t.Helper()
	ds, err := datasets.Open(name, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	return ds
}

// labels returns the labels of every example, failing on an Example error.
func labels(t testing.TB, ds datasets.Dataset) []int {
	t.Helper()
	out := make([]int, ds.Len())
	for i := range out {
		img, l, err := ds.Example(i)
		if err != nil {
			t.Fatalf("%s: Example(%d): %v", ds.Name(), i, err)
		}
		if img == nil || img.Bounds().Empty() {
			t.Fatalf("%s: Example(%d): empty image", ds.Name(), i)
		}
		out[i] = l
	}
	return out
}

// wantMissing checks that err reports a missing path, matching fs.ErrNotExist and naming path.
func wantMissing(t testing.TB, err error, path string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error for missing %s", path)
	}
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "expected") {
		t.Fatalf("error %q: want a missing-file error naming %s and what is expected", err, path)
	}
}

// wantLayout checks that err is a LayoutError whose message contains every fragment.
func wantLayout(t testing.TB, err error, fragments ...string) {
	t.Helper()
	var le *LayoutError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T): want a *LayoutError", err, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q lacks %q", err, f)
		}
	}
}

// pickleWriter writes pickle opcodes the way Python 2's cPickle does at protocol 2 (str as BINSTRING).
type pickleWriter struct{ bytes.Buffer }

func (w *pickleWriter) op(b ...byte) *pickleWriter { w.Write(b); return w }

func (w *pickleWriter) str(s string) *pickleWriter { // SHORT_BINSTRING or BINSTRING
	if len(s) < 256 {
		return w.op('U', byte(len(s))).raw(s)
	}
	w.op('T')
	binary.Write(&w.Buffer, binary.LittleEndian, uint32(len(s)))
	return w.raw(s)
}

func (w *pickleWriter) raw(s string) *pickleWriter { w.WriteString(s); return w }

func (w *pickleWriter) int(n int) *pickleWriter {
	switch {
	case n >= 0 && n < 256:
		return w.op('K', byte(n))
	case n >= 0 && n < 65536:
		return w.op('M', byte(n), byte(n>>8))
	}
	w.op('J')
	binary.Write(&w.Buffer, binary.LittleEndian, int32(n))
	return w
}

func (w *pickleWriter) global(mod, name string) *pickleWriter {
	return w.op('c').raw(mod + "\n" + name + "\n")
}

// uint8Array writes a NumPy uint8 array of the given shape as Python 2 NumPy pickles it.
func (w *pickleWriter) uint8Array(shape []int, data []byte) *pickleWriter {
	w.global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray").int(0).op(0x85).str("b").op(0x87, 'R')
	w.op('(').int(1).op('(')
	for _, s := range shape {
		w.int(s)
	}
	w.op('t')
	w.global("numpy", "dtype").str("u1").int(0).int(1).op(0x87, 'R')
	w.op('(').int(3).str("|").op('N', 'N', 'N').int(-1).int(-1).int(0).op('t', 'b')
	return w.op(0x89).str(string(data)).op('t', 'b')
}

// intList writes a list of ints in APPENDS batches of 1000, with a memo PUT as cPickle does.
func (w *pickleWriter) intList(xs []int) *pickleWriter {
	w.op(']', 'q', 7)
	for i := 0; i < len(xs); i += 1000 {
		w.op('(')
		for _, x := range xs[i:min(i+1000, len(xs))] {
			w.int(x)
		}
		w.op('e')
	}
	return w
}

// strList writes a list of str.
func (w *pickleWriter) strList(xs []string) *pickleWriter {
	w.op(']', '(')
	for _, x := range xs {
		w.str(x)
	}
	return w.op('e')
}

// cifarBatch returns a Python-2-style pickled CIFAR batch of 32×32 images: image i has R=i, G=label, B=2i+y
// (per row y), and labelKey holds the labels.
func cifarBatch(labelKey string, labels []int) ([]byte, [][]byte) {
	data := make([]byte, 0, len(labels)*3072)
	var imgs [][]byte
	for i, l := range labels {
		img := make([]byte, 3072)
		for p := range 1024 {
			img[p], img[1024+p], img[2048+p] = byte(i), byte(l), byte(2*i+p/32)
		}
		data = append(data, img...)
		imgs = append(imgs, img)
	}
	w := &pickleWriter{}
	w.op(0x80, 2, '}', 'q', 1, '(')
	w.str("data").uint8Array([]int{len(labels), 3072}, data)
	w.str(labelKey).intList(labels)
	w.str("batch_label").str("testing batch 1 of 1")
	w.op('u', '.')
	return w.Bytes(), imgs
}

// npyBytes returns a version-1 .npy file of the given descr and shape holding data, as NumPy writes it.
func npyBytes(descr string, shape []int, data []byte) []byte {
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = strconv.Itoa(s)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + tuple + "), }"
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

// int64s encodes xs as little-endian int64.
func int64s(xs ...int) []byte {
	b := make([]byte, 8*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(int64(x)))
	}
	return b
}
