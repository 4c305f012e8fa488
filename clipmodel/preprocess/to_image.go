package preprocess

import (
	"fmt"
	"image"
	"math"
)

// ToImage undoes the normalisation of one CHW tensor produced by t (for
// example by [Transform.Eval] or [Transform.Train]) and returns the opaque
// Size×Size picture the model saw. Values are clamped to [0, 255] and
// rounded. ToImage panics if len(chw) != 3*t.Size*t.Size.
func ToImage(chw []float32, t Transform) *image.RGBA {
	if t.Size <= 0 || len(chw) != t.Len() {
		panic(fmt.Sprintf("preprocess: ToImage got %d floats, want 3*%d*%d", len(chw), t.Size, t.Size))
	}
	img := image.NewRGBA(image.Rect(0, 0, t.Size, t.Size))
	plane := t.Size * t.Size
	for i := range plane {
		p := img.Pix[4*i : 4*i+4]
		for c := range 3 {
			v := (float64(chw[c*plane+i])*float64(t.Std[c]) + float64(t.Mean[c])) * 255
			p[c] = uint8(math.Round(min(max(v, 0), 255)))
		}
		p[3] = 0xff
	}
	return img
}
