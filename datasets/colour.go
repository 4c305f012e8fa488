package datasets

import (
	"math"
	"math/rand/v2"
)

// Colourize paints the image with a random ink colour on a random background colour (RGB output): the
// image's luminance v in [0, 1] becomes background + v*(ink - background), so white-on-black digits get
// coloured ink on a coloured background. The two colours differ in luminance by at least minContrast
// (clamped to [0, 0.9]) so the content stays visible.
func Colourize(minContrast float64) Corruption {
	minContrast = math.Min(math.Max(minContrast, 0), 0.9)
	return planeOp(func(p *planes, r *rand.Rand) *planes {
		v := p.luminance()
		var ink, bg [3]float32
		for {
			for ch := range 3 {
				ink[ch], bg[ch] = r.Float32(), r.Float32()
			}
			if math.Abs(float64(lum(ink)-lum(bg))) >= minContrast {
				break
			}
		}
		q := newPlanes(p.w, p.h, 3)
		for i, a := range v.pix {
			for ch := range 3 {
				q.pix[3*i+ch] = bg[ch] + a*(ink[ch]-bg[ch])
			}
		}
		return q
	})
}

// lum is the Rec. 601 luminance of an RGB colour.
func lum(c [3]float32) float32 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }

// Texture puts a random background texture behind the content: smooth blotches, stripes at a random angle,
// a checkerboard or speckle grain, of intensity uniform in [minStrength, maxStrength]. Bright content
// (ink, for MNIST) stays on top: v becomes v + (1 - v)*strength*texture.
func Texture(minStrength, maxStrength float64) Corruption {
	return planeOp(func(p *planes, r *rand.Rand) *planes {
		tex := randomTexture(p.w, p.h, r)
		s := float32(uniform(r, minStrength, maxStrength))
		q := p.clone()
		for i := range q.pix {
			t := tex.pix[i/p.c]
			q.pix[i] += (1 - q.pix[i]) * s * t
		}
		return q
	})
}

// randomTexture makes a one-channel w x h texture with values in [0, 1], of a random kind.
func randomTexture(w, h int, r *rand.Rand) *planes {
	t := newPlanes(w, h, 1)
	switch r.IntN(4) {
	case 0: // smooth blotches: coarse random grid, upsampled
		g := 3 + r.IntN(4)
		coarse := newPlanes(g, g, 1)
		for i := range coarse.pix {
			coarse.pix[i] = r.Float32()
		}
		t = coarse.resizeBilinear(w, h)
	case 1: // stripes
		phi := r.Float64() * math.Pi
		period := 3 + 5*r.Float64()
		phase := r.Float64() * 2 * math.Pi
		c, s := math.Cos(phi), math.Sin(phi)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				t.pix[y*w+x] = float32(0.5 + 0.5*math.Sin(2*math.Pi*(float64(x)*c+float64(y)*s)/period+phase))
			}
		}
	case 2: // checkerboard
		cell := 2 + r.IntN(5)
		ox, oy := r.IntN(cell), r.IntN(cell)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if ((x+ox)/cell+(y+oy)/cell)%2 == 0 {
					t.pix[y*w+x] = 1
				}
			}
		}
	default: // speckle grain, slightly blurred
		for i := range t.pix {
			if r.Float32() < 0.25 {
				t.pix[i] = 1
			}
		}
		t = t.gaussianBlur(0.6)
		var mx float32
		for _, v := range t.pix {
			mx = max(mx, v)
		}
		if mx > 0 {
			for i := range t.pix {
				t.pix[i] /= mx
			}
		}
	}
	return t
}
