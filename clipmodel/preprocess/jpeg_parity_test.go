package preprocess

import (
	"bytes"
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"testing"
)

// The parity fixture comes from testdata/make_jpeg_parity.py (Pillow 9.4 on
// Debian's libjpeg-turbo 2.1.5): JPEGs and the pixels Pillow decodes from
// them, in full and reduced in the DCT domain, and CLIP's evaluation
// transform of one of them.

type jpegParity struct {
	Pillow  string `json:"pillow"`
	Decodes []struct {
		JPEG      string `json:"jpeg"`
		DraftSize int    `json:"draft_size"`
		PIL       string `json:"pil"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"decodes"`
	Evals []struct {
		JPEG       string `json:"jpeg"`
		Size       int    `json:"size"`
		DCTScaling bool   `json:"dct_scaling"`
		Expected   string `json:"expected"`
	} `json:"evals"`
}

func readJPEGParity(t *testing.T) jpegParity {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "jpeg_parity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p jpegParity
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Decodes) == 0 || len(p.Evals) == 0 {
		t.Fatal("empty JPEG parity fixture")
	}
	return p
}

// decodeFile decodes a testdata file with the given options.
func decodeFile(t *testing.T, name string, opt decodeOptions) image.Image {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	img, err := decodeLimited(bytes.NewReader(data), MaxPixels, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// levelDiff compares two images of the same bounds as 8-bit RGB: the largest
// and the mean absolute difference, in levels.
func levelDiff(t *testing.T, a, b image.Image) (maxD int, mean float64) {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("sizes %v and %v", a.Bounds().Size(), b.Bounds().Size())
	}
	return rgbDiff(toRGB(a, a.Bounds()), toRGB(b, b.Bounds()))
}

func rgbDiff(a, b rgbImage) (maxD int, mean float64) {
	sum := 0
	for i := range a.pix {
		d := int(a.pix[i]) - int(b.pix[i])
		d = max(d, -d)
		maxD = max(maxD, d)
		sum += d
	}
	return maxD, float64(sum) / float64(len(a.pix))
}

// TestTurboJPEGMatchesPillow: libjpeg-turbo with Pillow's settings (accurate
// integer IDCT, fancy upsampling) gives Pillow's pixels exactly, in full
// and reduced by 1/2, 1/4 and 1/8 in the DCT domain, for every kind of JPEG
// in the fixture.
func TestTurboJPEGMatchesPillow(t *testing.T) {
	if !TurboJPEG {
		t.Skip("built without libjpeg-turbo (cgo off or the noturbojpeg tag): JPEGs are decoded by image/jpeg, " +
			"see TestPureGoJPEGCloseToPillow")
	}
	for _, c := range readJPEGParity(t).Decodes {
		t.Run(filepath.Base(c.PIL), func(t *testing.T) {
			got := decodeFile(t, c.JPEG, decodeOptions{draftSize: c.DraftSize})
			want := decodeFile(t, c.PIL, decodeOptions{})
			if got.Bounds() != image.Rect(0, 0, c.Width, c.Height) {
				t.Fatalf("bounds %v, Pillow's %dx%d", got.Bounds(), c.Width, c.Height)
			}
			_, gotGray := got.(*image.Gray)
			_, wantGray := want.(*image.Gray)
			if gotGray != wantGray {
				t.Errorf("decoded as %T, Pillow's as %T", got, want)
			}
			if maxD, mean := levelDiff(t, got, want); maxD != 0 {
				t.Errorf("differs from Pillow: max %d, mean %.4f levels", maxD, mean)
			}
		})
	}
}

// pureGoBounds are the differences allowed between Go's image/jpeg and
// Pillow, measured on the fixture: where chroma is at full resolution (4:4:4,
// grayscale) only the rounding of the IDCT and the colour conversion
// differs, a level or two; with subsampled chroma Go repeats each chroma
// sample where libjpeg interpolates it: up to 93 levels at the fixture's
// sharp edges between saturated colours, 1.6-4.6 on average.
var pureGoBounds = map[string]struct {
	max  int
	mean float64
}{
	"parity_444_48x40.jpg":         {3, 0.3},
	"parity_gray_37x29.jpg":        {2, 0.2},
	"parity_420_61x47.jpg":         {100, 6},
	"parity_422_50x38.jpg":         {100, 6},
	"parity_progressive_64x48.jpg": {100, 6},
	"parity_warning_40x30.jpg":     {100, 6},
	"parity_420_120x90.jpg":        {100, 6},
}

// TestPureGoJPEGCloseToPillow bounds the pure-Go decoder's difference from
// Pillow (it is the decoder of CGO_ENABLED=0 builds and of CMYK JPEGs).
func TestPureGoJPEGCloseToPillow(t *testing.T) {
	for _, c := range readJPEGParity(t).Decodes {
		if c.DraftSize != 0 {
			continue // image/jpeg has no DCT-domain reduction
		}
		t.Run(c.JPEG, func(t *testing.T) {
			bound, ok := pureGoBounds[c.JPEG]
			if !ok {
				t.Fatalf("no bound for %s", c.JPEG)
			}
			got := decodeFile(t, c.JPEG, decodeOptions{pureGo: true})
			maxD, mean := levelDiff(t, got, decodeFile(t, c.PIL, decodeOptions{}))
			t.Logf("image/jpeg vs Pillow: max %d, mean %.3f levels", maxD, mean)
			if maxD > bound.max || mean > bound.mean {
				t.Errorf("image/jpeg vs Pillow: max %d (bound %d), mean %.3f levels (bound %.1f)",
					maxD, bound.max, mean, bound.mean)
			}
		})
	}
}

// TestEvalJPEGMatchesPillow runs the whole evaluation transform from the JPEG
// file, decoded in full and with DCT scaling, against Pillow + torchvision
// on the same file: equal to float32 rounding with libjpeg-turbo.
func TestEvalJPEGMatchesPillow(t *testing.T) {
	for _, c := range readJPEGParity(t).Evals {
		t.Run(c.Expected, func(t *testing.T) {
			tr := New(c.Size)
			tr.DCTScaling = c.DCTScaling
			img, err := tr.LoadEval(filepath.Join("testdata", c.JPEG))
			if err != nil {
				t.Fatal(err)
			}
			d := maxAbsDiff(tr.Eval(img), readFloats(t, c.Expected))
			t.Logf("max abs diff from Pillow %g", d)
			switch {
			case TurboJPEG && d > 1e-6:
				t.Errorf("max abs diff from Pillow %g", d)
			case !TurboJPEG && c.DCTScaling:
				t.Logf("without libjpeg-turbo DCTScaling does nothing: compared with Pillow's draft, diff %g", d)
			case !TurboJPEG && d > 20.0/255/float64(DefaultStd[1]):
				// image/jpeg's chroma differences, averaged by the resize's antialiasing.
				t.Errorf("image/jpeg path: max abs diff from Pillow %g", d)
			}
		})
	}
}
