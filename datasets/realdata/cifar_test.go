package realdata

import (
	"archive/zip"
	"bytes"
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// metaPickle returns a Python-2-style pickled meta dict with key → names.
func metaPickle(key string, names []string) []byte {
	w := &pickleWriter{}
	w.op(0x80, 2, '}', '(').str(key).strList(names).str("num_vis").int(3072).op('u', '.')
	return w.Bytes()
}

// checkPlanarImage checks that example i of ds is the 32×32 image whose R, G, B planes are src.
func checkPlanarImage(t *testing.T, ds datasets.Dataset, i int, src []byte) {
	t.Helper()
	img, _, err := ds.Example(i)
	if err != nil {
		t.Fatal(err)
	}
	rgba := img.(*image.RGBA)
	for _, p := range []int{0, 33, 1023} {
		x, y := p%32, p/32
		c := rgba.RGBAAt(x, y)
		if c.R != src[p] || c.G != src[1024+p] || c.B != src[2048+p] || c.A != 255 {
			t.Fatalf("%s example %d pixel (%d,%d) = %v, want planes %d %d %d", ds.Name(), i, x, y, c, src[p],
				src[1024+p], src[2048+p])
		}
	}
}

func TestCIFAR10(t *testing.T) {
	loc := t.TempDir()
	dir := filepath.Join(loc, "cifar-10-batches-py")
	var trainImgs [][]byte
	for b := 1; b <= 5; b++ {
		raw, imgs := cifarBatch("labels", []int{b, 9 - b})
		writeFile(t, filepath.Join(dir, "data_batch_"+string(rune('0'+b))), raw)
		trainImgs = append(trainImgs, imgs...)
	}
	raw, testImgs := cifarBatch("labels", []int{7, 0, 3})
	writeFile(t, filepath.Join(dir, "test_batch"), raw)
	writeFile(t, filepath.Join(dir, "batches.meta"), metaPickle("label_names", CIFAR10ClassNames))

	train := open(t, "CIFAR10", datasets.Options{Location: loc, Split: datasets.Train})
	if got := labels(t, train); !slices.Equal(got, []int{1, 8, 2, 7, 3, 6, 4, 5, 5, 4}) {
		t.Errorf("train labels %v", got)
	}
	checkPlanarImage(t, train, 9, trainImgs[9])
	test := open(t, "CIFAR10", datasets.Options{Location: loc})
	if got := labels(t, test); !slices.Equal(got, []int{7, 0, 3}) {
		t.Errorf("test labels %v", got)
	}
	checkPlanarImage(t, test, 1, testImgs[1])
	if !slices.Equal(test.ClassNames(), CIFAR10ClassNames) || len(test.Templates()) != 18 {
		t.Errorf("class names %v, %d templates", test.ClassNames(), len(test.Templates()))
	}
	if n := open(t, "CIFAR10", datasets.Options{Location: loc, Split: datasets.Train, Limit: 3}).Len(); n != 3 {
		t.Errorf("limit 3: %d examples", n)
	}

	// Errors: a meta file with the wrong class count, a corrupt batch, a missing batch.
	writeFile(t, filepath.Join(dir, "batches.meta"), metaPickle("label_names", []string{"a", "b"}))
	_, err := datasets.Open("CIFAR10", datasets.Options{Location: loc})
	wantLayout(t, err, "lists 2 classes, want 10")
	os.Remove(filepath.Join(dir, "batches.meta"))
	writeFile(t, filepath.Join(dir, "test_batch"), raw[:len(raw)/2])
	_, err = datasets.Open("CIFAR10", datasets.Options{Location: loc})
	wantLayout(t, err, "test_batch", "unexpected end")
	bad, _ := cifarBatch("labels", []int{10})
	writeFile(t, filepath.Join(dir, "test_batch"), bad)
	if _, err = datasets.Open("CIFAR10", datasets.Options{Location: loc}); err == nil {
		t.Error("label 10 accepted")
	}
	os.Remove(filepath.Join(dir, "data_batch_3"))
	_, err = datasets.Open("CIFAR10", datasets.Options{Location: loc, Split: datasets.Train})
	wantMissing(t, err, "data_batch_3")
	_, err = datasets.Open("CIFAR10", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "cifar-10-batches-py")
}

func TestCIFAR100(t *testing.T) {
	loc := t.TempDir()
	dir := filepath.Join(loc, "cifar-100-python")
	raw, imgs := cifarBatch("fine_labels", []int{99, 0})
	writeFile(t, filepath.Join(dir, "train"), raw)
	writeFile(t, filepath.Join(dir, "test"), raw)
	names := make([]string, 100)
	for i := range names {
		names[i] = "c"
	}
	writeFile(t, filepath.Join(dir, "meta"), metaPickle("fine_label_names", names))
	for _, split := range []datasets.Split{datasets.Train, datasets.Test} {
		ds := open(t, "CIFAR100", datasets.Options{Location: loc, Split: split})
		if got := labels(t, ds); !slices.Equal(got, []int{99, 0}) || len(ds.ClassNames()) != 100 {
			t.Errorf("%s labels %v", split, got)
		}
		checkPlanarImage(t, ds, 0, imgs[0])
	}
	// The NumPy-written (Python 3) pickle is read too, up to its non-CIFAR shape.
	fixture, _ := os.ReadFile("testdata/numpy_batch.pickle")
	writeFile(t, filepath.Join(dir, "test"), fixture)
	_, err := datasets.Open("CIFAR100", datasets.Options{Location: loc})
	wantLayout(t, err, "shape [N, 3072]", "[2 12]")
}

// hwcImages returns n 32×32×3 images, pixel value (i*7 + offset) % 256.
func hwcImages(n int) []byte {
	b := make([]byte, n*3072)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestCIFAR101(t *testing.T) {
	loc := t.TempDir()
	dir := filepath.Join(loc, "CIFAR-10.1")
	pix := hwcImages(3)
	writeFile(t, filepath.Join(dir, "cifar10.1_v6_data.npy"), npyBytes("|u1", []int{3, 32, 32, 3}, pix))
	writeFile(t, filepath.Join(dir, "cifar10.1_v6_labels.npy"), npyBytes("<i8", []int{3}, int64s(2, 9, 0)))
	ds := open(t, "CIFAR101", datasets.Options{Location: loc})
	if got := labels(t, ds); !slices.Equal(got, []int{2, 9, 0}) {
		t.Errorf("labels %v", got)
	}
	img, _, _ := ds.Example(2)
	if c := img.(*image.RGBA).RGBAAt(1, 1); c.R != pix[2*3072+33*3] || c.G != pix[2*3072+33*3+1] || c.B != pix[2*3072+33*3+2] {
		t.Errorf("pixel (1,1) of image 2 = %v", c)
	}
	writeFile(t, filepath.Join(dir, "cifar10.1_v6_labels.npy"), npyBytes("<i8", []int{2}, int64s(2, 9)))
	_, err := datasets.Open("CIFAR101", datasets.Options{Location: loc})
	wantLayout(t, err, "3 images but 2 labels")
	os.Remove(filepath.Join(dir, "cifar10.1_v6_labels.npy"))
	_, err = datasets.Open("CIFAR101", datasets.Options{Location: loc})
	wantMissing(t, err, "cifar10.1_v6_labels.npy")
}

func TestCIFAR102(t *testing.T) {
	loc := t.TempDir()
	dir := filepath.Join(loc, "CIFAR-10.2")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{
		"images.npy": npyBytes("|u1", []int{2, 32, 32, 3}, hwcImages(2)),
		"labels.npy": npyBytes("<i8", []int{2}, int64s(5, 6)),
	} {
		f, _ := zw.Create(name)
		f.Write(data)
	}
	zw.Close()
	writeFile(t, filepath.Join(dir, "cifar102_train.npz"), buf.Bytes())
	if got := labels(t, open(t, "CIFAR102", datasets.Options{Location: loc, Split: datasets.Train})); !slices.Equal(got, []int{5, 6}) {
		t.Errorf("train labels %v", got)
	}
	// The paper code's layout: a .npy holding a pickled dict (written by NumPy).
	fixture, _ := os.ReadFile("testdata/numpy_dict.npy")
	writeFile(t, filepath.Join(dir, "cifar102_test.npy"), fixture)
	ds := open(t, "CIFAR102", datasets.Options{Location: loc})
	if got := labels(t, ds); !slices.Equal(got, []int{4}) {
		t.Errorf("test labels %v", got)
	}
	img, _, _ := ds.Example(0)
	if c := img.(*image.RGBA).RGBAAt(0, 1); c.R != 96 || c.G != 97 || c.B != 98 {
		t.Errorf("pixel (0,1) = %v, want 96 97 98", c)
	}
	writeFile(t, filepath.Join(dir, "cifar102_train.npz"), []byte("PK not a zip"))
	_, err := datasets.Open("CIFAR102", datasets.Options{Location: loc, Split: datasets.Train})
	wantLayout(t, err, "cifar102_train.npz", "npz")
	_, err = datasets.Open("CIFAR102", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "cifar102_test.npz")
}
