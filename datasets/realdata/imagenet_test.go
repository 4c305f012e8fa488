package realdata

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

func TestImageNetTrainAndVal(t *testing.T) {
	loc := t.TempDir()
	wnids := []string{"n01440764", "n01443537", "n15075141"}
	makeTree(t, filepath.Join(loc, "imagenet", "train"), wnids, 3, ".JPEG")
	makeTree(t, filepath.Join(loc, "imagenet", "val"), wnids, 2, ".JPEG")
	writeImage(t, filepath.Join(loc, "imagenet", "val", wnids[2], "extra.png"), solid(7, 7, color.RGBA{A: 255}))
	writeFile(t, filepath.Join(loc, "imagenet", "val", wnids[2], "README.txt"), []byte("not an image"))

	train := open(t, "ImageNet", datasets.Options{Location: loc, Split: datasets.Train})
	if got := labels(t, train); !slices.Equal(got, []int{0, 1, 999, 0, 1, 999, 0, 1, 999}) {
		t.Errorf("train labels %v: want class-interleaved 0, 1, 999, ...", got)
	}
	val := open(t, "ImageNet", datasets.Options{Location: loc})
	if got := labels(t, val); !slices.Equal(got, []int{0, 1, 999, 0, 1, 999, 999}) {
		t.Errorf("val labels %v", got)
	}
	if len(val.ClassNames()) != 1000 || val.ClassNames()[999] != "toilet paper" {
		t.Errorf("class names: %d, last %q", len(val.ClassNames()), val.ClassNames()[999])
	}
	if !slices.Equal(val.Templates(), templates.OpenAIImageNet) || val.Name() != "ImageNet" {
		t.Errorf("name %q, %d templates", val.Name(), len(val.Templates()))
	}
	img, _, err := val.Example(0)
	if err != nil || img.Bounds().Dx() != 6 || img.Bounds().Dy() != 5 {
		t.Errorf("Example(0): %v, %v", img.Bounds(), err)
	}
	if _, ok := val.(datasets.ClassSubset); ok {
		t.Error("ImageNet must not be a ClassSubset")
	}
	// A limit keeps a class-interleaved prefix.
	lim := open(t, "ImageNet", datasets.Options{Location: loc, Limit: 3})
	if got := labels(t, lim); !slices.Equal(got, []int{0, 1, 999}) {
		t.Errorf("limited labels %v", got)
	}
	// val_in_folder, when present, is preferred (as in the paper's code).
	makeTree(t, filepath.Join(loc, "imagenet", "val_in_folder"), wnids[:1], 1, ".jpg")
	if n := open(t, "ImageNet", datasets.Options{Location: loc}).Len(); n != 1 {
		t.Errorf("val_in_folder: %d examples, want 1", n)
	}
}

func TestImageNetErrors(t *testing.T) {
	loc := t.TempDir()
	_, err := datasets.Open("ImageNet", datasets.Options{Location: loc})
	wantMissing(t, err, filepath.Join(loc, "imagenet", "val"))

	// A flat validation folder (images not sorted into classes).
	writeImage(t, filepath.Join(loc, "imagenet", "val", "ILSVRC2012_val_00000001.JPEG"), solid(4, 4, color.RGBA{A: 255}))
	_, err = datasets.Open("ImageNet", datasets.Options{Location: loc})
	wantLayout(t, err, "1 image files lie directly", "sub-folder per class", "<wnid>")

	// A folder that is not an ImageNet class.
	makeTree(t, filepath.Join(loc, "imagenet", "val"), []string{"n01440764", "cats"}, 1, ".jpg")
	_, err = datasets.Open("ImageNet", datasets.Options{Location: loc})
	wantLayout(t, err, `"cats"`, "not classes of ImageNet")

	// Class folders without images.
	os.RemoveAll(filepath.Join(loc, "imagenet"))
	os.MkdirAll(filepath.Join(loc, "imagenet", "val", "n01440764"), 0o755)
	_, err = datasets.Open("ImageNet", datasets.Options{Location: loc})
	wantLayout(t, err, "no image files")

	// A file where the folder should be.
	os.RemoveAll(filepath.Join(loc, "imagenet"))
	writeFile(t, filepath.Join(loc, "imagenet", "val"), []byte("x"))
	_, err = datasets.Open("ImageNet", datasets.Options{Location: loc})
	wantLayout(t, err, "not a folder")

	// Evaluation-only sets refuse the training split.
	_, err = datasets.Open("ImageNetV2", datasets.Options{Location: loc, Split: datasets.Train})
	if err == nil || !strings.Contains(err.Error(), "only an evaluation split") {
		t.Errorf("ImageNetV2 train split: %v", err)
	}
}

func TestCorruptImageFailsOnlyItsIndex(t *testing.T) {
	loc := t.TempDir()
	root := filepath.Join(loc, "sketch")
	makeTree(t, root, []string{"n01440764", "n01443537"}, 2, ".jpg")
	bad := filepath.Join(root, "n01443537", "1.jpg")
	writeFile(t, bad, []byte("\xff\xd8\xff\xe0 this is not a JPEG"))
	ds := open(t, "ImageNetSketch", datasets.Options{Location: loc})
	if ds.Len() != 4 {
		t.Fatalf("Len = %d", ds.Len())
	}
	for i := range ds.Len() {
		_, _, err := ds.Example(i)
		if (i == 3) != (err != nil) {
			t.Errorf("Example(%d): error %v", i, err)
		}
		if err != nil && (!strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "ImageNetSketch")) {
			t.Errorf("error %q does not name the dataset and file", err)
		}
	}
	if _, _, err := ds.Example(4); err == nil {
		t.Error("index out of range accepted")
	}
}

func TestImageNetV2(t *testing.T) {
	loc := t.TempDir()
	root := filepath.Join(loc, "imagenetv2-matched-frequency-format-val")
	makeTree(t, root, []string{"0", "1", "999"}, 2, ".jpeg")
	ds := open(t, "ImageNetV2", datasets.Options{Location: loc})
	if got := labels(t, ds); !slices.Equal(got, []int{0, 1, 999, 0, 1, 999}) {
		t.Errorf("labels %v", got)
	}
	makeTree(t, root, []string{"1000"}, 1, ".jpeg")
	_, err := datasets.Open("ImageNetV2", datasets.Options{Location: loc})
	wantLayout(t, err, `"1000"`)
}

func TestImageNetRAndA(t *testing.T) {
	for _, c := range []struct {
		name, dir string
		subset    []int
	}{{"ImageNetR", "imagenet-r", ImageNetRClasses}, {"ImageNetA", "imagenet-a", ImageNetAClasses}} {
		loc := t.TempDir()
		root := filepath.Join(loc, c.dir)
		makeTree(t, root, []string{ImageNetWNIDs[c.subset[0]], ImageNetWNIDs[c.subset[199]]}, 1, ".jpg")
		for _, limit := range []int{0, 1} {
			ds := open(t, c.name, datasets.Options{Location: loc, Limit: limit})
			sub, ok := ds.(datasets.ClassSubset)
			if !ok {
				t.Fatalf("%s (limit %d) is not a ClassSubset", c.name, limit)
			}
			if !slices.Equal(sub.SubsetClasses(), c.subset) {
				t.Errorf("%s: SubsetClasses differ from the 200-class list", c.name)
			}
			if len(ds.ClassNames()) != 200 || ds.ClassNames()[0] != ImageNetClassNames[c.subset[0]] {
				t.Errorf("%s: class names %d, first %q", c.name, len(ds.ClassNames()), ds.ClassNames()[0])
			}
			want := []int{0, 199}[:ds.Len()]
			if got := labels(t, ds); !slices.Equal(got, want) {
				t.Errorf("%s: labels %v, want %v", c.name, got, want)
			}
		}
		// An ImageNet class outside the 200 is a layout error.
		outside := 0
		for slices.Contains(c.subset, outside) {
			outside++
		}
		makeTree(t, root, []string{ImageNetWNIDs[outside]}, 1, ".jpg")
		_, err := datasets.Open(c.name, datasets.Options{Location: loc})
		wantLayout(t, err, ImageNetWNIDs[outside])
	}
}

func TestImageNetSketch(t *testing.T) {
	loc := t.TempDir()
	makeTree(t, filepath.Join(loc, "sketch"), []string{"n01443537", "n15075141"}, 1, ".JPEG")
	ds := open(t, "ImageNetSketch", datasets.Options{Location: loc})
	if got := labels(t, ds); !slices.Equal(got, []int{1, 999}) || len(ds.ClassNames()) != 1000 {
		t.Errorf("labels %v", got)
	}
	_, err := datasets.Open("ImageNetSketch", datasets.Options{Location: t.TempDir()})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing sketch folder: %v", err)
	}
}

func TestClassFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "flowers")
	makeTree(t, dir, []string{"b_rose", "a_daisy"}, 2, ".png")
	ds, err := ClassFolder(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Name() != "flowers" || !slices.Equal(ds.ClassNames(), []string{"a_daisy", "b_rose"}) || len(ds.Templates()) == 0 {
		t.Errorf("name %q, classes %v", ds.Name(), ds.ClassNames())
	}
	if got := labels(t, ds); !slices.Equal(got, []int{0, 1, 0, 1}) {
		t.Errorf("labels %v", got)
	}
	names := filepath.Join(t.TempDir(), "names.txt")
	writeFile(t, names, []byte("daisy\nrose\n\n"))
	if ds, err = ClassFolder(dir, names); err != nil || !slices.Equal(ds.ClassNames(), []string{"daisy", "rose"}) {
		t.Errorf("with names file: %v, %v", ds, err)
	}
	writeFile(t, names, []byte("daisy\n"))
	_, err = ClassFolder(dir, names)
	wantLayout(t, err, "1 class names for 2 class folders")
	_, err = ClassFolder(dir, filepath.Join(dir, "nope.txt"))
	wantMissing(t, err, "nope.txt")
	_, err = ClassFolder(filepath.Join(dir, "missing"), "")
	wantMissing(t, err, "missing")
}
