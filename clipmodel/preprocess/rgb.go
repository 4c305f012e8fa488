package preprocess

import (
	"image"
	"image/color"
)

// rgbImage is a packed 8-bit RGB image: 3 bytes per pixel, rows of 3*w bytes.
type rgbImage struct {
	pix  []uint8
	w, h int
	// pooled is set when pix came from the buffer pool (see release).
	pooled *[]uint8
}

// toRGB converts the rectangle r (inside img's bounds) of img to 8-bit RGB
// the way PIL's convert("RGB") does: gray is replicated, palettes are looked
// up and alpha is dropped, keeping the straight (non-premultiplied) colour.
// The result is in a pooled buffer (release it) or, see below, a view.
//
// An [*RGB] whose rows are contiguous is used in place (the resampler only
// reads its source), so the libjpeg-turbo path converts nothing.
func toRGB(img image.Image, r image.Rectangle) rgbImage {
	w, h := r.Dx(), r.Dy()
	if m, ok := img.(*RGB); ok && (m.Stride == 3*w || h == 1) {
		i := m.PixOffset(r.Min.X, r.Min.Y)
		return rgbImage{pix: m.Pix[i : i+3*w*h], w: w, h: h}
	}
	out := newPooledRGB(w, h)
	dst := out.pix
	switch m := img.(type) {
	case *RGB:
		for y := range h {
			i := m.PixOffset(r.Min.X, r.Min.Y+y)
			copy(dst[3*w*y:3*w*(y+1)], m.Pix[i:i+3*w])
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			d := dst[3*w*y:]
			for x := range w {
				d[3*x], d[3*x+1], d[3*x+2] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	case *image.RGBA:
		for y := range h {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			d := dst[3*w*y:]
			for x := range w {
				s := row[4*x : 4*x+4]
				if s[3] == 0xff {
					d[3*x], d[3*x+1], d[3*x+2] = s[0], s[1], s[2]
					continue
				}
				c := color.NRGBAModel.Convert(color.RGBA{s[0], s[1], s[2], s[3]}).(color.NRGBA)
				d[3*x], d[3*x+1], d[3*x+2] = c.R, c.G, c.B
			}
		}
	case *image.Gray:
		for y := range h {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			d := dst[3*w*y:]
			for x := range w {
				v := row[x]
				d[3*x], d[3*x+1], d[3*x+2] = v, v, v
			}
		}
	case *image.YCbCr:
		ycbcrToRGB(dst, m, r)
	case *image.Paletted:
		var lut [256][3]uint8
		for i, c := range m.Palette {
			if i >= len(lut) {
				break
			}
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			lut[i] = [3]uint8{n.R, n.G, n.B}
		}
		for y := range h {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			d := dst[3*w*y:]
			for x := range w {
				p := lut[row[x]]
				d[3*x], d[3*x+1], d[3*x+2] = p[0], p[1], p[2]
			}
		}
	default:
		for y := range h {
			d := dst[3*w*y:]
			for x := range w {
				c := color.NRGBAModel.Convert(img.At(r.Min.X+x, r.Min.Y+y)).(color.NRGBA)
				d[3*x], d[3*x+1], d[3*x+2] = c.R, c.G, c.B
			}
		}
	}
	return out
}
