package preprocess

import (
	"encoding/binary"
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The golden files come from testdata/make_golden.py (PIL 9.4, numpy).

type goldenCase struct {
	Input    string `json:"input"`
	Size     int    `json:"size"`
	Box      []int  `json:"box"` // crop (left, top, right, bottom) then resize; nil: Eval
	Expected string `json:"expected"`
}

type goldenFile struct {
	Mean  [3]float32   `json:"mean"`
	Std   [3]float32   `json:"std"`
	Cases []goldenCase `json:"cases"`
}

func readGolden(t *testing.T) goldenFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func readFloats(t *testing.T, name string) []float32 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(data)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return out
}

func loadTestImage(t testing.TB, name string) image.Image {
	t.Helper()
	img, err := LoadImage(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func maxAbsDiff(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

func TestGoldenMeanStd(t *testing.T) {
	g := readGolden(t)
	if g.Mean != DefaultMean || g.Std != DefaultStd {
		t.Errorf("golden mean/std %v %v, package %v %v", g.Mean, g.Std, DefaultMean, DefaultStd)
	}
}

// TestGoldenPIL compares Eval and the Train pixel path (crop, then resize to
// Size×Size) with PIL's BICUBIC resize followed by torchvision's ToTensor
// and Normalize. The resampler copies PIL's fixed-point arithmetic, so the
// match is exact.
func TestGoldenPIL(t *testing.T) {
	g := readGolden(t)
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Expected, func(t *testing.T) {
			img := loadTestImage(t, c.Input)
			tr := New(c.Size)
			var got []float32
			if c.Box == nil {
				got = tr.Eval(img)
			} else {
				got = make([]float32, tr.Len())
				tr.cropInto(got, img, image.Rect(c.Box[0], c.Box[1], c.Box[2], c.Box[3]))
			}
			want := readFloats(t, c.Expected)
			if len(got) != len(want) {
				t.Fatalf("len %d, want %d", len(got), len(want))
			}
			d := maxAbsDiff(got, want)
			t.Logf("max abs diff from PIL %g", d)
			if d > 1e-6 {
				t.Errorf("max abs diff from PIL %g", d)
			}
		})
	}
}

// decodeDiff returns the max and mean absolute difference, in 8-bit levels,
// between Go's image/jpeg decoding of a JPEG file and PIL's decoded pixels of
// it (libjpeg-turbo, where built in, gives PIL's: jpeg_parity_test.go).
func decodeDiff(t *testing.T, jpegFile, pilFile string) (image.Image, int, float64) {
	t.Helper()
	goImg, pilImg := decodeFile(t, jpegFile, decodeOptions{pureGo: true}), loadTestImage(t, pilFile)
	if goImg.Bounds() != pilImg.Bounds() {
		t.Fatalf("bounds %v vs %v", goImg.Bounds(), pilImg.Bounds())
	}
	a, b := toRGB(goImg, goImg.Bounds()), toRGB(pilImg, pilImg.Bounds())
	maxD, sum := 0, 0
	for i := range a.pix {
		d := int(a.pix[i]) - int(b.pix[i])
		d = max(d, -d)
		maxD = max(maxD, d)
		sum += d
	}
	return goImg, maxD, float64(sum) / float64(len(a.pix))
}

// TestJPEG444DecodeMatchesPIL: with full-resolution chroma the only
// differences between Go's decoder and libjpeg (PIL) are the rounding of
// the IDCT and of the YCbCr->RGB conversion, a level or two.
func TestJPEG444DecodeMatchesPIL(t *testing.T) {
	_, maxD, mean := decodeDiff(t, "photo444_64x48.jpg", "photo444_64x48_pil.png")
	t.Logf("4:4:4 JPEG, Go vs libjpeg: max %d, mean %.3f levels", maxD, mean)
	if maxD > 3 || mean > 0.5 {
		t.Errorf("4:4:4 JPEG, Go vs libjpeg: max %d levels (limit 3), mean %.3f (limit 0.5)", maxD, mean)
	}
}

// TestJPEG420CloseToPIL: with 4:2:0 chroma, libjpeg upsamples chroma with a
// triangle filter ("fancy upsampling") while Go's decoder repeats each
// chroma sample over 2x2 pixels. Where colour changes sharply (the test
// image has a saturated disc and a hard-edged block) single pixels differ by
// tens of levels, but on average by a few. The resize's antialiasing
// averages most of it away; the Eval bound below allows 20 levels at the
// worst output value (20/255/min(std) ~ 0.30 after normalisation), while
// smooth photographs differ far less.
func TestJPEG420CloseToPIL(t *testing.T) {
	goImg, maxD, mean := decodeDiff(t, "photo_64x48.jpg", "photo_64x48_pil.png")
	t.Logf("4:2:0 JPEG, Go vs libjpeg: max %d, mean %.3f levels", maxD, mean)
	if mean > 4 {
		t.Errorf("4:2:0 JPEG, Go vs libjpeg: mean %.3f levels (limit 4)", mean)
	}
	var c *goldenCase
	g := readGolden(t)
	for i := range g.Cases {
		if g.Cases[i].Input == "photo_64x48_pil.png" && g.Cases[i].Box == nil {
			c = &g.Cases[i]
		}
	}
	if c == nil {
		t.Fatal("no Eval golden case for the JPEG")
	}
	got := New(c.Size).Eval(goImg)
	want := readFloats(t, c.Expected)
	limit := 20.0 / 255 / float64(DefaultStd[1])
	d := maxAbsDiff(got, want)
	t.Logf("Eval of Go-decoded 4:2:0 JPEG vs PIL: max abs diff %.4f (limit %.4f)", d, limit)
	if d > limit {
		t.Errorf("Eval of Go-decoded JPEG differs from PIL by %g > %g", d, limit)
	}
}
