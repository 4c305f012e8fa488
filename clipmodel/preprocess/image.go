package preprocess

import (
	"image"
	"image/color"
)

// RGB is an opaque image of packed 8-bit R, G, B samples, three bytes per
// pixel. It is what the libjpeg-turbo decoder returns for colour JPEGs: the
// layout the resampler reads, so the transform uses its pixels in place
// instead of converting them, and a third smaller than image.RGBA.
type RGB struct {
	// Pix holds the samples; pixel (x, y) starts at Pix[(y-Rect.Min.Y)*Stride + (x-Rect.Min.X)*3].
	Pix []uint8
	// Stride is the distance in bytes between vertically adjacent pixels.
	Stride int
	// Rect is the image's bounds.
	Rect image.Rectangle
}

// NewRGB returns a black RGB image with bounds r.
func NewRGB(r image.Rectangle) *RGB {
	w, h := r.Dx(), r.Dy()
	if w < 0 || h < 0 {
		w, h = 0, 0
	}
	return &RGB{Pix: make([]uint8, 3*w*h), Stride: 3 * w, Rect: r}
}

// ColorModel is color.RGBAModel: every pixel is opaque.
func (m *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds is m.Rect.
func (m *RGB) Bounds() image.Rectangle { return m.Rect }

// Opaque reports true: RGB has no alpha.
func (m *RGB) Opaque() bool { return true }

// PixOffset is the index in Pix of the first sample of pixel (x, y).
func (m *RGB) PixOffset(x, y int) int {
	return (y-m.Rect.Min.Y)*m.Stride + (x-m.Rect.Min.X)*3
}

// At returns the colour of pixel (x, y) as color.RGBA, or transparent black
// outside the bounds.
func (m *RGB) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(m.Rect)) {
		return color.RGBA{}
	}
	i := m.PixOffset(x, y)
	s := m.Pix[i : i+3 : i+3]
	return color.RGBA{s[0], s[1], s[2], 0xff}
}

// SubImage returns the part of m inside r, sharing its pixels (as the
// standard library's image types do).
func (m *RGB) SubImage(r image.Rectangle) image.Image {
	r = r.Intersect(m.Rect)
	if r.Empty() {
		return &RGB{}
	}
	i := m.PixOffset(r.Min.X, r.Min.Y)
	return &RGB{Pix: m.Pix[i:], Stride: m.Stride, Rect: r}
}
