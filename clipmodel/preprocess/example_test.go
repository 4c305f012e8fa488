package preprocess_test

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
)

func Example() {
	// In practice: img, err := preprocess.LoadImage("photo.jpg")
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	t := preprocess.New(32)
	pixels := t.Eval(img) // CHW, normalised
	fmt.Println(len(pixels))

	rng := rand.New(rand.NewPCG(1, 2))
	augmented := t.Train(img, rng) // RandomResizedCrop for fine-tuning
	fmt.Println(len(augmented))

	batch := t.EvalParallel([]image.Image{img, img}, 0) // NCHW pixel_values
	fmt.Println(len(batch))

	seen := preprocess.ToImage(pixels, t) // what the model saw
	fmt.Println(seen.Bounds())
	// Output:
	// 3072
	// 3072
	// 6144
	// (0,0)-(32,32)
}

func ExampleTransform_Eval() {
	white := image.NewUniform(color.White)
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			img.Set(x, y, white.C)
		}
	}
	pixels := preprocess.New(224).Eval(img)
	// White is (1 - mean) / std in every channel.
	fmt.Printf("%.4f %.4f %.4f\n", pixels[0], pixels[224*224], pixels[2*224*224])
	// Output: 1.9303 2.0749 2.1459
}
