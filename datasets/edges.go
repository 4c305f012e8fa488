package datasets

import (
	"math"
	"math/rand/v2"
)

// Edges replaces the image by its Sobel edge map: the gradient magnitude of the luminance, scaled so the
// strongest edge is white, as one-channel (gray) output. Strokes become their outlines, like a line sketch;
// combine with Invert for dark lines on white paper.
func Edges() Corruption {
	return planeOp(func(p *planes, _ *rand.Rand) *planes {
		return p.luminance().sobel()
	})
}

// sobel returns the normalised Sobel gradient magnitude of a one-channel image.
func (p *planes) sobel() *planes {
	q := newPlanes(p.w, p.h, 1)
	var mx float32
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			gx := (p.at(x+1, y-1, 0) + 2*p.at(x+1, y, 0) + p.at(x+1, y+1, 0)) -
				(p.at(x-1, y-1, 0) + 2*p.at(x-1, y, 0) + p.at(x-1, y+1, 0))
			gy := (p.at(x-1, y+1, 0) + 2*p.at(x, y+1, 0) + p.at(x+1, y+1, 0)) -
				(p.at(x-1, y-1, 0) + 2*p.at(x, y-1, 0) + p.at(x+1, y-1, 0))
			m := float32(math.Sqrt(float64(gx*gx + gy*gy)))
			q.pix[y*p.w+x] = m
			mx = max(mx, m)
		}
	}
	if mx > 0 {
		for i := range q.pix {
			q.pix[i] /= mx
		}
	}
	return q
}
