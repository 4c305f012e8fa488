package preprocess

import (
	"image"
	"math/rand/v2"
	"testing"
)

// benchImage is a 640x480 4:2:0 YCbCr image, what a decoded photo looks like.
func benchImage() image.Image {
	m := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = uint8(i * 7)
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(i*3), uint8(i*5)
	}
	return m
}

func BenchmarkEval224(b *testing.B) {
	img, tr := benchImage(), New(224)
	for b.Loop() {
		tr.Eval(img)
	}
}

func BenchmarkTrain224(b *testing.B) {
	img, tr := benchImage(), New(224)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		tr.Train(img, rng)
	}
}

func BenchmarkEvalParallel224(b *testing.B) {
	img, tr := benchImage(), New(224)
	imgs := []image.Image{img, img, img, img, img, img, img, img}
	for b.Loop() {
		tr.EvalParallel(imgs, 0)
	}
}

// BenchmarkResample224 is the resize and crop of Eval alone on a decoded
// 500x375 RGB image (ImageNet's typical size).
func BenchmarkResample224(b *testing.B) {
	src := toRGB(benchImage(), image.Rect(0, 0, 500, 375))
	nw, nh := ResizedSize(500, 375, 224)
	left, top := CenterCropOffset(nw, nh, 224)
	win := image.Rect(left, top, left+224, top+224)
	for b.Loop() {
		resample(src, nw, nh, win)
	}
}
