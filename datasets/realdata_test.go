package datasets

import (
	"image"
	"testing"
)

// checkDigitSet checks length, image size and type, labels and class balance of a 10-class grayscale set.
func checkDigitSet(t *testing.T, ds Dataset, wantLen int, classes []string) {
	t.Helper()
	if ds.Len() != wantLen {
		t.Errorf("%s: Len = %d, want %d", ds.Name(), ds.Len(), wantLen)
	}
	if len(ds.ClassNames()) != len(classes) || ds.ClassNames()[0] != classes[0] {
		t.Errorf("%s: class names %v", ds.Name(), ds.ClassNames())
	}
	if len(ds.Templates()) == 0 {
		t.Errorf("%s: no templates", ds.Name())
	}
	counts := make([]int, len(classes))
	var labels []int
	if m, ok := ds.(*InMemory); ok {
		labels = m.Labels()
	}
	for i := 0; i < ds.Len(); i++ {
		var label int
		if labels != nil && i%97 != 0 {
			label = labels[i]
		} else {
			img, l, err := ds.Example(i)
			if err != nil {
				t.Fatal(err)
			}
			g, ok := img.(*image.Gray)
			if !ok || g.Bounds().Dx() != 28 || g.Bounds().Dy() != 28 {
				t.Fatalf("%s: example %d is %T %v, want 28x28 *image.Gray", ds.Name(), i, img, img.Bounds())
			}
			label = l
		}
		if label < 0 || label >= len(classes) {
			t.Fatalf("%s: label %d of example %d out of range", ds.Name(), label, i)
		}
		counts[label]++
	}
	for c, n := range counts {
		if n < ds.Len()/len(classes)/2 {
			t.Errorf("%s: class %d has only %d of %d examples", ds.Name(), c, n, ds.Len())
		}
	}
}

func TestMNIST(t *testing.T) {
	checkDigitSet(t, openOrSkip(t, "MNIST", Options{Split: Train}), MNISTTrainSize, DigitClassNames)
	val := openOrSkip(t, "MNIST-Val", Options{Split: Test})
	checkDigitSet(t, val, MNISTValEnd-MNISTTrainSize, DigitClassNames)
	raw, err := LoadMNIST(testDataDir(t), Train)
	if err != nil {
		t.Fatal(err)
	}
	// MNIST-Val is the part of the raw training split right after the fine-tuning part.
	vimg, vl, _ := val.Example(0)
	rimg, rl, _ := raw.Example(MNISTTrainSize)
	if vl != rl || string(vimg.(*image.Gray).Pix) != string(rimg.(*image.Gray).Pix) {
		t.Error("MNIST-Val does not start at raw training example MNISTTrainSize")
	}
	test := openOrSkip(t, "MNIST", Options{Split: Test})
	checkDigitSet(t, test, 10000, DigitClassNames)
	// The first test digits of MNIST are 7, 2, 1, 0, 4 (the well-known start of t10k).
	for i, want := range []int{7, 2, 1, 0, 4} {
		if _, l, _ := test.Example(i); l != want {
			t.Errorf("MNIST test label %d = %d, want %d", i, l, want)
		}
	}
	img, _, _ := test.Example(0)
	g := img.(*image.Gray)
	if g.Pix[0] != 0 || maxPix(g.Pix) < 250 {
		t.Errorf("MNIST test image 0 does not look like white ink on black")
	}
}

func TestFashionMNIST(t *testing.T) {
	checkDigitSet(t, openOrSkip(t, "FashionMNIST", Options{Split: Train}), 60000, FashionClassNames)
	checkDigitSet(t, openOrSkip(t, "FashionMNIST", Options{Split: Test}), 10000, FashionClassNames)
}

func TestUCIDigits(t *testing.T) {
	train := openOrSkip(t, "UCIDigits", Options{Split: Train})
	test := openOrSkip(t, "UCIDigits", Options{Split: Test})
	checkDigitSet(t, train, 1348, DigitClassNames)
	checkDigitSet(t, test, 449, DigitClassNames)
	// The frame around the 20x20 digit box is black.
	img, _, _ := test.Example(0)
	g := img.(*image.Gray)
	for x := 0; x < 28; x++ {
		if g.Pix[x] != 0 || g.Pix[27*28+x] != 0 {
			t.Fatal("UCI digit touches the frame")
		}
	}
	if maxPix(g.Pix) < 200 {
		t.Errorf("UCI digit is faint: max %d", maxPix(g.Pix))
	}
}

func maxPix(p []uint8) uint8 {
	m := uint8(0)
	for _, v := range p {
		m = max(m, v)
	}
	return m
}
