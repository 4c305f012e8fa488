package datasets

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// testDigit is a 28x28 synthetic white-on-black "digit": a thick bar and a blob, deterministic.
func testDigit() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 28, 28))
	for y := 5; y < 23; y++ {
		for x := 12; x < 15; x++ {
			img.Pix[y*28+x] = 255
		}
	}
	for y := 6; y < 11; y++ {
		for x := 15; x < 21; x++ {
			img.Pix[y*28+x] = uint8(100 + 20*(x-15))
		}
	}
	return img
}

// testColour is a 28x28 RGBA image with a gradient in every channel.
func testColour() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 28, 28))
	for y := 0; y < 28; y++ {
		for x := 0; x < 28; x++ {
			img.Set(x, y, color.RGBA{uint8(9 * x), uint8(9 * y), uint8(4*x + 4*y), 255})
		}
	}
	return img
}

func rng(i uint64) *rand.Rand { return rand.New(rand.NewPCG(1, i)) }

// pixels returns an image's pixel bytes (gray or RGBA) for comparisons.
func pixels(img image.Image) []uint8 {
	switch m := img.(type) {
	case *image.Gray:
		return m.Pix
	case *image.RGBA:
		return m.Pix
	}
	panic("unexpected image type")
}

func TestInvertTwiceIsIdentity(t *testing.T) {
	for _, img := range []image.Image{testDigit(), testColour()} {
		once := Invert()(img, rng(0))
		if bytes.Equal(pixels(once), pixels(img)) {
			t.Error("Invert changed nothing")
		}
		if g, ok := once.(*image.Gray); ok && g.Pix[0] != 255 {
			t.Errorf("inverted black is %d", g.Pix[0])
		}
		if twice := Invert()(once, rng(1)); !bytes.Equal(pixels(twice), pixels(img)) {
			t.Errorf("Invert twice is not the identity for %T", img)
		}
	}
}

func TestIdentityParameters(t *testing.T) {
	for name, c := range map[string]Corruption{
		"Rotate(0,0)":         Rotate(0, 0),
		"Scale(1,1)":          Scale(1, 1),
		"Resolution(28,28)":   Resolution(28, 28, false),
		"Resolution(28,28,s)": Resolution(28, 28, true),
		"Blur(0,0)":           Blur(0, 0),
		"GaussianNoise(0)":    GaussianNoise(0),
	} {
		for _, img := range []image.Image{testDigit(), testColour()} {
			if out := c(img, rng(3)); !bytes.Equal(pixels(out), pixels(img)) {
				t.Errorf("%s is not the identity on %T", name, img)
			}
		}
	}
}

func TestRotateQuarterTurn(t *testing.T) {
	img := testDigit()
	out := Rotate(90, 90)(img, rng(5)).(*image.Gray)
	// The vertical bar (x 12..14, y 5..22) becomes horizontal: lit along row 14, dark where it stood.
	if out.Pix[14*28+7] < 200 || out.Pix[14*28+20] < 200 || out.Pix[6*28+13] > 50 || out.Pix[21*28+13] > 50 {
		t.Errorf("90-degree rotation does not turn the bar: row 14 %v", out.Pix[14*28:15*28])
	}
	// Rotation moves the ink without losing it.
	if m0, m1 := mass(img.Pix), mass(out.Pix); math.Abs(m0-m1) > 0.02*m0 {
		t.Errorf("rotation changed the ink mass from %v to %v", m0, m1)
	}
}

func TestRotateRange(t *testing.T) {
	// Rotations of 45-90 degrees move a vertical bar off the vertical axis.
	img := testDigit()
	for i := uint64(0); i < 20; i++ {
		out := Rotate(45, 90)(img, rng(i)).(*image.Gray)
		if out.Pix[5*28+13] > 128 && out.Pix[22*28+13] > 128 {
			t.Fatalf("seed %d: bar still vertical after a 45-90 degree rotation", i)
		}
	}
}

func TestGaussianNoiseStddev(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	for _, sd := range []float64{0.05, 0.1, 0.2} {
		out := GaussianNoise(sd)(img, rng(7)).(*image.Gray)
		var s, s2 float64
		for _, v := range out.Pix {
			d := (float64(v) - 128) / 255
			s += d
			s2 += d * d
		}
		n := float64(len(out.Pix))
		mean := s / n
		got := math.Sqrt(s2/n - mean*mean)
		if math.Abs(got-sd) > 0.08*sd+0.002 || math.Abs(mean) > 0.01 {
			t.Errorf("noise stddev %v: got stddev %.4f, mean %.4f", sd, got, mean)
		}
	}
}

func TestBlurKeepsConstantsAndSmooths(t *testing.T) {
	flat := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range flat.Pix {
		flat.Pix[i] = 77
	}
	if out := Blur(1, 2)(flat, rng(1)); !bytes.Equal(pixels(out), flat.Pix) {
		t.Error("blur changed a constant image")
	}
	img := testDigit()
	out := Blur(1.5, 1.5)(img, rng(1)).(*image.Gray)
	if out.Pix[14*28+11] == 0 || out.Pix[14*28+13] == 255 {
		t.Error("blur did not spread the bar")
	}
	if m0, m1 := mass(img.Pix), mass(out.Pix); math.Abs(m0-m1) > 0.02*m0 {
		t.Errorf("blur changed the ink mass from %v to %v", m0, m1)
	}
}

func TestResolutionMakesBlocks(t *testing.T) {
	out := Resolution(7, 7, false)(testDigit(), rng(1)).(*image.Gray)
	// 28/7 = 4: every 4x4 block is constant.
	for by := 0; by < 7; by++ {
		for bx := 0; bx < 7; bx++ {
			v := out.Pix[(4*by)*28+4*bx]
			for y := 4 * by; y < 4*by+4; y++ {
				for x := 4 * bx; x < 4*bx+4; x++ {
					if out.Pix[y*28+x] != v {
						t.Fatalf("block (%d,%d) not constant", bx, by)
					}
				}
			}
		}
	}
}

func TestColourize(t *testing.T) {
	img := testDigit()
	for i := uint64(0); i < 10; i++ {
		out, ok := Colourize(0.35)(img, rng(i)).(*image.RGBA)
		if !ok {
			t.Fatal("Colourize did not return RGBA")
		}
		bg, ink := out.RGBAAt(0, 0), out.RGBAAt(13, 10)
		lb := 0.299*float64(bg.R) + 0.587*float64(bg.G) + 0.114*float64(bg.B)
		li := 0.299*float64(ink.R) + 0.587*float64(ink.G) + 0.114*float64(ink.B)
		if math.Abs(lb-li) < 0.35*255-2 {
			t.Errorf("seed %d: ink %v and background %v too close", i, ink, bg)
		}
	}
	a := Colourize(0.35)(img, rng(1)).(*image.RGBA)
	b := Colourize(0.35)(img, rng(2)).(*image.RGBA)
	if a.RGBAAt(0, 0) == b.RGBAAt(0, 0) {
		t.Error("different seeds gave the same background")
	}
}

func TestTextureKeepsInk(t *testing.T) {
	img := testDigit()
	tex := 0
	for i := uint64(0); i < 8; i++ {
		out := Texture(0.5, 0.5)(img, rng(i)).(*image.Gray)
		for j, v := range img.Pix {
			if v == 255 && out.Pix[j] != 255 {
				t.Fatalf("texture dimmed the ink")
			}
			if v == 0 && out.Pix[j] > 128 {
				t.Fatalf("texture brighter than its strength: %d", out.Pix[j])
			}
			if v == 0 && out.Pix[j] > 0 {
				tex++
			}
		}
	}
	if tex == 0 {
		t.Error("no texture drawn")
	}
}

func TestEdges(t *testing.T) {
	flat := image.NewGray(image.Rect(0, 0, 8, 8))
	if m := maxPix(pixels(Edges()(flat, rng(0)))); m != 0 {
		t.Errorf("edges of a flat image: max %d", m)
	}
	out := Edges()(testDigit(), rng(0)).(*image.Gray)
	// Inside the 3-pixel bar the gradient is weak; at its sides strong.
	if out.Pix[14*28+13] > out.Pix[14*28+11] || out.Pix[14*28+11] < 128 || maxPix(out.Pix) != 255 {
		t.Errorf("bar row of the edge map: %v", out.Pix[14*28:15*28])
	}
	if _, ok := Edges()(testColour(), rng(0)).(*image.Gray); !ok {
		t.Error("edges of a colour image are not gray")
	}
}

func TestChainOrder(t *testing.T) {
	img := testDigit()
	a := Chain(Invert(), Edges())(img, rng(0))
	b := Edges()(Invert()(img, rng(0)), rng(0))
	if !bytes.Equal(pixels(a), pixels(b)) {
		t.Error("Chain does not apply in order")
	}
}

func mass(p []uint8) float64 {
	s := 0.0
	for _, v := range p {
		s += float64(v)
	}
	return s
}
