package preprocess

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJPEGScale(t *testing.T) {
	for _, c := range []struct{ w, h, size, want int }{
		{500, 375, 224, 1},                                   // resized to 298x224: less than twice
		{640, 480, 224, 2},                                   // 298x224: 640/298 = 2, 480/224 = 2
		{447, 448, 224, 1},                                   // 224x224, 447/224 = 1
		{448, 448, 224, 2},                                   // exactly twice
		{2000, 1500, 224, 4},                                 // 6x
		{4000, 3000, 224, 8},                                 // 13x: at most 1/8
		{480, 3000, 224, 2},                                  // portrait: 224x1400, 480/224 = 2, 3000/1400 = 2
		{640, 480, 0, 1},                                     // no DCT scaling requested
		{120, 90, 30, 2}, {120, 90, 15, 4}, {120, 90, 10, 8}, // the parity fixture's drafts
	} {
		if got := jpegScale(c.w, c.h, c.size); got != c.want {
			t.Errorf("jpegScale(%d, %d, %d) = %d, want %d", c.w, c.h, c.size, got, c.want)
		}
	}
}

// TestDCTScalingBounds: DecodeEval reduces only with DCTScaling on and
// libjpeg-turbo built in; Decode never does.
func TestDCTScalingBounds(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photoLike(640, 480, 1), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	tr := New(224)
	scaled := tr
	scaled.DCTScaling = true
	want := image.Rect(0, 0, 640, 480)
	if TurboJPEG {
		want = image.Rect(0, 0, 320, 240)
	}
	for _, c := range []struct {
		name string
		dec  func() (image.Image, error)
		want image.Rectangle
	}{
		{"Decode", func() (image.Image, error) { return Decode(bytes.NewReader(buf.Bytes())) }, image.Rect(0, 0, 640, 480)},
		{"DecodeEval", func() (image.Image, error) { return tr.DecodeEval(bytes.NewReader(buf.Bytes())) }, image.Rect(0, 0, 640, 480)},
		{"DecodeEval+DCTScaling", func() (image.Image, error) { return scaled.DecodeEval(bytes.NewReader(buf.Bytes())) }, want},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := c.dec()
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != c.want {
				t.Errorf("bounds %v, want %v", img.Bounds(), c.want)
			}
		})
	}
}

// TestCMYKJPEG: CMYK JPEGs (Adobe) go to image/jpeg in every build; Pillow's
// convert("RGB") of them differs from Go's CMYK conversion by rounding.
func TestCMYKJPEG(t *testing.T) {
	img := decodeFile(t, "parity_cmyk_16x12.jpg", decodeOptions{})
	if _, ok := img.(*image.CMYK); !ok {
		t.Fatalf("decoded as %T, want *image.CMYK", img)
	}
	maxD, mean := levelDiff(t, img, decodeFile(t, "parity_cmyk_16x12_pil.png", decodeOptions{}))
	t.Logf("CMYK JPEG, Go vs Pillow's convert(\"RGB\"): max %d, mean %.3f levels", maxD, mean)
	if maxD > 4 || mean > 1 {
		t.Errorf("CMYK JPEG vs Pillow: max %d (bound 4), mean %.3f levels (bound 1)", maxD, mean)
	}
}

// TestTruncatedJPEG: a JPEG cut short is an error naming the file, whichever
// decoder reads it (Pillow refuses it too: "image file is truncated").
func TestTruncatedJPEG(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "parity_420_120x90.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, cut := range []int{2, 20, len(data) / 2, len(data) - 2} {
		path := filepath.Join(dir, "cut.jpg")
		if err := os.WriteFile(path, data[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		for _, pureGo := range []bool{false, true} {
			img, err := loadImage(path, decodeOptions{pureGo: pureGo})
			if err == nil || img != nil {
				t.Errorf("cut at %d of %d bytes, pureGo=%v: %v, %v; want an error", cut, len(data), pureGo, img, err)
				continue
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		}
	}
}

func TestRGBImage(t *testing.T) {
	m := NewRGB(image.Rect(2, 3, 7, 6))
	for i := range m.Pix {
		m.Pix[i] = uint8(i)
	}
	if got, want := m.At(3, 4), (color.RGBA{18, 19, 20, 255}); got != want {
		t.Errorf("At(3, 4) = %v, want %v", got, want)
	}
	if got := m.At(0, 0); got != (color.RGBA{}) {
		t.Errorf("At outside = %v", got)
	}
	sub := m.SubImage(image.Rect(3, 4, 6, 6)).(*RGB)
	if sub.Bounds() != image.Rect(3, 4, 6, 6) || sub.At(3, 4) != m.At(3, 4) || sub.At(5, 5) != m.At(5, 5) {
		t.Errorf("SubImage %v: At(3,4) %v, At(5,5) %v", sub.Bounds(), sub.At(3, 4), sub.At(5, 5))
	}
	// toRGB of the whole image shares its pixels; of a window it copies the
	// same pixels the generic (At) conversion gives.
	if whole := toRGB(m, m.Rect); &whole.pix[0] != &m.Pix[0] {
		t.Error("toRGB copied a contiguous RGB image")
	}
	for _, r := range []image.Rectangle{m.Rect, image.Rect(3, 4, 6, 6), image.Rect(2, 5, 7, 6)} {
		got, want := toRGB(m, r), toRGB(opaque{m}, r)
		if !bytes.Equal(got.pix, want.pix) || got.w != r.Dx() || got.h != r.Dy() {
			t.Errorf("toRGB(%v) = %v, generic %v", r, got.pix, want.pix)
		}
	}
}

// TestYCbCrToRGBMatchesStdlib: the table conversion equals
// color.YCbCrToRGB on every one of the 2^24 inputs.
func TestYCbCrToRGBMatchesStdlib(t *testing.T) {
	bad := 0
	for y := range 256 {
		yy := int32(y) * 0x10101
		for cb := range 256 {
			for cr := range 256 {
				r, g, b := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if clampShift16(yy+rCr[cr]) != r || clampShift16(yy+gCb[cb]+gCr[cr]) != g || clampShift16(yy+bCb[cb]) != b {
					if bad++; bad < 5 {
						t.Errorf("YCbCr(%d, %d, %d) differs from color.YCbCrToRGB", y, cb, cr)
					}
				}
			}
		}
	}
}

// TestYCbCrImageToRGB: every subsampling ratio and windows at odd offsets
// give the pixels of a per-pixel YOffset/COffset/color.YCbCrToRGB loop.
func TestYCbCrImageToRGB(t *testing.T) {
	ratios := []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411,
		image.YCbCrSubsampleRatio410}
	for _, ratio := range ratios {
		t.Run(ratio.String(), func(t *testing.T) {
			m := image.NewYCbCr(image.Rect(1, 2, 24, 19), ratio)
			for i := range m.Y {
				m.Y[i] = uint8(i * 37)
			}
			for i := range m.Cb {
				m.Cb[i], m.Cr[i] = uint8(i*53+7), uint8(255-i*29)
			}
			for _, r := range []image.Rectangle{m.Rect, image.Rect(4, 5, 20, 18), image.Rect(3, 3, 4, 4)} {
				src := image.Image(m)
				if r != m.Rect {
					src = m.SubImage(r)
				}
				got := toRGB(src, r)
				want := make([]uint8, 0, 3*r.Dx()*r.Dy())
				for y := r.Min.Y; y < r.Max.Y; y++ {
					for x := r.Min.X; x < r.Max.X; x++ {
						yi, ci := m.YOffset(x, y), m.COffset(x, y)
						cr, cg, cb := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
						want = append(want, cr, cg, cb)
					}
				}
				if !bytes.Equal(got.pix, want) {
					t.Errorf("window %v differs", r)
				}
			}
		})
	}
}

// TestDCTScalingDifference measures what DCT-domain reduction does to the
// 224×224 crop the model sees, on photo-sized JPEGs of each benchmark size
// (those at least twice the resized size are reduced by 1/2): the figures
// of the README. With libjpeg-turbo, full decoding gives Pillow's pixels
// (TestEvalJPEGMatchesPillow), so "full" is the paper's preprocessing; the
// pure-Go decoder's own difference from it is measured alongside.
func TestDCTScalingDifference(t *testing.T) {
	if !TurboJPEG {
		t.Skip("built without libjpeg-turbo: no DCT scaling, and no Pillow-exact full decode to compare with")
	}
	tr := New(224)
	dct := tr
	dct.DCTScaling = true
	var dctMax, goMax int
	var dctSum, goSum float64
	reduced := 0
	for i, size := range benchPhotoSizes {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, photoLike(size[0], size[1], uint64(i)), &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		decode := func(tr Transform, opt decodeOptions) rgbImage {
			opt.draftSize = tr.draftSize()
			img, err := decodeLimited(bytes.NewReader(buf.Bytes()), MaxPixels, opt)
			if err != nil {
				t.Fatal(err)
			}
			return tr.evalRGB(img)
		}
		full := decode(tr, decodeOptions{})
		m, mean := rgbDiff(decode(dct, decodeOptions{}), full)
		if jpegScale(size[0], size[1], 224) > 1 {
			reduced++
			dctMax, dctSum = max(dctMax, m), dctSum+mean
			t.Logf("%dx%d, DCT scaling 1/%d vs full decode: max %d, mean %.3f levels", size[0], size[1],
				jpegScale(size[0], size[1], 224), m, mean)
		} else if m != 0 {
			t.Errorf("%dx%d is not reduced, yet DCT scaling changed its pixels", size[0], size[1])
		}
		m, mean = rgbDiff(decode(tr, decodeOptions{pureGo: true}), full)
		goMax, goSum = max(goMax, m), goSum+mean
	}
	dctMean, goMean := dctSum/float64(reduced), goSum/float64(len(benchPhotoSizes))
	t.Logf("DCT scaling vs full decode (%d of %d reduced): max %d, mean %.3f levels", reduced, len(benchPhotoSizes), dctMax, dctMean)
	t.Logf("image/jpeg vs libjpeg-turbo (= Pillow), all %d: max %d, mean %.3f levels", len(benchPhotoSizes), goMax, goMean)
	if reduced == 0 || dctMax > 80 || dctMean > 4 || goMax > 80 || goMean > 2 {
		t.Errorf("differences beyond the bounds (DCT: max 80, mean 4; image/jpeg: max 80, mean 2 levels)")
	}
}
