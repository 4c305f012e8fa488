package datasets

import (
	"math"
	"math/rand/v2"
)

// Rotate rotates about the image centre by an angle whose magnitude is uniform in [minDeg, maxDeg] degrees
// and whose direction (clockwise or counter-clockwise) is random. Pixels from outside the image repeat the
// border (black for MNIST). Rotate(0, 0) is the identity.
func Rotate(minDeg, maxDeg float64) Corruption {
	return planeOp(func(p *planes, r *rand.Rand) *planes {
		deg := uniform(r, minDeg, maxDeg)
		if r.IntN(2) == 0 {
			deg = -deg
		}
		return p.rotate(deg * math.Pi / 180)
	})
}

// Scale zooms about the image centre by a factor uniform in [minFactor, maxFactor] (below 1 shrinks the
// content, above 1 enlarges and crops it). Scale(1, 1) is the identity.
func Scale(minFactor, maxFactor float64) Corruption {
	return planeOp(func(p *planes, r *rand.Rand) *planes {
		return p.affine(uniform(r, minFactor, maxFactor), 0)
	})
}

// rotate turns p by theta radians (counter-clockwise on screen for positive theta).
func (p *planes) rotate(theta float64) *planes { return p.affine(1, theta) }

// affine scales p by s and rotates it by theta about its centre, sampling bilinearly with the inverse map.
func (p *planes) affine(s, theta float64) *planes {
	if s == 1 && theta == 0 {
		return p.clone()
	}
	q := newPlanes(p.w, p.h, p.c)
	cx, cy := float64(p.w-1)/2, float64(p.h-1)/2
	cos, sin := math.Cos(theta)/s, math.Sin(theta)/s
	for y := 0; y < p.h; y++ {
		dy := float64(y) - cy
		for x := 0; x < p.w; x++ {
			dx := float64(x) - cx
			sx := cos*dx - sin*dy + cx
			sy := sin*dx + cos*dy + cy
			for ch := 0; ch < p.c; ch++ {
				q.pix[(y*p.w+x)*p.c+ch] = p.bilinear(sx, sy, ch)
			}
		}
	}
	return q
}
