package datasets

import (
	"image"
	"sort"
	"strings"
	"testing"
)

// constDataset is a tiny in-code dataset for registry and wrapper tests.
type constDataset struct{ n int }

func (d constDataset) Name() string         { return "Const" }
func (d constDataset) ClassNames() []string { return []string{"a", "b"} }
func (d constDataset) Templates() []string  { return []string{"{}"} }
func (d constDataset) Len() int             { return d.n }
func (d constDataset) Example(i int) (image.Image, int, error) {
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	img.Pix[0] = uint8(i)
	return img, i % 2, nil
}

func TestRegisteredNames(t *testing.T) {
	names := Names()
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names not sorted: %v", names)
	}
	want := []string{"MNIST", "MNIST-Rotated", "MNIST-Inverted", "MNIST-Colour", "MNIST-Sketch", "MNIST-Noise",
		"MNIST-LowRes", "UCIDigits", "FontDigits", "FashionMNIST", "FashionMNIST-Rotated", "FashionMNIST-Scaled"}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("%s not registered", w)
		}
	}
}

func TestOpenUnknownListsNames(t *testing.T) {
	_, err := Open("ImageNet-Z", Options{})
	if err == nil {
		t.Fatal("no error for an unknown name")
	}
	msg := err.Error()
	if !strings.Contains(msg, "ImageNet-Z") || !strings.Contains(msg, strings.Join(Names(), ", ")) {
		t.Errorf("error does not list the known names in order: %v", err)
	}
}

func TestRegisterOpenLimitAndDefaults(t *testing.T) {
	var got Options
	Register("test-const", func(o Options) (Dataset, error) { got = o; return constDataset{n: 10}, nil })
	defer func() {
		registryMu.Lock()
		delete(registry, "test-const")
		registryMu.Unlock()
	}()
	ds, err := Open("test-const", Options{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.Location != defaultLocation() || got.Split != Test {
		t.Errorf("defaults not applied: %+v", got)
	}
	if ds.Len() != 3 {
		t.Errorf("Len = %d, want 3", ds.Len())
	}
	if _, _, err := ds.Example(3); err == nil {
		t.Error("Example past the limit did not fail")
	}
	if img, _, err := ds.Example(2); err != nil || img.(*image.Gray).Pix[0] != 2 {
		t.Errorf("Example(2) = %v, %v", img, err)
	}
	if ds, _ := Open("test-const", Options{Limit: 100}); ds.Len() != 10 {
		t.Errorf("a limit above the length changed it: %d", ds.Len())
	}
	if _, err := Open("test-const", Options{Split: "validation"}); err == nil {
		t.Error("unknown split accepted")
	}
	if _, err := Open("test-const", Options{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("registering a name twice did not panic")
			}
		}()
		Register("test-const", func(Options) (Dataset, error) { return nil, nil })
	}()
}

func TestRename(t *testing.T) {
	ds := Rename(constDataset{n: 2}, "Other", []string{"x {}"})
	if ds.Name() != "Other" || ds.Templates()[0] != "x {}" || ds.Len() != 2 || ds.ClassNames()[1] != "b" {
		t.Errorf("Rename: %s %v %d %v", ds.Name(), ds.Templates(), ds.Len(), ds.ClassNames())
	}
	if Rename(constDataset{n: 2}, "Other", nil).Templates()[0] != "{}" {
		t.Error("Rename with nil templates did not keep the base's")
	}
}

func TestSlice(t *testing.T) {
	base := Limit(mustGrayDataset(t, 10), 10)
	s := Slice(base, 3, 7)
	if s.Len() != 4 {
		t.Fatalf("Len = %d", s.Len())
	}
	_, l0, err := s.Example(0)
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := base.Example(3)
	if l0 != want {
		t.Errorf("Slice(3,7).Example(0) label %d, want base example 3's %d", l0, want)
	}
	if _, _, err := s.Example(4); err == nil {
		t.Error("index past the slice accepted")
	}
	if Slice(base, 8, 100).Len() != 2 || Slice(base, 5, 2).Len() != 0 {
		t.Error("bounds not clamped")
	}
}

// mustGrayDataset makes an in-memory dataset of n 2x2 images with labels i mod 3.
func mustGrayDataset(t *testing.T, n int) Dataset {
	t.Helper()
	imgs := make([]*image.Gray, n)
	labels := make([]int, n)
	for i := range imgs {
		imgs[i] = image.NewGray(image.Rect(0, 0, 2, 2))
		imgs[i].Pix[0] = uint8(i)
		labels[i] = i % 3
	}
	ds, err := NewInMemory("toy", []string{"a", "b", "c"}, []string{"{}"}, imgs, labels)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
