package preprocess

import (
	"image"
	"image/color"
	"math/rand/v2"
	"slices"
	"testing"
)

// poisonPools fills the buffer pools with buffers of many sizes holding garbage, so that a transform that reads a
// pooled byte before writing it gives other results.
func poisonPools() {
	for n := 1; n < 1<<17; n = n*5/4 + 1 {
		b := make([]uint8, n)
		for i := range b {
			b[i] = uint8(i*131 + 7)
		}
		putBytes(&b)
		c := make([]int32, n)
		for i := range c {
			c[i] = int32(i*7919 - 1<<20)
		}
		putInt32s(c)
	}
}

// TestPooledBuffersDoNotLeak: the train and eval transforms give the same floats with fresh buffers and with pooled
// buffers full of garbage, for images of several sizes and kinds (gray, RGBA, paletted) and random crops.
func TestPooledBuffersDoNotLeak(t *testing.T) {
	tf := New(28)
	r := rand.New(rand.NewPCG(1, 2))
	var imgs []image.Image
	for _, wh := range [][2]int{{28, 28}, {31, 17}, {64, 48}, {9, 40}, {200, 150}} {
		g := image.NewGray(image.Rect(0, 0, wh[0], wh[1]))
		for i := range g.Pix {
			g.Pix[i] = uint8(r.IntN(256))
		}
		c := image.NewRGBA(image.Rect(0, 0, wh[0], wh[1]))
		for i := range c.Pix {
			c.Pix[i] = uint8(r.IntN(256))
		}
		p := image.NewPaletted(image.Rect(0, 0, wh[0], wh[1]), color.Palette{color.Black, color.White, color.RGBA{200, 10, 30, 255}})
		for i := range p.Pix {
			p.Pix[i] = uint8(r.IntN(3))
		}
		imgs = append(imgs, g, c, p)
	}
	run := func() [][]float32 {
		var out [][]float32
		for i, img := range imgs {
			out = append(out, tf.Eval(img), tf.Train(img, rand.New(rand.NewPCG(uint64(i), 9))))
		}
		return out
	}
	want := run()
	for round := range 3 {
		poisonPools()
		got := run()
		for k := range want {
			if !slices.Equal(got[k], want[k]) {
				t.Fatalf("round %d, output %d (image %d, %s): pooled garbage changed the result", round, k, k/2,
					[]string{"eval", "train"}[k%2])
			}
		}
	}
}
