package preprocess

import (
	"image"
	"math"
)

// This file reimplements PIL's Image.resize(size, Image.BICUBIC) for 8-bit
// images (libImaging/Resample.c): a separable convolution whose kernel is
// stretched by the downscale factor (antialiasing), weights normalised per
// output pixel and then quantised to fixed point with precisionBits
// fractional bits, a horizontal pass into an 8-bit intermediate image and a
// vertical pass into the output. Keeping PIL's rounding at every step makes
// the resized pixels identical to PIL's.

// precisionBits is PIL's fixed-point precision for 8-bit resampling.
const precisionBits = 32 - 8 - 2

// cubicSupport is the radius of the bicubic kernel at scale 1.
const cubicSupport = 2.0

// cubic is PIL's bicubic kernel (Keys, a = -0.5). The explicit float64
// conversions forbid fused multiply-adds, so the weights round as in C.
func cubic(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return float64(float64((a+2)*x-(a+3))*x*x) + 1
	}
	if x < 2 {
		return float64(float64(float64(float64(x-5)*x)+8)*x-4) * a
	}
	return 0
}

// weights are the fixed-point filter taps of one resampling pass, for the
// output samples [lo, lo+len(start)).
type weights struct {
	lo    int     // first output sample
	ksize int     // taps per output sample (stride of k)
	start []int   // first input sample of each output sample
	n     []int   // number of taps of each output sample
	k     []int32 // ksize taps per output sample
}

// taps returns the first input sample and the taps of output sample xx.
func (w *weights) taps(xx int) (start int, k []int32) {
	i := xx - w.lo
	return w.start[i], w.k[i*w.ksize : i*w.ksize+w.n[i]]
}

// newWeights computes PIL's taps to resample inSize samples to outSize, for
// the output samples [lo, hi) only (each depends only on its own index).
func newWeights(inSize, outSize, lo, hi int) weights {
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := cubicSupport * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	w := weights{
		lo:    lo,
		ksize: ksize,
		start: make([]int, hi-lo),
		n:     make([]int, hi-lo),
		k:     make([]int32, (hi-lo)*ksize),
	}
	ss := 1 / filterscale
	taps := make([]float64, ksize)
	for xx := lo; xx < hi; xx++ {
		center := float64(float64(xx)+0.5) * scale
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		sum := 0.0
		for x := range xmax {
			v := cubic(float64(float64(x+xmin)-center+0.5) * ss)
			taps[x] = v
			sum += v
		}
		i := xx - lo
		k := w.k[i*ksize : i*ksize+ksize]
		for x := range xmax {
			v := taps[x]
			if sum != 0 {
				v /= sum
			}
			if v < 0 {
				k[x] = int32(-0.5 + float64(v*(1<<precisionBits)))
			} else {
				k[x] = int32(0.5 + float64(v*(1<<precisionBits)))
			}
		}
		w.start[i], w.n[i] = xmin, xmax
	}
	return w
}

// clip8 converts a fixed-point accumulator to a byte like PIL: floor, then
// clamp to 0..255.
func clip8(v int32) uint8 {
	v >>= precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// resample resizes src to outW×outH with PIL's bicubic filter and returns
// only the window win of that result (win must lie inside outW×outH). Every
// output pixel depends only on its own taps, so computing just the window
// gives the same pixels as resizing everything and cropping afterwards.
func resample(src rgbImage, outW, outH int, win image.Rectangle) rgbImage {
	// Horizontal pass over the input rows that the window's output rows read.
	rowLo, rowHi := win.Min.Y, win.Max.Y
	var vw weights
	needV := outH != src.h
	if needV {
		vw = newWeights(src.h, outH, win.Min.Y, win.Max.Y)
		rowLo, rowHi = src.h, 0
		for i, s := range vw.start {
			rowLo = min(rowLo, s)
			rowHi = max(rowHi, s+vw.n[i])
		}
	}
	mid := horizontal(src, outW, win.Min.X, win.Max.X, rowLo, rowHi)
	if !needV {
		return mid
	}
	return vertical(mid, rowLo, vw, win.Min.Y, win.Max.Y)
}

// horizontal resamples rows [y0, y1) of src to width outW, keeping output
// columns [x0, x1). Without a change of width it just copies the columns.
func horizontal(src rgbImage, outW, x0, x1, y0, y1 int) rgbImage {
	w := x1 - x0
	out := rgbImage{pix: make([]uint8, 3*w*(y1-y0)), w: w, h: y1 - y0}
	if outW == src.w {
		for y := y0; y < y1; y++ {
			copy(out.pix[3*w*(y-y0):3*w*(y-y0+1)], src.pix[3*(src.w*y+x0):3*(src.w*y+x1)])
		}
		return out
	}
	hw := newWeights(src.w, outW, x0, x1)
	const half = 1 << (precisionBits - 1)
	for y := y0; y < y1; y++ {
		row := src.pix[3*src.w*y : 3*src.w*(y+1)]
		d := out.pix[3*w*(y-y0):]
		for xx := x0; xx < x1; xx++ {
			start, k := hw.taps(xx)
			s := row[3*start:]
			s0, s1, s2 := int32(half), int32(half), int32(half)
			for i, c := range k {
				p := s[3*i : 3*i+3]
				s0 += int32(p[0]) * c
				s1 += int32(p[1]) * c
				s2 += int32(p[2]) * c
			}
			o := 3 * (xx - x0)
			d[o], d[o+1], d[o+2] = clip8(s0), clip8(s1), clip8(s2)
		}
	}
	return out
}

// vertical resamples mid, whose first row is input row rowLo, with the taps
// vw and returns output rows [y0, y1).
func vertical(mid rgbImage, rowLo int, vw weights, y0, y1 int) rgbImage {
	const half = 1 << (precisionBits - 1)
	rowLen := 3 * mid.w
	out := rgbImage{pix: make([]uint8, rowLen*(y1-y0)), w: mid.w, h: y1 - y0}
	acc := make([]int32, rowLen)
	for yy := y0; yy < y1; yy++ {
		for i := range acc {
			acc[i] = half
		}
		start, k := vw.taps(yy)
		for i, c := range k {
			row := mid.pix[rowLen*(start-rowLo+i) : rowLen*(start-rowLo+i+1)]
			for j, p := range row {
				acc[j] += int32(p) * c
			}
		}
		d := out.pix[rowLen*(yy-y0) : rowLen*(yy-y0+1)]
		for j, v := range acc {
			d[j] = clip8(v)
		}
	}
	return out
}
