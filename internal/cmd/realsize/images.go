package main

import (
	"bufio"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/datasets/realdata"
)

// runImages writes ImageNet-layout folders of generated photo-sized JPEGs (Go's image/jpeg, quality 90):
// out/imagenet/train/<wnid>/ and out/imagenet/val/<wnid>/ (the in-distribution set), and out/sketch/<wnid>/, a
// shift drawn from the same scenes as grey-level sketches. The classes are the first ImageNet synsets; each has
// its own hue and shape, placed, sized and lit at random; the sides are drawn from [min, max] with landscape and
// portrait aspect ratios from 1:1 to 16:9. The same seed gives the same bytes.
func runImages(args []string) error {
	fs := flag.NewFlagSet("images", flag.ContinueOnError)
	out := fs.String("out", "", "folder to write (must not exist)")
	classes := fs.Int("classes", 4, "number of classes (the first ImageNet synsets)")
	train := fs.Int("train", 4, "training images per class")
	val := fs.Int("val", 4, "validation images per class (and as many sketches)")
	minSide := fs.Int("min", 300, "smallest image side, pixels")
	maxSide := fs.Int("max", 800, "largest image side, pixels")
	seed := fs.Uint64("seed", 1, "seed of the scenes")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return fmt.Errorf("images: --out is required")
	case *classes < 2 || *classes > len(realdata.ImageNetWNIDs):
		return fmt.Errorf("images: --classes %d is outside [2, %d]", *classes, len(realdata.ImageNetWNIDs))
	case *train < 1 || *val < 1:
		return fmt.Errorf("images: --train and --val must be at least 1")
	case *minSide < 16 || *maxSide < *minSide || *maxSide > 4096:
		return fmt.Errorf("images: sides [%d, %d] must satisfy 16 ≤ min ≤ max ≤ 4096", *minSide, *maxSide)
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("images: %s exists", *out)
	}
	rng := rand.New(rand.NewPCG(*seed, 0x1a9e))
	var n, bytes int64
	for k := range *classes {
		wnid := realdata.ImageNetWNIDs[k]
		for _, set := range []struct {
			dir    string
			count  int
			sketch bool
		}{{filepath.Join(*out, "imagenet", "train", wnid), *train, false},
			{filepath.Join(*out, "imagenet", "val", wnid), *val, false},
			{filepath.Join(*out, "sketch", wnid), *val, true}} {
			if err := os.MkdirAll(set.dir, 0o755); err != nil {
				return err
			}
			for i := range set.count {
				img := scene(rng, k, *classes, *minSide, *maxSide, set.sketch)
				path := filepath.Join(set.dir, fmt.Sprintf("%s_%d.JPEG", wnid, i))
				size, err := writeJPEG(path, img)
				if err != nil {
					return err
				}
				n, bytes = n+1, bytes+size
			}
		}
	}
	fmt.Printf("images: %d JPEGs (%d classes; %d train, %d val, %d sketch per class), %.1f MiB, in %s\n",
		n, *classes, *train, *val, *val, float64(bytes)/(1<<20), *out)
	return nil
}

// writeJPEG encodes img at quality 90 into path and returns the file's size.
func writeJPEG(path string, img image.Image) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriter(f)
	if err := jpeg.Encode(w, img, &jpeg.Options{Quality: 90}); err != nil {
		f.Close()
		return 0, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.Size(), f.Close()
}

// aspects are the width:height ratios drawn from (their inverses for portrait images).
var aspects = []float64{1, 4.0 / 3, 3.0 / 2, 16.0 / 9}

// scene draws one image of class k of n: a lit gradient background, the class's shape in the class's hue at a
// random place and size, a few distractor blobs and sensor-like noise. A sketch is the same scene's edges in grey.
func scene(rng *rand.Rand, k, n, minSide, maxSide int, sketch bool) image.Image {
	long := minSide + rng.IntN(maxSide-minSide+1)
	a := aspects[rng.IntN(len(aspects))]
	w, h := long, max(16, int(math.Round(float64(long)/a)))
	if h < minSide && minSide <= maxSide {
		h = min(max(h, minSide), long)
	}
	if rng.IntN(2) == 0 {
		w, h = h, w
	}
	hue := float64(k) / float64(n)
	bgHue := math.Mod(hue+0.5+0.2*rng.Float64(), 1)
	light := 0.5 + 0.4*rng.Float64()
	cx, cy := (0.3+0.4*rng.Float64())*float64(w), (0.3+0.4*rng.Float64())*float64(h)
	r := (0.15 + 0.2*rng.Float64()) * float64(min(w, h))
	type blob struct{ x, y, r, hue float64 }
	blobs := make([]blob, 3)
	for i := range blobs {
		blobs[i] = blob{rng.Float64() * float64(w), rng.Float64() * float64(h), (0.03 + 0.06*rng.Float64()) * float64(min(w, h)), rng.Float64()}
	}
	inShape := func(x, y float64) bool {
		dx, dy := (x-cx)/r, (y-cy)/r
		switch k % 4 {
		case 0: // disc
			return dx*dx+dy*dy <= 1
		case 1: // square
			return math.Abs(dx) <= 0.8 && math.Abs(dy) <= 0.8
		case 2: // ring
			d := dx*dx + dy*dy
			return d <= 1 && d >= 0.4
		default: // cross
			return (math.Abs(dx) <= 0.25 && math.Abs(dy) <= 1) || (math.Abs(dy) <= 0.25 && math.Abs(dx) <= 1)
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			var c [3]float64
			switch {
			case inShape(fx, fy):
				c = hsv(hue, 0.8, light)
			default:
				c = hsv(bgHue, 0.3, light*(0.6+0.4*fy/float64(h)))
				for _, b := range blobs {
					if (fx-b.x)*(fx-b.x)+(fy-b.y)*(fy-b.y) <= b.r*b.r {
						c = hsv(b.hue, 0.5, 0.7)
					}
				}
			}
			if sketch {
				edge := inShape(fx, fy) != inShape(fx+3, fy) || inShape(fx, fy) != inShape(fx, fy+3)
				g := 0.95
				if edge {
					g = 0.15
				}
				c = [3]float64{g, g, g}
			}
			o := img.PixOffset(x, y)
			for i := range 3 {
				v := 255*c[i] + 6*rng.NormFloat64()
				img.Pix[o+i] = uint8(min(255, max(0, math.Round(v))))
			}
			img.Pix[o+3] = 255
		}
	}
	return img
}

// hsv converts a colour from hue, saturation, value in [0, 1] to RGB in [0, 1].
func hsv(h, s, v float64) [3]float64 {
	i := math.Floor(h * 6)
	f := h*6 - i
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	switch int(i) % 6 {
	case 0:
		return [3]float64{v, t, p}
	case 1:
		return [3]float64{q, v, p}
	case 2:
		return [3]float64{p, v, t}
	case 3:
		return [3]float64{p, q, v}
	case 4:
		return [3]float64{t, p, v}
	default:
		return [3]float64{v, p, q}
	}
}
