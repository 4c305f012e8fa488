package datasets

import (
	"image"
	"math/rand/v2"
)

// GaussianNoise adds independent Gaussian noise of standard deviation stddev (in units of the full range,
// so 0.1 is about 25 grey levels) to every pixel and channel, clipping to the valid range.
func GaussianNoise(stddev float64) Corruption {
	return planeOp(func(p *planes, r *rand.Rand) *planes {
		q := p.clone()
		for i, v := range q.pix {
			q.pix[i] = v + float32(r.NormFloat64()*stddev)
		}
		return q
	})
}

// Blur applies a Gaussian blur whose standard deviation is uniform in [minSigma, maxSigma] pixels.
func Blur(minSigma, maxSigma float64) Corruption {
	return planeOp(func(p *planes, r *rand.Rand) *planes {
		return p.gaussianBlur(uniform(r, minSigma, maxSigma))
	})
}

// Invert maps every value v to its complement (255 - v for 8-bit images): white ink on black becomes black
// ink on white. Applying it twice gives the original image back exactly.
func Invert() Corruption {
	return planeOp(func(p *planes, _ *rand.Rand) *planes {
		q := p.clone()
		for i, v := range q.pix {
			q.pix[i] = 1 - v
		}
		return q
	})
}

// Resolution lowers the resolution: the image is shrunk by area averaging so that its larger side has a
// size uniform in [minSize, maxSize] pixels, then brought back to its size, blocky (nearest neighbour) or,
// with smooth, bilinear.
func Resolution(minSize, maxSize int, smooth bool) Corruption {
	return func(img image.Image, r *rand.Rand) image.Image {
		p := toPlanes(img)
		s := minSize
		if maxSize > minSize {
			s += r.IntN(maxSize - minSize + 1)
		}
		s = max(s, 1)
		nw, nh := s, s
		if p.w > p.h {
			nh = max(1, s*p.h/p.w)
		} else if p.h > p.w {
			nw = max(1, s*p.w/p.h)
		}
		small := p.resizeArea(nw, nh)
		if smooth {
			return small.resizeBilinear(p.w, p.h).image()
		}
		return small.resizeNearest(p.w, p.h).image()
	}
}
