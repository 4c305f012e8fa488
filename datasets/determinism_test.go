package datasets

import (
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"sync"
	"testing"
)

// seededNames are the registered sets whose pixels depend on the seed.
var seededNames = []string{"MNIST-Rotated", "MNIST-Colour", "MNIST-Noise", "MNIST-LowRes", "MNIST-Blur",
	"MNIST-Texture", "MNIST-Scaled", "FontDigits", "FontLetters"}

// openForTest opens name with a limit, or returns nil when its data is missing (and not required).
func openForTest(t *testing.T, name string, seed uint64) Dataset {
	t.Helper()
	ds, err := Open(name, Options{Location: testDataDir(t), Seed: seed, Limit: 40})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !requireData() {
			return nil
		}
		t.Fatalf("%s: %v", name, err)
	}
	return ds
}

func TestDeterministicAndLabelled(t *testing.T) {
	for _, name := range Names() {
		a, b := openForTest(t, name, 3), openForTest(t, name, 3)
		if a == nil {
			t.Logf("%s: data missing, skipped", name)
			continue
		}
		if a.Name() != name {
			t.Errorf("dataset opened as %s calls itself %s", name, a.Name())
		}
		for i := 0; i < a.Len(); i++ {
			ia, la, err := a.Example(i)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ib, lb, _ := b.Example(i)
			ia2, la2, _ := a.Example(i)
			if la != lb || la != la2 || !bytes.Equal(pixels(ia), pixels(ib)) || !bytes.Equal(pixels(ia), pixels(ia2)) {
				t.Fatalf("%s: example %d differs between calls", name, i)
			}
			if la < 0 || la >= len(a.ClassNames()) {
				t.Fatalf("%s: label %d out of range", name, la)
			}
		}
		if _, _, err := a.Example(a.Len()); err == nil {
			t.Errorf("%s: Example(Len()) did not fail", name)
		}
		if _, _, err := a.Example(-1); err == nil {
			t.Errorf("%s: Example(-1) did not fail", name)
		}
	}
}

func TestSeedChangesPixels(t *testing.T) {
	for _, name := range seededNames {
		a, b := openForTest(t, name, 1), openForTest(t, name, 2)
		if a == nil {
			continue
		}
		same := 0
		for i := 0; i < 10; i++ {
			ia, la, _ := a.Example(i)
			ib, lb, _ := b.Example(i)
			if la != lb {
				t.Errorf("%s: the seed changed label %d", name, i)
			}
			if bytes.Equal(pixels(ia), pixels(ib)) {
				same++
			}
		}
		// Discrete parameters (LowRes has four sizes) may coincide now and then; most examples must differ.
		if same > 5 {
			t.Errorf("%s: %d of 10 examples identical under different seeds", name, same)
		}
	}
}

func TestShiftsKeepLabels(t *testing.T) {
	base := openForTest(t, "MNIST", 0)
	if base == nil {
		t.Skip("MNIST missing")
	}
	for _, s := range MNISTShifts {
		ds := openForTest(t, s.Name, 0)
		for i := 0; i < ds.Len(); i++ {
			_, l0, _ := base.Example(i)
			_, l1, _ := ds.Example(i)
			if l0 != l1 {
				t.Fatalf("%s: label %d is %d, MNIST's is %d", s.Name, i, l1, l0)
			}
		}
	}
}

// TestFashionShiftsAreMNISTShiftsCorruptions checks that each Fashion-MNIST shift keeps Fashion-MNIST's labels,
// class names and templates, and that its seed-free corruptions give exactly the pixels the corruption makes of
// the Fashion-MNIST image (inversion by hand: 255 − v).
func TestFashionShiftsAreMNISTShiftsCorruptions(t *testing.T) {
	base := openForTest(t, "FashionMNIST", 0)
	if base == nil {
		t.Skip("Fashion-MNIST missing")
	}
	if len(FashionShifts) != len(MNISTShifts) {
		t.Fatalf("%d Fashion-MNIST shifts for %d MNIST shifts", len(FashionShifts), len(MNISTShifts))
	}
	for k, s := range FashionShifts {
		if want := "FashionMNIST" + MNISTShifts[k].Name[len("MNIST"):]; s.Name != want {
			t.Errorf("shift %d is named %s, want %s", k, s.Name, want)
		}
		ds := openForTest(t, s.Name, 0)
		if !slices.Equal(ds.ClassNames(), FashionClassNames) || !slices.Equal(ds.Templates(), base.Templates()) {
			t.Errorf("%s: class names %v, templates %v", s.Name, ds.ClassNames(), ds.Templates())
		}
		for i := 0; i < ds.Len(); i++ {
			img0, l0, _ := base.Example(i)
			img1, l1, _ := ds.Example(i)
			if l0 != l1 {
				t.Fatalf("%s: label %d is %d, Fashion-MNIST's is %d", s.Name, i, l1, l0)
			}
			if s.Name == "FashionMNIST-Inverted" {
				p0, p1 := pixels(img0), pixels(img1)
				for j := range p0 {
					if p1[j] != 255-p0[j] {
						t.Fatalf("%s example %d pixel %d: %d, want 255 − %d", s.Name, i, j, p1[j], p0[j])
					}
				}
			}
		}
	}
}

func TestConcurrentExamples(t *testing.T) {
	for _, name := range []string{"MNIST-Texture", "FontDigits"} {
		ds := openForTest(t, name, 9)
		if ds == nil {
			continue
		}
		want := make([][]byte, ds.Len())
		for i := range want {
			img, _, _ := ds.Example(i)
			want[i] = append([]byte(nil), pixels(img)...)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 8*ds.Len())
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < ds.Len(); k++ {
					i := (k*7 + g) % ds.Len()
					img, _, err := ds.Example(i)
					if err != nil || !bytes.Equal(pixels(img), want[i]) {
						errs <- name
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if n := len(errs); n > 0 {
			t.Errorf("%s: %d concurrent examples differ", name, n)
		}
	}
}
