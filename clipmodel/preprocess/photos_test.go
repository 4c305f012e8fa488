package preprocess

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// benchPhotoCount is how many JPEGs the speed benchmarks read, the size of
// the ImageNetV2-layout folder measured in the issue that asked for them.
const benchPhotoCount = 300

// benchPhotoSizes are the sizes the benchmark JPEGs cycle through: ImageNet's
// typical 500×375 up to 640×480, landscape and portrait.
var benchPhotoSizes = [][2]int{
	{500, 375}, {640, 480}, {375, 500}, {500, 333}, {640, 427}, {600, 450}, {480, 640}, {512, 384},
}

// photoLike draws a deterministic picture with what makes photographs cost
// a decoder time: smooth shading, a few hard-edged shapes in saturated
// colours, fine texture and sensor-like noise, so the JPEG has a realistic
// mix of flat and busy blocks.
func photoLike(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	type disc struct {
		cx, cy, r float64
		c         [3]float64
	}
	discs := make([]disc, 3+rng.IntN(4))
	for i := range discs {
		discs[i] = disc{rng.Float64() * float64(w), rng.Float64() * float64(h), 20 + rng.Float64()*float64(h)/3,
			[3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}}
	}
	fx, fy := 0.02+rng.Float64()*0.08, 0.02+rng.Float64()*0.08
	base := [3]float64{40 + rng.Float64()*150, 40 + rng.Float64()*150, 40 + rng.Float64()*150}
	for y := range h {
		for x := range w {
			xf, yf := float64(x), float64(y)
			shade := 0.6 + 0.4*float64(y)/float64(h)
			c := [3]float64{base[0] * shade, base[1] * shade, base[2] * (1.2 - shade/2)}
			for _, d := range discs {
				if (xf-d.cx)*(xf-d.cx)+(yf-d.cy)*(yf-d.cy) < d.r*d.r {
					c = d.c
				}
			}
			texture := 18 * math.Sin(xf*fx+3*math.Sin(yf*fy)) * math.Cos(yf*fx*1.7)
			noise := rng.NormFloat64() * 6
			p := color.RGBA{A: 0xff}
			for k, v := range c {
				v += texture + noise
				u := uint8(min(max(v, 0), 255))
				switch k {
				case 0:
					p.R = u
				case 1:
					p.G = u
				default:
					p.B = u
				}
			}
			img.SetRGBA(x, y, p)
		}
	}
	return img
}

// benchPhotoDir returns a folder holding the benchmark's photo JPEGs
// (photo_000.jpg ...), quality 90, 4:2:0 as Go's encoder writes them. With
// WISEFT_JPEG_BENCH_DIR set, the files go there and are kept, so that
// other programs (the Pillow side of the comparison) read the same files;
// files already there are reused. Otherwise they go to a temporary folder.
func benchPhotoDir(tb testing.TB) (dir string, paths []string) {
	tb.Helper()
	dir = os.Getenv("WISEFT_JPEG_BENCH_DIR")
	if dir == "" {
		dir = tb.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for i := range benchPhotoCount {
		path := filepath.Join(dir, fmt.Sprintf("photo_%03d.jpg", i))
		paths = append(paths, path)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		size := benchPhotoSizes[i%len(benchPhotoSizes)]
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, photoLike(size[0], size[1], uint64(i)), &jpeg.Options{Quality: 90}); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir, paths
}
