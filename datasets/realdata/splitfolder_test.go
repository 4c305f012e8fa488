package realdata

import (
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// TestSplitFolder: the splits come from dir/train and dir/val; WordNet-id folders take ImageNet's class names and
// templates, other folders their own names and the simple template; a dir without split folders serves both.
func TestSplitFolder(t *testing.T) {
	dir := t.TempDir()
	wn := ImageNetWNIDs
	touchImages(t, filepath.Join(dir, "train", wn[1]), "a.jpg", "b.jpg")
	touchImages(t, filepath.Join(dir, "train", wn[0]), "a.jpg")
	touchImages(t, filepath.Join(dir, "val", wn[0]), "c.jpg")
	touchImages(t, filepath.Join(dir, "val", wn[1]), "d.jpg")
	tr, err := SplitFolder("Mine", dir, datasets.Train)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Name() != "Mine" || tr.Len() != 3 || !slices.Equal(tr.ClassNames(), ImageNetClassNames[:2]) ||
		!slices.Equal(tr.Templates(), templates.OpenAIImageNet) {
		t.Errorf("train: %s, %d, %v, %d templates", tr.Name(), tr.Len(), tr.ClassNames(), len(tr.Templates()))
	}
	te, err := SplitFolder("Mine", dir, datasets.Test)
	if err != nil || te.Len() != 2 {
		t.Fatalf("test: %v, %v", te, err)
	}
	flat := t.TempDir()
	touchImages(t, filepath.Join(flat, "rose"), "a.png")
	touchImages(t, filepath.Join(flat, "daisy"), "b.png")
	touchImages(t, filepath.Join(flat, ".thumbs"), "c.png") // a hidden folder is not a class
	ds, err := SplitFolder("Flowers", flat, datasets.Test)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.ClassNames(), []string{"daisy", "rose"}) || !slices.Equal(ds.Templates(), templates.Simple) || ds.Len() != 2 {
		t.Errorf("flat test split: %v %v %d", ds.ClassNames(), ds.Templates(), ds.Len())
	}
	if _, err := SplitFolder("Gone", filepath.Join(dir, "missing"), datasets.Test); err == nil {
		t.Error("a missing folder opened")
	}
}

// TestSplitFolderRefuses: layouts that would silently drop data, score one class as another or train and
// evaluate on the same images are refused, each with an error naming the problem.
func TestSplitFolderRefuses(t *testing.T) {
	mk := func(files ...string) string {
		dir := t.TempDir()
		for _, f := range files {
			touchImages(t, filepath.Join(dir, filepath.Dir(f)), filepath.Base(f))
		}
		return dir
	}
	for _, c := range []struct {
		name  string
		dir   string
		split datasets.Split
		want  []string
	}{
		{"train and val class folders differ", mk("train/a/1.png", "train/b/2.png", "val/a/3.png", "val/c/4.png"),
			datasets.Test, []string{"same class folders", `only in`, `"b"`, `"c"`}},
		{"the same, opening train", mk("train/a/1.png", "train/b/2.png", "val/a/3.png", "val/c/4.png"),
			datasets.Train, []string{"same class folders", `"b"`, `"c"`}},
		{"val lacks a class", mk("train/a/1.png", "train/b/2.png", "val/a/3.png"),
			datasets.Train, []string{"same class folders", `"b"`}},
		{"a class folder whose images lie in a sub-folder", mk("train/a/sub/1.png", "train/b/2.png", "val/a/3.png", "val/b/4.png"),
			datasets.Train, []string{`class folder(s) "a" hold no image files`, "sub-folders"}},
		{"a flat folder for training", mk("a/1.png", "b/2.png"),
			datasets.Train, []string{"has no train/ folder", "ImageNet layout"}},
		{"a val-only folder for training", mk("val/a/1.png", "val/b/2.png"),
			datasets.Train, []string{"has no train/ folder"}},
		{"a train-only folder for evaluation", mk("train/a/1.png", "train/b/2.png"),
			datasets.Test, []string{"has a train/ folder but no val/ folder"}},
	} {
		_, err := SplitFolder("Mine", c.dir, c.split)
		if err == nil {
			t.Errorf("%s: opened", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want %q in it", c.name, err, w)
			}
		}
	}
}

// touchImages writes a tiny image under each name in folder.
func touchImages(t *testing.T, folder string, names ...string) {
	t.Helper()
	for i, n := range names {
		writeImage(t, filepath.Join(folder, n), solid(6, 5, color.RGBA{uint8(30 * i), 90, 10, 255}))
	}
}
