package preprocess

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"
)

// resampleNaive is the two-pass resampling written as plainly as possible
// (all output pixels, one tap at a time, then cropped): what resample's
// pooled buffers, out-of-line sums and four-row vertical pass must not
// change. PIL parity itself is checked by TestGoldenPIL.
func resampleNaive(src rgbImage, outW, outH int, win image.Rectangle) []uint8 {
	const half = 1 << (precisionBits - 1)
	mid := make([]uint8, 3*outW*src.h)
	hw := newWeights(src.w, outW, 0, outW)
	for y := range src.h {
		for x := range outW {
			start, k := hw.taps(x)
			for c := range 3 {
				acc := int32(half)
				for t, w := range k {
					acc += int32(src.pix[3*(src.w*y+start+t)+c]) * w
				}
				if outW == src.w {
					acc = int32(src.pix[3*(src.w*y+x)+c]) << precisionBits
				}
				mid[3*(outW*y+x)+c] = clip8(acc)
			}
		}
	}
	full := make([]uint8, 3*outW*outH)
	vw := newWeights(src.h, outH, 0, outH)
	for y := range outH {
		start, k := vw.taps(y)
		for i := range 3 * outW {
			acc := int32(half)
			for t, w := range k {
				acc += int32(mid[3*outW*(start+t)+i]) * w
			}
			if outH == src.h {
				acc = int32(mid[3*outW*y+i]) << precisionBits
			}
			full[3*outW*y+i] = clip8(acc)
		}
	}
	var out []uint8
	for y := win.Min.Y; y < win.Max.Y; y++ {
		out = append(out, full[3*(outW*y+win.Min.X):3*(outW*y+win.Max.X)]...)
	}
	return out
}

func TestResampleMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ w, h, outW, outH int }{
		{500, 375, 298, 224}, // a photo to CLIP's 224: 7-tap horizontal, 6-tap vertical
		{640, 480, 298, 224},
		{37, 50, 24, 32},
		{200, 150, 24, 18}, // 25 taps
		{20, 15, 48, 36},   // upscaling: 4 taps
		{24, 40, 24, 30},   // vertical only
		{33, 20, 17, 20},   // horizontal only
		{9, 9, 9, 9},       // neither
		{1, 7, 3, 5},
	} {
		t.Run(fmt.Sprintf("%dx%d_to_%dx%d", c.w, c.h, c.outW, c.outH), func(t *testing.T) {
			src := rgbImage{pix: make([]uint8, 3*c.w*c.h), w: c.w, h: c.h}
			for i := range src.pix {
				src.pix[i] = uint8(rng.IntN(256))
			}
			wins := []image.Rectangle{image.Rect(0, 0, c.outW, c.outH)}
			if c.outW > 2 && c.outH > 2 {
				wins = append(wins, image.Rect(1, 2, c.outW-1, c.outH))
			}
			for _, win := range wins {
				got := resample(src, c.outW, c.outH, win)
				if want := resampleNaive(src, c.outW, c.outH, win); !bytes.Equal(got.pix, want) {
					t.Errorf("window %v differs from the naive resampler", win)
				}
				got.release()
			}
		})
	}
}
