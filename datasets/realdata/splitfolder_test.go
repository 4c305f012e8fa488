package realdata

import (
	"image/color"
	"path/filepath"
	"slices"
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
	for _, split := range []datasets.Split{datasets.Train, datasets.Test} {
		ds, err := SplitFolder("Flowers", flat, split)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ds.ClassNames(), []string{"daisy", "rose"}) || !slices.Equal(ds.Templates(), templates.Simple) || ds.Len() != 2 {
			t.Errorf("%s: %v %v %d", split, ds.ClassNames(), ds.Templates(), ds.Len())
		}
	}
	if _, err := SplitFolder("Gone", filepath.Join(dir, "missing"), datasets.Test); err == nil {
		t.Error("a missing folder opened")
	}
}

// touchImages writes a tiny image under each name in folder.
func touchImages(t *testing.T, folder string, names ...string) {
	t.Helper()
	for i, n := range names {
		writeImage(t, filepath.Join(folder, n), solid(6, 5, color.RGBA{uint8(30 * i), 90, 10, 255}))
	}
}
