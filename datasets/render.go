package datasets

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// RenderStyle sets the random variation of rendered text. Every rendition draws its size, offset, rotation,
// slant and stroke from the random source it is given; a zero field means no variation of that kind.
type RenderStyle struct {
	// MinSize and MaxSize bound the size of the text's bounding box, as a fraction of the frame: the larger
	// of (box width / frame width, box height / frame height) is drawn uniformly from [MinSize, MaxSize].
	MinSize, MaxSize float64
	// MaxShift is the largest offset of the box centre from the frame centre, in pixels, per axis.
	MaxShift float64
	// MaxRotate is the largest rotation, in degrees, either way.
	MaxRotate float64
	// MaxShear is the largest horizontal slant (x += shear*y), either way.
	MaxShear float64
	// MaxStroke is the largest extra stroke width, in pixels: strokes are thickened by a width drawn
	// uniformly from 0, 0.5, 1, ... up to MaxStroke (a quarter pixel on each side per step).
	MaxStroke float64
}

// DigitStyle is the rendition style of FontDigits: MNIST-like placement (the digit's larger side about 20 of
// 28 pixels, roughly centred) with mild rotation, slant and stroke variation.
var DigitStyle = RenderStyle{MinSize: 0.55, MaxSize: 0.78, MaxShift: 1.5, MaxRotate: 10, MaxShear: 0.2, MaxStroke: 1}

// supersample is the factor at which glyphs are rasterised before being averaged down, so that stroke
// thickening has half-pixel steps (a quarter pixel a side) and edges are smooth.
const supersample = 4

// RenderText renders text in font f, white on black, into a w x h grayscale image, placed and varied as style
// says with random numbers from r. Text may hold several characters (words); a rune the font lacks is an error.
func RenderText(f *Font, text string, w, h int, style RenderStyle, r *rand.Rand) (*image.Gray, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("datasets: RenderText: bad size %dx%d", w, h)
	}
	// Outline in font units at a nominal 64 ppem, y down, glyphs laid out with advances and kerning.
	const ppem = fixed.Int26_6(64 << 6)
	var buf sfnt.Buffer
	type pt struct{ x, y float64 }
	type seg struct {
		op  sfnt.SegmentOp
		pts [3]pt
	}
	var segs []seg
	pen := 0.0
	prev := sfnt.GlyphIndex(0)
	for _, ru := range text {
		x, err := f.f.GlyphIndex(&buf, ru)
		if err != nil || (x == 0 && ru != ' ') {
			return nil, fmt.Errorf("datasets: font %s has no glyph for %q", f.Name, ru)
		}
		if prev != 0 {
			if k, err := f.f.Kern(&buf, prev, x, ppem, font.HintingNone); err == nil {
				pen += float64(k) / 64
			}
		}
		gs, err := f.f.LoadGlyph(&buf, x, ppem, nil)
		if err != nil {
			return nil, fmt.Errorf("datasets: font %s, glyph %q: %w", f.Name, ru, err)
		}
		for _, s := range gs {
			var q seg
			q.op = s.Op
			for i, a := range s.Args {
				q.pts[i] = pt{pen + float64(a.X)/64, float64(a.Y) / 64}
			}
			segs = append(segs, q)
		}
		adv, err := f.f.GlyphAdvance(&buf, x, ppem, font.HintingNone)
		if err != nil {
			return nil, fmt.Errorf("datasets: font %s, glyph %q: %w", f.Name, ru, err)
		}
		pen += float64(adv) / 64
		prev = x
	}
	if len(segs) == 0 {
		return image.NewGray(image.Rect(0, 0, w, h)), nil
	}

	// Random shape: slant then rotation about the origin; then the bounding box decides scale and placement.
	shear := (2*r.Float64() - 1) * style.MaxShear
	theta := (2*r.Float64() - 1) * style.MaxRotate * math.Pi / 180
	size := uniform(r, style.MinSize, style.MaxSize)
	if size <= 0 {
		size = 0.7
	}
	shiftX := (2*r.Float64() - 1) * style.MaxShift
	shiftY := (2*r.Float64() - 1) * style.MaxShift
	stroke := 0
	if style.MaxStroke > 0 {
		stroke = r.IntN(int(style.MaxStroke*2+1e-9) + 1) // dilation radius in subpixels: +0.5 px width each
	}
	cos, sin := math.Cos(theta), math.Sin(theta)
	shape := func(p pt) pt {
		x := p.x + shear*(-p.y) // y is down: slant the tops to the right for positive shear
		return pt{cos*x - sin*p.y, sin*x + cos*p.y}
	}
	nargs := func(op sfnt.SegmentOp) int {
		switch op {
		case sfnt.SegmentOpQuadTo:
			return 2
		case sfnt.SegmentOpCubeTo:
			return 3
		}
		return 1
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range segs {
		for j := 0; j < nargs(segs[i].op); j++ {
			p := shape(segs[i].pts[j])
			segs[i].pts[j] = p
			minX, maxX = math.Min(minX, p.x), math.Max(maxX, p.x)
			minY, maxY = math.Min(minY, p.y), math.Max(maxY, p.y)
		}
	}
	bw, bh := math.Max(maxX-minX, 1e-6), math.Max(maxY-minY, 1e-6)
	scale := size * math.Min(float64(w)/bw, float64(h)/bh)
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	ox, oy := float64(w)/2+shiftX, float64(h)/2+shiftY
	place := func(p pt) (float32, float32) {
		return float32(((p.x-cx)*scale + ox) * supersample), float32(((p.y-cy)*scale + oy) * supersample)
	}

	W, H := w*supersample, h*supersample
	z := vector.NewRasterizer(W, H)
	for _, s := range segs {
		switch s.op {
		case sfnt.SegmentOpMoveTo:
			z.ClosePath()
			x, y := place(s.pts[0])
			z.MoveTo(x, y)
		case sfnt.SegmentOpLineTo:
			x, y := place(s.pts[0])
			z.LineTo(x, y)
		case sfnt.SegmentOpQuadTo:
			x1, y1 := place(s.pts[0])
			x2, y2 := place(s.pts[1])
			z.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := place(s.pts[0])
			x2, y2 := place(s.pts[1])
			x3, y3 := place(s.pts[2])
			z.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	z.ClosePath()
	mask := image.NewAlpha(image.Rect(0, 0, W, H))
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	hi := dilate(mask.Pix, W, H, stroke)

	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum := 0
			for dy := 0; dy < supersample; dy++ {
				for dx := 0; dx < supersample; dx++ {
					sum += int(hi[(y*supersample+dy)*W+x*supersample+dx])
				}
			}
			out.Pix[y*w+x] = uint8((sum + supersample*supersample/2) / (supersample * supersample))
		}
	}
	return out, nil
}

// dilate thickens bright strokes of a w x h 8-bit image by radius pixels (a max filter over a square of side
// 2*radius+1, done as radius passes of a 3x3 max, each separable); radius 0 returns pix itself.
func dilate(pix []uint8, w, h, radius int) []uint8 {
	if radius <= 0 || w < 2 || h < 2 {
		return pix
	}
	cur := append([]uint8(nil), pix...)
	tmp := make([]uint8, len(pix))
	for range radius {
		for y := 0; y < h; y++ {
			src, dst := cur[y*w:(y+1)*w], tmp[y*w:(y+1)*w]
			dst[0] = max(src[0], src[1])
			for x := 1; x < w-1; x++ {
				dst[x] = max(src[x-1], src[x], src[x+1])
			}
			dst[w-1] = max(src[w-2], src[w-1])
		}
		copy(cur[:w], tmp[:w])
		for i := range w {
			cur[i] = max(tmp[i], tmp[w+i])
			cur[(h-1)*w+i] = max(tmp[(h-2)*w+i], tmp[(h-1)*w+i])
		}
		for y := 1; y < h-1; y++ {
			up, mid, down, dst := tmp[(y-1)*w:y*w], tmp[y*w:(y+1)*w], tmp[(y+1)*w:(y+2)*w], cur[y*w:(y+1)*w]
			for x := range dst {
				dst[x] = max(up[x], mid[x], down[x])
			}
		}
	}
	return cur
}
