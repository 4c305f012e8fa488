package realdata

import (
	"image"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

func fakeDigits(t *testing.T, n int) datasets.Dataset {
	t.Helper()
	imgs := make([]*image.Gray, n)
	labels := make([]int, n)
	for i := range imgs {
		imgs[i] = image.NewGray(image.Rect(0, 0, 4, 4))
		imgs[i].Pix[i%16] = 255
		labels[i] = i % 3
	}
	ds, err := datasets.NewInMemory("fake", []string{"a", "b", "c/d"}, []string{"{}"}, imgs, labels)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestImageFolderRoundTrip writes a dataset as a folder and opens it again in both layouts.
func TestImageFolderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := fakeDigits(t, 9)
	if err := WriteImageFolder(src, 2, dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteImageFolder(src, 2, dir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("writing over the same files: err = %v, want a refusal", err)
	}
	ds, labelled, err := ImageFolder(dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !labelled || ds.Len() != 6 || strings.Join(ds.ClassNames(), ",") != "a,b,c_d" {
		t.Fatalf("folder: labelled %v, %d images, classes %v", labelled, ds.Len(), ds.ClassNames())
	}
	// Class-interleaved: a, b, c_d, a, b, c_d; example 5 is the second image of class 2 (source index 5).
	img, label, err := ds.Example(5)
	if err != nil || label != 2 || img.Bounds().Dx() != 4 {
		t.Fatalf("example 5: label %d, %v, %v", label, img.Bounds(), err)
	}
	// Source image 5 has its one bright pixel at (1, 1).
	if r, _, _, _ := img.At(1, 1).RGBA(); r != 0xffff {
		t.Errorf("example 5 does not read back the written pixels (pixel (1, 1) = %#x)", r)
	}
	if ds, _, _ := ImageFolder(dir, []string{"A", "B", "C"}, 1); ds.Len() != 3 || ds.ClassNames()[1] != "B" {
		t.Errorf("renamed, limited folder: %d images, %v", ds.Len(), ds.ClassNames())
	}
	if _, _, err := ImageFolder(dir, []string{"A"}, 0); err == nil || !strings.Contains(err.Error(), "3 class folders but 1") {
		t.Errorf("wrong number of class names: err = %v", err)
	}
	flat := filepath.Join(dir, "a")
	if _, _, err := ImageFolder(flat, nil, 0); err == nil || !strings.Contains(err.Error(), "candidate class names") {
		t.Errorf("flat folder without class names: err = %v", err)
	}
	ds, labelled, err = ImageFolder(flat, []string{"cat", "dog"}, 0)
	if err != nil || labelled || ds.Len() != 2 || strings.Join(ds.ClassNames(), ",") != "cat,dog" {
		t.Errorf("flat folder: %v, labelled %v", err, labelled)
	}
	if _, _, err := ImageFolder(t.TempDir(), []string{"x"}, 0); err == nil {
		t.Errorf("empty folder: want an error")
	}
	if _, _, err := ImageFolder(filepath.Join(dir, "nope"), []string{"x"}, 0); err == nil {
		t.Errorf("missing folder: want an error")
	}
}
