package preprocess

import (
	"image"
	"math"
	"math/rand/v2"
)

// RandomResizedCrop parameters used by [Transform.Train] (WiSE-FT's
// fine-tuning augmentation): the crop covers a uniform random fraction in
// [CropScaleMin, CropScaleMax) of the image area, with an aspect ratio
// (width/height) drawn log-uniformly from [CropRatioMin, CropRatioMax).
const (
	CropScaleMin = 0.9
	CropScaleMax = 1.0
	CropRatioMin = 3.0 / 4.0
	CropRatioMax = 4.0 / 3.0
)

// cropAttempts is how many random crops torchvision tries before falling
// back to the central crop.
const cropAttempts = 10

// SampleCrop draws a crop of the image bounds b with torchvision's
// RandomResizedCrop.get_params semantics: up to 10 times it draws an area
// fraction and a log-uniform aspect ratio, rounds the crop's width and
// height half to even, and accepts the first crop that fits, at a uniform
// random position. If none fits it returns the central crop of the whole
// image with its aspect ratio clamped to [CropRatioMin, CropRatioMax] (so an
// image much wider or taller than 4:3 loses more than 10 % of its area).
// The result lies inside b; an empty b gives an empty rectangle.
func SampleCrop(b image.Rectangle, rng *rand.Rand) image.Rectangle {
	width, height := b.Dx(), b.Dy()
	if width <= 0 || height <= 0 {
		return image.Rectangle{Min: b.Min, Max: b.Min}
	}
	area := float64(width * height)
	logLo, logHi := math.Log(CropRatioMin), math.Log(CropRatioMax)
	for range cropAttempts {
		target := area * (CropScaleMin + (CropScaleMax-CropScaleMin)*rng.Float64())
		ratio := math.Exp(logLo + (logHi-logLo)*rng.Float64())
		w := int(math.RoundToEven(math.Sqrt(target * ratio)))
		h := int(math.RoundToEven(math.Sqrt(target / ratio)))
		if 0 < w && w <= width && 0 < h && h <= height {
			top := rng.IntN(height - h + 1)
			left := rng.IntN(width - w + 1)
			return image.Rect(left, top, left+w, top+h).Add(b.Min)
		}
	}
	w, h := width, height
	switch inRatio := float64(width) / float64(height); {
	case inRatio < CropRatioMin:
		h = int(math.RoundToEven(float64(w) / CropRatioMin))
	case inRatio > CropRatioMax:
		w = int(math.RoundToEven(float64(h) * CropRatioMax))
	}
	top, left := (height-h)/2, (width-w)/2
	return image.Rect(left, top, left+w, top+h).Add(b.Min)
}
