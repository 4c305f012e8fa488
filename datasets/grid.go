package datasets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"github.com/gowiseft/wiseft/internal/atomicfile"
)

// gridZoom is the pixel zoom of contact sheets, so 28x28 images are easy to see.
const gridZoom = 2

// Grid lays out the first n examples of ds (all of them when n >= ds.Len()) in a square-ish
// contact sheet: zoomed 2x, separated by grey gutters, in index order row by row.
func Grid(ds Dataset, n int) (image.Image, error) {
	total := ds.Len()
	if n > total {
		n = total
	}
	if n <= 0 {
		return nil, fmt.Errorf("datasets: Grid: nothing to show (n=%d, %s has %d examples)", n, ds.Name(), total)
	}
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
	}
	return gridOf(ds, idx, int(math.Ceil(math.Sqrt(float64(n)))))
}

// gridOf lays out the examples idx of ds in cols columns (see Grid).
func gridOf(ds Dataset, idx []int, cols int) (image.Image, error) {
	n := len(idx)
	imgs := make([]image.Image, n)
	cw, ch := 0, 0
	for k := range imgs {
		img, _, err := ds.Example(idx[k])
		if err != nil {
			return nil, err
		}
		imgs[k] = img
		cw, ch = max(cw, img.Bounds().Dx()), max(ch, img.Bounds().Dy())
	}
	rows := (n + cols - 1) / cols
	const gap = 2
	sheet := image.NewRGBA(image.Rect(0, 0, cols*(cw*gridZoom+gap)+gap, rows*(ch*gridZoom+gap)+gap))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.RGBA{128, 128, 128, 255}), image.Point{}, draw.Src)
	for k, img := range imgs {
		x0 := gap + (k%cols)*(cw*gridZoom+gap)
		y0 := gap + (k/cols)*(ch*gridZoom+gap)
		b := img.Bounds()
		for y := 0; y < b.Dy()*gridZoom; y++ {
			for x := 0; x < b.Dx()*gridZoom; x++ {
				sheet.Set(x0+x, y0+y, img.At(b.Min.X+x/gridZoom, b.Min.Y+y/gridZoom))
			}
		}
	}
	return sheet, nil
}

// SaveGrid writes the contact sheet of n examples of ds (see Grid) as a PNG file at path, atomically.
func SaveGrid(ds Dataset, n int, path string) error {
	sheet, err := Grid(ds, n)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, sheet); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}
