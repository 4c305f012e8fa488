package preprocess

import "image"

// Go's JPEG decoder returns *image.YCbCr. Converting it pixel by pixel with
// YOffset, COffset and color.YCbCrToRGB costs three calls per pixel, about
// as much as the resize; ycbcrToRGB gives the same bytes with tables and
// one pass per row.

// JFIF's YCbCr -> RGB: R = Y + 1.402 (Cr-128), G = Y - 0.344136 (Cb-128) -
// 0.714136 (Cr-128), B = Y + 1.772 (Cb-128), in 16.16 fixed point with the
// constants and rounding of the standard library's color.YCbCrToRGB (Y is
// scaled by 0x10101, i.e. 65536 * 257/256, which maps 255 to 255 exactly).
var rCr, gCb, gCr, bCb [256]int32

func init() {
	for i := range 256 {
		c := int32(i) - 128
		rCr[i], gCb[i], gCr[i], bCb[i] = 91881*c, -22554*c, -46802*c, 116130*c
	}
}

// clampShift16 is v>>16 clamped to 0..255.
func clampShift16(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// ycbcrToRGB writes the rectangle r of m into dst as packed RGB.
func ycbcrToRGB(dst []uint8, m *image.YCbCr, r image.Rectangle) {
	w := r.Dx()
	// COffset(x, y) = row(y) + col(x) for every subsampling ratio, so the
	// chroma column of each x, relative to x = r.Min.X, is the same on
	// every row.
	col := make([]int32, w)
	c0 := m.COffset(r.Min.X, r.Min.Y)
	for x := range w {
		col[x] = int32(m.COffset(r.Min.X+x, r.Min.Y) - c0)
	}
	for y := range r.Dy() {
		yi := m.YOffset(r.Min.X, r.Min.Y+y)
		ci := m.COffset(r.Min.X, r.Min.Y+y)
		ys := m.Y[yi : yi+w]
		cb, cr := m.Cb[ci:], m.Cr[ci:]
		d := dst[3*w*y : 3*w*(y+1)]
		for x, yv := range ys {
			yy := int32(yv) * 0x10101
			b, rr := cb[col[x]], cr[col[x]]
			o := d[3*x : 3*x+3 : 3*x+3]
			o[0] = clampShift16(yy + rCr[rr])
			o[1] = clampShift16(yy + gCb[b] + gCr[rr])
			o[2] = clampShift16(yy + bCb[b])
		}
	}
}
