package preprocess

import (
	"image"
	"slices"
	"testing"
)

func TestBatchAndEvalParallel(t *testing.T) {
	imgs := []image.Image{testPattern(80, 70), testPattern(33, 90), testPattern(200, 60), testPattern(24, 24), testPattern(5, 9)}
	tr := New(16)
	var want []float32
	for _, img := range imgs {
		want = append(want, tr.Eval(img)...)
	}
	if got := tr.Batch(imgs); !slices.Equal(got, want) {
		t.Error("Batch differs from concatenated Eval")
	}
	for _, workers := range []int{1, 2, 16, 0} {
		if got := tr.EvalParallel(imgs, workers); !slices.Equal(got, want) {
			t.Errorf("workers %d: EvalParallel differs from Batch", workers)
		}
	}
	if got := tr.EvalParallel(nil, 0); len(got) != 0 {
		t.Errorf("EvalParallel(nil) has %d values", len(got))
	}
}

func TestToImageRoundTrip(t *testing.T) {
	// 24x40 with Size 24 is only cropped, so the model input is exactly
	// rows 8..31 of the file.
	img := loadTestImage(t, "tall_24x40.png")
	tr := New(24)
	got := ToImage(tr.Eval(img), tr)
	if got.Bounds() != image.Rect(0, 0, 24, 24) {
		t.Fatalf("bounds %v", got.Bounds())
	}
	for y := range 24 {
		for x := range 24 {
			r, g, b, _ := img.At(x, y+8).RGBA()
			c := got.RGBAAt(x, y)
			if c.R != uint8(r>>8) || c.G != uint8(g>>8) || c.B != uint8(b>>8) || c.A != 0xff {
				t.Fatalf("(%d, %d): %v, want %d %d %d", x, y, c, r>>8, g>>8, b>>8)
			}
		}
	}
	// Out-of-range values clamp.
	chw := make([]float32, tr.Len())
	for i := range chw {
		chw[i] = float32(i%3*20 - 20)
	}
	m := ToImage(chw, tr)
	if c := m.RGBAAt(0, 0); c.R != 0 {
		t.Errorf("clamping: %v", c)
	}
}
