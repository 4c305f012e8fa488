package datasets

import (
	"bytes"
	"errors"
	"image"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestAvailableFontsAndSplit(t *testing.T) {
	fonts, err := AvailableFonts()
	if errors.Is(err, fs.ErrNotExist) && !requireData() {
		t.Skipf("fonts missing: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]*Font{}
	for _, f := range fonts {
		if names[f.Name] != nil {
			t.Errorf("font %s listed twice", f.Name)
		}
		names[f.Name] = f
	}
	for _, g := range goFonts {
		if names[g.name] == nil {
			t.Errorf("Go font %s missing", g.name)
		}
	}
	if f := names["Go-Regular"]; f != nil && f.HeldOut {
		t.Error("Go-Regular is held out")
	}
	pre, held := PretrainingFonts(fonts), HeldOutFonts(fonts)
	if len(pre) == 0 || len(held) == 0 || len(pre)+len(held) != len(fonts) {
		t.Fatalf("split: %d pretraining, %d held out of %d", len(pre), len(held), len(fonts))
	}
	families := map[string]bool{}
	for _, f := range held {
		families[f.Family] = true
	}
	for _, f := range pre {
		if families[f.Family] {
			t.Errorf("family %s on both sides", f.Family)
		}
	}
	// The fonts world/model was pretrained with and FontDigits is rendered from: the Go fonts and the listed
	// files, each once, nothing else.
	if len(fonts) != len(goFonts)+len(worldFontFiles) || len(pre) != 79 || len(held) != 29 {
		t.Errorf("%d fonts (%d pretraining, %d held out), want %d (79, 29)", len(fonts), len(pre), len(held),
			len(goFonts)+len(worldFontFiles))
	}
	for _, ff := range worldFontFiles {
		if f := names[ff.Name]; f == nil || f.Path != filepath.Join(SystemFontDir, ff.Path) {
			t.Errorf("listed font %s not loaded from %s", ff.Name, ff.Path)
		}
	}
}

func TestHeldOutFamilyIsFixed(t *testing.T) {
	if !HeldOutFamily("Nimbus Roman") || !HeldOutFamily("FreeSerif") || HeldOutFamily("DejaVu Sans") || HeldOutFamily("Go") {
		t.Error("known families on the wrong side")
	}
	if HeldOutFamily("Some New Family") != HeldOutFamily("Some New Family") {
		t.Error("hash split not deterministic")
	}
}

func TestGoFontsOnlySplit(t *testing.T) {
	fonts, err := LoadFontFiles(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fonts) != len(goFonts) || len(HeldOutFonts(fonts)) == 0 || len(PretrainingFonts(fonts)) == 0 {
		t.Errorf("Go fonts only: %d fonts, %d held out", len(fonts), len(HeldOutFonts(fonts)))
	}
}

func TestRenderText(t *testing.T) {
	fonts, _ := LoadFontFiles("", nil)
	f := fonts[0]
	a, err := RenderText(f, "7", 28, 28, DigitStyle, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RenderText(f, "7", 28, 28, DigitStyle, rng(1))
	c, _ := RenderText(f, "7", 28, 28, DigitStyle, rng(2))
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("same seed, different rendition")
	}
	if bytes.Equal(a.Pix, c.Pix) {
		t.Error("different seed, same rendition")
	}
	// Centred: the ink's bounding box centre is within MaxShift (+1 for rounding) of the frame centre, and
	// the frame border is black.
	x0, y0, x1, y1 := inkBox(a)
	if cx, cy := float64(x0+x1)/2, float64(y0+y1)/2; cx < 13.5-2.5 || cx > 13.5+2.5 || cy < 13.5-2.5 || cy > 13.5+2.5 {
		t.Errorf("ink box %d,%d-%d,%d not centred", x0, y0, x1, y1)
	}
	if x0 == 0 || y0 == 0 || x1 == 27 || y1 == 27 {
		t.Errorf("ink touches the frame: %d,%d-%d,%d", x0, y0, x1, y1)
	}
	word, err := RenderText(f, "wise ft", 64, 24, RenderStyle{MinSize: 0.9, MaxSize: 0.9}, rng(1))
	if err != nil || word.Bounds().Dx() != 64 || word.Bounds().Dy() != 24 {
		t.Fatalf("word: %v %v", word.Bounds(), err)
	}
	if _, err := RenderText(f, "\u4e2d", 28, 28, DigitStyle, rng(1)); err == nil {
		t.Error("missing glyph not reported")
	}
	if f.Covers("\u4e2d") || !f.Covers("0 9") {
		t.Error("Covers wrong")
	}
}

func TestFontDigitsSplits(t *testing.T) {
	ds, err := Open("FontDigits", Options{})
	if err != nil {
		t.Fatal(err)
	}
	test := ds.(*FontDataset)
	if test.Len() != 10000 {
		t.Errorf("FontDigits test has %d examples", test.Len())
	}
	for _, f := range test.Fonts() {
		if !f.HeldOut {
			t.Errorf("test split uses pretraining font %s", f.Name)
		}
	}
	full, _ := Open("FontDigits", Options{Split: Train})
	if full.Len() != 60000 {
		t.Errorf("FontDigits train has %d examples", full.Len())
	}
	for _, f := range full.(*FontDataset).Fonts() {
		if f.HeldOut {
			t.Errorf("train split uses held-out font %s", f.Name)
		}
	}
	for i := 0; i < 20; i++ {
		img, label, font, err := test.Rendition(i)
		if err != nil || label != i%10 || !font.HeldOut || maxPix(img.Pix) < 200 {
			t.Fatalf("rendition %d: label %d font %v err %v", i, label, font, err)
		}
	}
}

// inkBox is the bounding box of pixels above 64.
func inkBox(g *image.Gray) (x0, y0, x1, y1 int) {
	b := g.Bounds()
	x0, y0, x1, y1 = b.Dx(), b.Dy(), -1, -1
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if g.Pix[y*g.Stride+x] > 64 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	return
}

func TestDilate(t *testing.T) {
	w, h := 7, 6
	pix := make([]uint8, w*h)
	pix[2*w+3] = 200
	pix[0] = 50
	for r := 0; r <= 2; r++ {
		out := dilate(pix, w, h, r)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				want := uint8(0)
				for j := max(0, y-r); j <= min(h-1, y+r); j++ {
					for i := max(0, x-r); i <= min(w-1, x+r); i++ {
						want = max(want, pix[j*w+i])
					}
				}
				if out[y*w+x] != want {
					t.Fatalf("radius %d: (%d,%d) = %d, want %d", r, x, y, out[y*w+x], want)
				}
			}
		}
	}
}
