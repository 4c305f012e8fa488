package preprocess

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// DefaultMean is CLIP's per-channel (R, G, B) normalisation mean.
var DefaultMean = [3]float32{0.48145466, 0.4578275, 0.40821073}

// DefaultStd is CLIP's per-channel (R, G, B) normalisation standard deviation.
var DefaultStd = [3]float32{0.26862954, 0.26130258, 0.27577711}

// Transform is CLIP's preprocessing for square inputs of Size×Size pixels.
// A pixel value v in 0..255 of channel c becomes (v/255 - Mean[c]) / Std[c].
// The zero value is not usable; build one with [New] or set Size > 0 and a
// non-zero Std.
type Transform struct {
	// Size is the side of the square model input (224 for ViT-B/32).
	Size int
	// Mean and Std normalise the R, G and B channels after scaling to [0, 1].
	Mean, Std [3]float32
	// DCTScaling lets [Transform.DecodeEval] and [Transform.LoadEval] decode
	// a JPEG at 1/2, 1/4 or 1/8 of its size in the DCT domain when it is at
	// least twice the size Eval resizes it to, as Pillow does after
	// Image.draft. It is faster (libjpeg-turbo skips most of the inverse DCT
	// and the resize has fewer pixels to read) but changes the pixels
	// slightly; off by default, since the paper's preprocessing
	// (torchvision on Pillow) decodes every JPEG in full. The README gives
	// the measured differences. It has no effect without cgo.
	DCTScaling bool
}

// New returns CLIP's transform for Size×Size inputs with [DefaultMean] and
// [DefaultStd].
func New(size int) Transform {
	return Transform{Size: size, Mean: DefaultMean, Std: DefaultStd}
}

// Len is the number of floats one image becomes: 3*Size*Size.
func (t Transform) Len() int { return 3 * t.Size * t.Size }

func (t Transform) check() {
	if t.Size <= 0 {
		panic(fmt.Sprintf("preprocess: Transform.Size must be positive, got %d", t.Size))
	}
}

// Eval is CLIP's evaluation preprocessing: resize the shortest side to Size
// with PIL's bicubic filter, center crop Size×Size, scale and normalise. It
// returns 3*Size*Size floats in CHW order. An empty image yields the
// normalised black image. Eval panics if t.Size is not positive.
func (t Transform) Eval(img image.Image) []float32 {
	t.check()
	out := make([]float32, t.Len())
	t.evalInto(out, img)
	return out
}

func (t Transform) evalInto(dst []float32, img image.Image) {
	m := t.evalRGB(img)
	defer m.release()
	t.normalizeInto(dst, m)
}

// evalRGB is Eval before the normalisation: the resized and cropped
// Size×Size 8-bit image, in a pooled buffer.
func (t Transform) evalRGB(img image.Image) rgbImage {
	b := img.Bounds()
	if b.Empty() {
		return rgbImage{w: t.Size, h: t.Size, pix: make([]uint8, 3*t.Size*t.Size)}
	}
	src := toRGB(img, b)
	defer src.release()
	nw, nh := ResizedSize(b.Dx(), b.Dy(), t.Size)
	left, top := CenterCropOffset(nw, nh, t.Size)
	return resample(src, nw, nh, image.Rect(left, top, left+t.Size, top+t.Size))
}

// Train is the fine-tuning augmentation: torchvision's RandomResizedCrop
// with scale (0.9, 1) and ratio (3/4, 4/3) (see [SampleCrop]), the crop
// resized to Size×Size with PIL's bicubic filter, then scaled and
// normalised. It returns 3*Size*Size floats in CHW order and is
// deterministic for a given rng state. Train panics if t.Size is not
// positive.
func (t Transform) Train(img image.Image, rng *rand.Rand) []float32 {
	t.check()
	out := make([]float32, t.Len())
	t.cropInto(out, img, SampleCrop(img.Bounds(), rng))
	return out
}

// cropInto resizes the crop r of img to Size×Size and normalises it into dst.
func (t Transform) cropInto(dst []float32, img image.Image, r image.Rectangle) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		t.normalizeInto(dst, rgbImage{w: t.Size, h: t.Size, pix: make([]uint8, 3*t.Size*t.Size)})
		return
	}
	src := toRGB(img, r)
	defer src.release()
	out := resample(src, t.Size, t.Size, image.Rect(0, 0, t.Size, t.Size))
	defer out.release()
	t.normalizeInto(dst, out)
}

// normalizeInto writes the Size×Size RGB image m into dst as normalised CHW
// floats, computed in float32 in the same order as torchvision's ToTensor
// and Normalize.
func (t Transform) normalizeInto(dst []float32, m rgbImage) {
	var lut [3][256]float32
	for c := range 3 {
		for v := range 256 {
			lut[c][v] = (float32(v)/float32(255) - t.Mean[c]) / t.Std[c]
		}
	}
	plane := m.w * m.h
	for i := range plane {
		p := m.pix[3*i : 3*i+3]
		dst[i] = lut[0][p[0]]
		dst[plane+i] = lut[1][p[1]]
		dst[2*plane+i] = lut[2][p[2]]
	}
}

// ResizedSize returns the size an image of w×h pixels is resized to so that
// its shortest side equals size, rounded like torchvision's Resize(size):
// the long side becomes int(size * long / short).
func ResizedSize(w, h, size int) (nw, nh int) {
	if w <= h {
		return size, int(float64(size*h) / float64(w))
	}
	return int(float64(size*w) / float64(h)), size
}

// CenterCropOffset returns the top-left corner of the centered size×size
// crop of a w×h image with torchvision's rounding:
// int(round((h - size) / 2.0)), Python's round being half to even.
func CenterCropOffset(w, h, size int) (left, top int) {
	return int(math.RoundToEven(float64(w-size) / 2)), int(math.RoundToEven(float64(h-size) / 2))
}
