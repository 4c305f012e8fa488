package datasets

import (
	"image"
	"math"
)

// planes is an image as float32 values in [0, 1]: one channel (grayscale) or three (RGB), interleaved.
// The corruptions work on planes so that each of them applies to gray and colour images alike.
type planes struct {
	w, h, c int
	pix     []float32 // (y*w+x)*c + channel
}

// newPlanes makes a black w x h image with c channels.
func newPlanes(w, h, c int) *planes {
	return &planes{w: w, h: h, c: c, pix: make([]float32, w*h*c)}
}

// clone returns a copy of p.
func (p *planes) clone() *planes {
	q := &planes{w: p.w, h: p.h, c: p.c, pix: make([]float32, len(p.pix))}
	copy(q.pix, p.pix)
	return q
}

// toPlanes converts an image: *image.Gray and *image.Gray16 give one channel, anything else three
// (alpha composited over black).
func toPlanes(img image.Image) *planes {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		p := newPlanes(w, h, 1)
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				p.pix[y*w+x] = float32(row[x]) / 255
			}
		}
		return p
	case *image.Gray16:
		p := newPlanes(w, h, 1)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p.pix[y*w+x] = float32(m.Gray16At(b.Min.X+x, b.Min.Y+y).Y) / 65535
			}
		}
		return p
	case *image.RGBA:
		p := newPlanes(w, h, 3)
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				for ch := 0; ch < 3; ch++ {
					p.pix[(y*w+x)*3+ch] = float32(row[4*x+ch]) / 255
				}
			}
		}
		return p
	}
	p := newPlanes(w, h, 3)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := (y*w + x) * 3
			p.pix[i], p.pix[i+1], p.pix[i+2] = float32(r)/65535, float32(g)/65535, float32(bl)/65535
		}
	}
	return p
}

// to8 rounds a value in [0, 1] to a byte, clamping.
func to8(v float32) uint8 {
	if !(v > 0) { // also catches NaN
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// image converts p back: *image.Gray for one channel, *image.RGBA (opaque) for three.
func (p *planes) image() image.Image {
	if p.c == 1 {
		img := image.NewGray(image.Rect(0, 0, p.w, p.h))
		for i, v := range p.pix {
			img.Pix[i] = to8(v)
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, p.w, p.h))
	for i := 0; i < p.w*p.h; i++ {
		img.Pix[4*i] = to8(p.pix[3*i])
		img.Pix[4*i+1] = to8(p.pix[3*i+1])
		img.Pix[4*i+2] = to8(p.pix[3*i+2])
		img.Pix[4*i+3] = 255
	}
	return img
}

// at returns channel ch at integer (x, y), clamping coordinates to the border.
func (p *planes) at(x, y, ch int) float32 {
	x = min(max(x, 0), p.w-1)
	y = min(max(y, 0), p.h-1)
	return p.pix[(y*p.w+x)*p.c+ch]
}

// bilinear samples channel ch at (x, y) in pixel-index coordinates (pixel centres at integers), clamping to
// the border. At integer coordinates it returns the pixel exactly.
func (p *planes) bilinear(x, y float64, ch int) float32 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := float32(x-x0), float32(y-y0)
	ix, iy := int(x0), int(y0)
	v00 := p.at(ix, iy, ch)
	if fx == 0 && fy == 0 {
		return v00
	}
	v10 := p.at(ix+1, iy, ch)
	v01 := p.at(ix, iy+1, ch)
	v11 := p.at(ix+1, iy+1, ch)
	return (v00*(1-fx)+v10*fx)*(1-fy) + (v01*(1-fx)+v11*fx)*fy
}

// luminance returns a one-channel copy of p (Rec. 601 weights for RGB).
func (p *planes) luminance() *planes {
	if p.c == 1 {
		return p.clone()
	}
	q := newPlanes(p.w, p.h, 1)
	for i := range q.pix {
		q.pix[i] = 0.299*p.pix[3*i] + 0.587*p.pix[3*i+1] + 0.114*p.pix[3*i+2]
	}
	return q
}

// resizeArea shrinks (or grows) p to nw x nh by averaging the source area each output pixel covers.
func (p *planes) resizeArea(nw, nh int) *planes {
	q := newPlanes(nw, nh, p.c)
	sx, sy := float64(p.w)/float64(nw), float64(p.h)/float64(nh)
	for oy := 0; oy < nh; oy++ {
		y0, y1 := float64(oy)*sy, float64(oy+1)*sy
		for ox := 0; ox < nw; ox++ {
			x0, x1 := float64(ox)*sx, float64(ox+1)*sx
			var acc [3]float64
			var wsum float64
			for y := int(y0); y < int(math.Ceil(y1)) && y < p.h; y++ {
				wy := math.Min(y1, float64(y+1)) - math.Max(y0, float64(y))
				for x := int(x0); x < int(math.Ceil(x1)) && x < p.w; x++ {
					wx := math.Min(x1, float64(x+1)) - math.Max(x0, float64(x))
					wgt := wx * wy
					if wgt <= 0 {
						continue
					}
					for ch := 0; ch < p.c; ch++ {
						acc[ch] += wgt * float64(p.pix[(y*p.w+x)*p.c+ch])
					}
					wsum += wgt
				}
			}
			for ch := 0; ch < p.c; ch++ {
				q.pix[(oy*nw+ox)*p.c+ch] = float32(acc[ch] / wsum)
			}
		}
	}
	return q
}

// resizeBilinear resamples p to nw x nh with bilinear interpolation (pixel centres aligned).
func (p *planes) resizeBilinear(nw, nh int) *planes {
	q := newPlanes(nw, nh, p.c)
	sx, sy := float64(p.w)/float64(nw), float64(p.h)/float64(nh)
	for oy := 0; oy < nh; oy++ {
		y := (float64(oy)+0.5)*sy - 0.5
		for ox := 0; ox < nw; ox++ {
			x := (float64(ox)+0.5)*sx - 0.5
			for ch := 0; ch < p.c; ch++ {
				q.pix[(oy*nw+ox)*p.c+ch] = p.bilinear(x, y, ch)
			}
		}
	}
	return q
}

// resizeNearest resamples p to nw x nh by nearest neighbour (blocky upsampling).
func (p *planes) resizeNearest(nw, nh int) *planes {
	q := newPlanes(nw, nh, p.c)
	for oy := 0; oy < nh; oy++ {
		y := min(int((float64(oy)+0.5)*float64(p.h)/float64(nh)), p.h-1)
		for ox := 0; ox < nw; ox++ {
			x := min(int((float64(ox)+0.5)*float64(p.w)/float64(nw)), p.w-1)
			copy(q.pix[(oy*nw+ox)*p.c:(oy*nw+ox+1)*p.c], p.pix[(y*p.w+x)*p.c:(y*p.w+x+1)*p.c])
		}
	}
	return q
}

// gaussianBlur blurs p with a Gaussian of standard deviation sigma pixels (separable, border clamped).
func (p *planes) gaussianBlur(sigma float64) *planes {
	if sigma <= 0 {
		return p.clone()
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var sum float32
	for i := -r; i <= r; i++ {
		k[i+r] = float32(math.Exp(-float64(i*i) / (2 * sigma * sigma)))
		sum += k[i+r]
	}
	for i := range k {
		k[i] /= sum
	}
	tmp := newPlanes(p.w, p.h, p.c)
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			for ch := 0; ch < p.c; ch++ {
				var acc float32
				for i := -r; i <= r; i++ {
					acc += k[i+r] * p.at(x+i, y, ch)
				}
				tmp.pix[(y*p.w+x)*p.c+ch] = acc
			}
		}
	}
	out := newPlanes(p.w, p.h, p.c)
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			for ch := 0; ch < p.c; ch++ {
				var acc float32
				for i := -r; i <= r; i++ {
					acc += k[i+r] * tmp.at(x, y+i, ch)
				}
				out.pix[(y*p.w+x)*p.c+ch] = acc
			}
		}
	}
	return out
}
