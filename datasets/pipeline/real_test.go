package pipeline

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/realdata"
)

// photoLike returns a w×h image with smooth gradients, a few shapes and noise, so that its JPEG has a realistic
// size and decoding cost.
func photoLike(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy, r := rng.IntN(w), rng.IntN(h), 30+rng.IntN(100)
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255}
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) < r*r {
				c.R, c.B = 255-c.R, 200
			}
			n := uint8(rng.IntN(24))
			c.R, c.G, c.B = c.R^n, c.G^n, c.B^n
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// encodeJPEG encodes img at quality 90.
func encodeJPEG(tb testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// writeFileT writes data to path, creating its folder.
func writeFileT(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// writeJPEGs writes n photo-like w×h JPEGs into each class folder under dir.
func writeJPEGs(tb testing.TB, dir string, classes []string, n, w, h int) {
	for ci, c := range classes {
		for i := range n {
			writeFileT(tb, filepath.Join(dir, c, strconv.Itoa(i)+".jpg"), encodeJPEG(tb, photoLike(w, h, uint64(ci*n+i))))
		}
	}
}

// openClassFolder opens dir with realdata.ClassFolder.
func openClassFolder(tb testing.TB, dir string) datasets.Dataset {
	ds, err := realdata.ClassFolder(dir, "")
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}
