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
// only the window win of that result (win must lie inside outW×outH), in a
// pooled buffer the caller releases. Every
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
	defer mid.release()
	return vertical(mid, rowLo, vw, win.Min.Y, win.Max.Y)
}

// horizontal resamples rows [y0, y1) of src to width outW, keeping output
// columns [x0, x1). Without a change of width it just copies the columns.
func horizontal(src rgbImage, outW, x0, x1, y0, y1 int) rgbImage {
	w := x1 - x0
	out := newPooledRGB(w, y1-y0)
	if outW == src.w {
		for y := y0; y < y1; y++ {
			copy(out.pix[3*w*(y-y0):3*w*(y-y0+1)], src.pix[3*(src.w*y+x0):3*(src.w*y+x1)])
		}
		return out
	}
	hw := newWeights(src.w, outW, x0, x1)
	row := func(y int) []uint8 { return src.pix[3*src.w*y : 3*src.w*(y+1)] }
	dst := func(y int) []uint8 { return out.pix[3*w*(y-y0) : 3*w*(y-y0+1)] }
	y := y0
	for ; y+1 < y1; y += 2 { // two rows per pass: the taps are loaded once for both
		ra, rb, da, db := row(y), row(y+1), dst(y), dst(y+1)
		for xx := x0; xx < x1; xx++ {
			start, k := hw.taps(xx)
			a0, a1, a2, b0, b1, b2 := dot3x2(ra[3*start:], rb[3*start:], k)
			o := 3 * (xx - x0)
			p, q := da[o:o+3:o+3], db[o:o+3:o+3]
			p[0], p[1], p[2] = clip8(a0), clip8(a1), clip8(a2)
			q[0], q[1], q[2] = clip8(b0), clip8(b1), clip8(b2)
		}
	}
	if y < y1 {
		r, d := row(y), dst(y)
		for xx := x0; xx < x1; xx++ {
			start, k := hw.taps(xx)
			a0, a1, a2, _, _, _ := dot3x2(r[3*start:], r[3*start:], k)
			o := 3 * (xx - x0)
			p := d[o : o+3 : o+3]
			p[0], p[1], p[2] = clip8(a0), clip8(a1), clip8(a2)
		}
	}
	return out
}

// dot3x2 is PIL's fixed-point sum of the RGB pixels a, and of b, with the taps k, per channel, rounding
// constant included: two rows at once, so each tap is loaded once for six products. It is kept out of line on
// purpose: inlined into horizontal's loops, the compiler keeps the sums in memory instead of registers.
//
//go:noinline
func dot3x2(a, b []uint8, k []int32) (a0, a1, a2, b0, b1, b2 int32) {
	const half = 1 << (precisionBits - 1)
	a0, a1, a2, b0, b1, b2 = half, half, half, half, half, half
	a, b = a[:3*len(k)], b[:3*len(k)]
	for t, c := range k {
		p, q := a[3*t:3*t+3:3*t+3], b[3*t:3*t+3:3*t+3]
		a0 += int32(p[0]) * c
		a1 += int32(p[1]) * c
		a2 += int32(p[2]) * c
		b0 += int32(q[0]) * c
		b1 += int32(q[1]) * c
		b2 += int32(q[2]) * c
	}
	return a0, a1, a2, b0, b1, b2
}

// vertical resamples mid, whose first row is input row rowLo, with the taps
// vw and returns output rows [y0, y1). The taps are applied four rows at a
// time, so each accumulator is loaded and stored once per four products
// rather than once per product, about a third faster. The integer sums do
// not depend on the order of the additions, so the result is still PIL's.
func vertical(mid rgbImage, rowLo int, vw weights, y0, y1 int) rgbImage {
	const half = 1 << (precisionBits - 1)
	rowLen := 3 * mid.w
	out := newPooledRGB(mid.w, y1-y0)
	accBuf := getInt32s(rowLen)
	defer putInt32s(accBuf)
	acc := accBuf[:rowLen]
	row := func(i int) []uint8 { return mid.pix[rowLen*(i-rowLo) : rowLen*(i-rowLo+1)][:len(acc)] }
	for yy := y0; yy < y1; yy++ {
		for i := range acc {
			acc[i] = half
		}
		start, k := vw.taps(yy)
		t := 0
		for ; t+4 <= len(k); t += 4 {
			r0, r1, r2, r3 := row(start+t), row(start+t+1), row(start+t+2), row(start+t+3)
			c0, c1, c2, c3 := k[t], k[t+1], k[t+2], k[t+3]
			for j := range acc {
				acc[j] += int32(r0[j])*c0 + int32(r1[j])*c1 + int32(r2[j])*c2 + int32(r3[j])*c3
			}
		}
		for ; t+2 <= len(k); t += 2 {
			r0, r1, c0, c1 := row(start+t), row(start+t+1), k[t], k[t+1]
			for j := range acc {
				acc[j] += int32(r0[j])*c0 + int32(r1[j])*c1
			}
		}
		if t < len(k) {
			r0, c0 := row(start+t), k[t]
			for j := range acc {
				acc[j] += int32(r0[j]) * c0
			}
		}
		d := out.pix[rowLen*(yy-y0) : rowLen*(yy-y0+1)][:len(acc)]
		for j, v := range acc {
			d[j] = clip8(v)
		}
	}
	return out
}
