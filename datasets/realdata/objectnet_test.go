package realdata

import (
	"image"
	"image/color"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// bordered returns a w×h blue image with a 1-pixel red border, as ObjectNet's images are.
func bordered(w, h int) *image.RGBA {
	img := solid(w, h, color.RGBA{B: 255, A: 255})
	for x := range w {
		img.Set(x, 0, color.RGBA{R: 255, A: 255})
		img.Set(x, h-1, color.RGBA{R: 255, A: 255})
	}
	for y := range h {
		img.Set(0, y, color.RGBA{R: 255, A: 255})
		img.Set(w-1, y, color.RGBA{R: 255, A: 255})
	}
	return img
}

// makeObjectNet writes a small ObjectNet release: three mapped classes, one unmapped folder.
func makeObjectNet(t *testing.T, folderMapName string) string {
	loc := t.TempDir()
	base := filepath.Join(loc, "objectnet-1.0")
	writeFile(t, filepath.Join(base, "mappings", folderMapName), []byte(`{
  "squeegee": "Squeegee", "alarm_clock": "Alarm clock", "chair": "Chair", "bicycle": "Bicycle"}`))
	writeFile(t, filepath.Join(base, "mappings", "objectnet_to_imagenet_1k.json"), []byte(`{
  "Alarm clock": "analog clock; digital clock",
  "Bicycle": "mountain bike, all-terrain bike, off-roader; bicycle-built-for-two, tandem bicycle, tandem",
  "Chair": "barber chair; folding chair; rocking chair, rocker"}`))
	for _, f := range []string{"squeegee", "chair", "alarm_clock", "bicycle"} {
		writeImage(t, filepath.Join(base, "images", f, "a.png"), bordered(8, 7))
	}
	return loc
}

func TestObjectNet(t *testing.T) {
	for _, mapName := range []string{"folder_to_objectnet_label.json", "folder_to_objectnet_name.json"} {
		loc := makeObjectNet(t, mapName)
		ds := open(t, "ObjectNet", datasets.Options{Location: loc})
		if !slices.Equal(ds.ClassNames(), []string{"alarm clock", "bicycle", "chair"}) {
			t.Errorf("class names %q", ds.ClassNames())
		}
		if got := labels(t, ds); !slices.Equal(got, []int{0, 1, 2}) {
			t.Errorf("labels %v (the unmapped folder must be left out)", got)
		}
		groups := ds.(datasets.ClassGroups).SubsetClassGroups()
		want := [][]int{{409, 530}, {671, 444}, {423, 559, 765}}
		for i := range want {
			if !slices.Equal(groups[i], want[i]) {
				t.Errorf("group %d = %v, want %v", i, groups[i], want[i])
			}
		}
		if sub := ds.(datasets.ClassSubset).SubsetClasses(); !slices.Equal(sub, []int{409, 671, 423}) {
			t.Errorf("SubsetClasses = %v", sub)
		}
		img, _, err := ds.Example(0)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != 4 || b.Dy() != 3 {
			t.Fatalf("cropped size %dx%d, want 4x3 (8x7 less 2 pixels per side, PIL's crop((2, 2, w-2, h-2)))", b.Dx(), b.Dy())
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, _, bl, _ := img.At(x, y).RGBA(); r != 0 || bl != 0xffff {
					t.Fatalf("pixel (%d,%d) is not blue: the red border was not cropped", x, y)
				}
			}
		}
	}
}

func TestObjectNetErrors(t *testing.T) {
	loc := makeObjectNet(t, "folder_to_objectnet_label.json")
	mapFile := filepath.Join(loc, "objectnet-1.0", "mappings", "objectnet_to_imagenet_1k.json")
	writeFile(t, mapFile, []byte(`{"Chair": "crane"}`))
	_, err := datasets.Open("ObjectNet", datasets.Options{Location: loc})
	wantLayout(t, err, `"crane"`, "names 2 ImageNet classes")
	writeFile(t, mapFile, []byte(`{"Sofa": "studio couch, day bed"}`))
	_, err = datasets.Open("ObjectNet", datasets.Options{Location: loc})
	wantLayout(t, err, `"Sofa" has no folder`)
	writeFile(t, mapFile, []byte(`{not json`))
	_, err = datasets.Open("ObjectNet", datasets.Options{Location: loc})
	wantLayout(t, err, "not valid")
	_, err = datasets.Open("ObjectNet", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "folder_to_objectnet_label.json")
}

func TestImageNetK(t *testing.T) {
	loc := t.TempDir()
	wnids := []string{"n01440764", "n01443537", "n01484850"}
	makeTree(t, filepath.Join(loc, "imagenet", "train"), wnids, 5, ".jpg")
	makeTree(t, filepath.Join(loc, "imagenet", "val"), wnids, 1, ".jpg")
	files := func(ds datasets.Dataset) []string {
		var out []string
		fs := ds.(inOrderFolder)
		for i := range fs.Len() {
			out = append(out, fs.Path(i))
		}
		return out
	}
	a := open(t, "ImageNet2", datasets.Options{Location: loc, Split: datasets.Train, Seed: 1})
	// The paper's sampler yields the shots class by class, and its training loader does not shuffle them.
	if a.Name() != "ImageNet2" || !slices.Equal(labels(t, a), []int{0, 0, 1, 1, 2, 2}) || !datasets.TrainsInOrder(a) {
		t.Errorf("ImageNet2: name %q, labels %v, in order %v", a.Name(), labels(t, a), datasets.TrainsInOrder(a))
	}
	again := open(t, "ImageNet2", datasets.Options{Location: loc, Split: datasets.Train, Seed: 1})
	if !slices.Equal(files(a), files(again)) {
		t.Error("the same seed chose different images")
	}
	other := open(t, "ImageNet2", datasets.Options{Location: loc, Split: datasets.Train, Seed: 2})
	if slices.Equal(files(a), files(other)) {
		t.Error("seeds 1 and 2 chose the same images")
	}
	if n := open(t, "ImageNet16", datasets.Options{Location: loc, Split: datasets.Train}).Len(); n != 15 {
		t.Errorf("ImageNet16 on 5 images per class: %d examples, want all 15", n)
	}
	if n := open(t, "ImageNet16", datasets.Options{Location: loc}).Len(); n != 3 {
		t.Errorf("ImageNet16 test split: %d examples, want the 3 validation images", n)
	}
	if _, err := ImageNetK(datasets.Options{Location: loc}, 0); err == nil {
		t.Error("k = 0 accepted")
	}
}

func TestChooseIsUniformAndStable(t *testing.T) {
	// Frozen choices: they depend only on the PCG sequence, so a Go upgrade must not change them.
	if got := fewShotIndices(10, 3, 42); !slices.Equal(got, []int{3, 8, 9}) {
		t.Errorf("seed 42 keeps %v, want [3 8 9]", got)
	}
	counts := make([]int, 5)
	for c := range 5000 {
		for _, i := range fewShotIndices(5, 2, uint64(c)) {
			counts[i]++
		}
	}
	for i, n := range counts {
		if n < 1800 || n > 2200 { // each index is kept with probability 2/5
			t.Errorf("index %d chosen %d times of 5000, want about 2000", i, n)
		}
	}
}

// fewShotIndices returns the positions fewShot keeps of n samples of class 0.
func fewShotIndices(n, k int, seed uint64) []int {
	samples := make([]sample, n)
	for i := range samples {
		samples[i] = sample{dir: int32(i)}
	}
	var out []int
	for _, s := range fewShot(samples, 1, k, seed) {
		out = append(out, int(s.dir))
	}
	return out
}
