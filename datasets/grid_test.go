package datasets

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestSaveGrid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.png")
	if err := SaveGrid(constDataset{n: 10}, 7, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 7 images: 3 columns, 3 rows of 4x4 images zoomed 2x with 2-pixel gutters.
	if b := img.Bounds(); b.Dx() != 3*(8+2)+2 || b.Dy() != 3*(8+2)+2 {
		t.Errorf("sheet is %v", b)
	}
	if err := SaveGrid(constDataset{n: 0}, 5, path); err == nil {
		t.Error("an empty dataset gave a sheet")
	}
}
