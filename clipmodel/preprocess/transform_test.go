package preprocess

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"slices"
	"testing"
)

// opaque hides an image's concrete type, forcing the generic conversion.
type opaque struct{ image.Image }

func testPattern(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), uint8((x ^ y) * 3), 0xff})
		}
	}
	return m
}

func TestResizedSize(t *testing.T) {
	for _, c := range []struct{ w, h, size, nw, nh int }{
		{50, 37, 24, 32, 24}, // 32.43 truncated
		{41, 64, 24, 24, 37}, // 37.46 truncated
		{30, 45, 32, 32, 48},
		{640, 480, 224, 298, 224},
		{224, 224, 224, 224, 224},
		{1, 1000, 224, 224, 224000},
	} {
		nw, nh := ResizedSize(c.w, c.h, c.size)
		if nw != c.nw || nh != c.nh {
			t.Errorf("ResizedSize(%d, %d, %d) = %d, %d; want %d, %d", c.w, c.h, c.size, nw, nh, c.nw, c.nh)
		}
	}
}

func TestCenterCropOffset(t *testing.T) {
	for _, c := range []struct{ w, h, size, left, top int }{
		{32, 24, 24, 4, 0},
		{24, 37, 24, 0, 6}, // 6.5 rounds half to even
		{24, 35, 24, 0, 6}, // 5.5 rounds half to even
		{24, 39, 24, 0, 8}, // 7.5
		{298, 224, 224, 37, 0},
		{24, 24, 24, 0, 0},
	} {
		left, top := CenterCropOffset(c.w, c.h, c.size)
		if left != c.left || top != c.top {
			t.Errorf("CenterCropOffset(%d, %d, %d) = %d, %d; want %d, %d", c.w, c.h, c.size, left, top, c.left, c.top)
		}
	}
}

func TestConstantImageStaysConstant(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {7, 3}, {50, 37}, {300, 211}, {24, 24}, {5, 90}} {
		for _, v := range []uint8{0, 1, 128, 254, 255} {
			m := image.NewGray(image.Rect(0, 0, sz[0], sz[1]))
			for i := range m.Pix {
				m.Pix[i] = v
			}
			tr := New(16)
			want := (float32(v)/255 - DefaultMean[0]) / DefaultStd[0]
			got := tr.Eval(m)
			if got[0] != want || !slices.Equal(got[:256], slices.Repeat([]float32{want}, 256)) {
				t.Fatalf("%dx%d constant %d: Eval not constant %v", sz[0], sz[1], v, got[:4])
			}
			tp := tr.Train(m, rand.New(rand.NewPCG(1, 2)))
			if !slices.Equal(tp[:256], got[:256]) {
				t.Fatalf("%dx%d constant %d: Train not constant", sz[0], sz[1], v)
			}
		}
	}
}

func TestEvalLength(t *testing.T) {
	for _, size := range []int{1, 8, 24, 224} {
		if n := len(New(size).Eval(testPattern(37, 50))); n != 3*size*size {
			t.Errorf("size %d: len %d", size, n)
		}
	}
}

func TestEmptyImage(t *testing.T) {
	tr := New(4)
	empty := image.NewRGBA(image.Rect(3, 3, 3, 9))
	black := tr.Eval(image.NewGray(image.Rect(0, 0, 4, 4)))
	if got := tr.Eval(empty); !slices.Equal(got, black) {
		t.Errorf("Eval(empty) = %v, want black", got)
	}
	if got := tr.Train(empty, rand.New(rand.NewPCG(1, 1))); !slices.Equal(got, black) {
		t.Errorf("Train(empty) = %v, want black", got)
	}
}

// TestFastPathsMatchGeneric checks the type-specific RGB conversions against
// the generic color-model path.
func TestFastPathsMatchGeneric(t *testing.T) {
	base := testPattern(23, 17)
	gray := image.NewGray(base.Bounds())
	draw.Draw(gray, gray.Bounds(), base, image.Point{}, draw.Src)
	rgba := image.NewRGBA(base.Bounds())
	draw.Draw(rgba, rgba.Bounds(), base, image.Point{}, draw.Src)
	translucent := image.NewNRGBA(base.Bounds())
	copy(translucent.Pix, base.Pix)
	for i := 3; i < len(translucent.Pix); i += 4 {
		translucent.Pix[i] = uint8(i)
	}
	pal := image.NewPaletted(base.Bounds(), color.Palette{color.Black, color.NRGBA{200, 10, 30, 128}, color.White})
	draw.Draw(pal, pal.Bounds(), base, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(base.Bounds(), image.YCbCrSubsampleRatio420)
	for y := range 17 {
		for x := range 23 {
			ycc.Y[ycc.YOffset(x, y)] = uint8(x * 11)
			ycc.Cb[ycc.COffset(x, y)] = uint8(y * 13)
			ycc.Cr[ycc.COffset(x, y)] = uint8(x*y + 40)
		}
	}
	for name, img := range map[string]image.Image{
		"nrgba": base, "gray": gray, "rgba": rgba, "paletted": pal, "ycbcr": ycc,
		"nrgba sub-image": base.SubImage(image.Rect(3, 2, 20, 15)),
		"ycbcr sub-image": ycc.SubImage(image.Rect(1, 1, 20, 15)),
	} {
		r := img.Bounds()
		got, want := toRGB(img, r), toRGB(opaque{img}, r)
		if !slices.Equal(got.pix, want.pix) {
			t.Errorf("%s: fast path differs from generic conversion", name)
		}
	}
	// Alpha is dropped, keeping the straight colour (PIL's convert("RGB")).
	got := toRGB(translucent, translucent.Bounds())
	for i := range 23 * 17 {
		if !slices.Equal(got.pix[3*i:3*i+3], translucent.Pix[4*i:4*i+3]) {
			t.Fatalf("pixel %d: alpha not dropped", i)
		}
	}
}

func TestSubImageOrigin(t *testing.T) {
	base := testPattern(60, 45)
	r := image.Rect(7, 5, 52, 44)
	sub := base.SubImage(r)
	moved := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(moved, moved.Bounds(), base, r.Min, draw.Src)
	tr := New(16)
	if !slices.Equal(tr.Eval(sub), tr.Eval(moved)) {
		t.Error("Eval depends on the image's origin")
	}
	if !slices.Equal(tr.Train(sub, rand.New(rand.NewPCG(3, 4))), tr.Train(moved, rand.New(rand.NewPCG(3, 4)))) {
		t.Error("Train depends on the image's origin")
	}
}

// TestWindowMatchesFullResize checks that resampling only the crop window
// gives the same pixels as resampling everything and cropping.
func TestWindowMatchesFullResize(t *testing.T) {
	src := toRGB(testPattern(61, 43), image.Rect(0, 0, 61, 43))
	for _, out := range [][2]int{{30, 21}, {90, 70}, {61, 20}, {20, 43}} {
		full := resample(src, out[0], out[1], image.Rect(0, 0, out[0], out[1]))
		win := image.Rect(out[0]/4, out[1]/3, out[0]-2, out[1]-1)
		part := resample(src, out[0], out[1], win)
		for y := win.Min.Y; y < win.Max.Y; y++ {
			a := full.pix[3*(full.w*y+win.Min.X) : 3*(full.w*y+win.Max.X)]
			b := part.pix[3*part.w*(y-win.Min.Y) : 3*part.w*(y-win.Min.Y+1)]
			if !slices.Equal(a, b) {
				t.Fatalf("out %v: row %d of window differs", out, y)
			}
		}
	}
}

// TestExtremeAspectRatio: a 1×100000 image is resized (like PIL would) to
// 224×22400000; only the crop window's taps and rows are computed, so this
// stays cheap.
func TestExtremeAspectRatio(t *testing.T) {
	tr := New(224)
	for _, r := range []image.Rectangle{image.Rect(0, 0, 1, 100000), image.Rect(0, 0, 100000, 1)} {
		m := image.NewGray(r)
		for i := range m.Pix {
			m.Pix[i] = 200
		}
		got := tr.Eval(m)
		want := (float32(200)/255 - DefaultMean[2]) / DefaultStd[2]
		if v := got[len(got)-1]; v != want {
			t.Errorf("%v: last value %v, want %v", r, v, want)
		}
	}
}
