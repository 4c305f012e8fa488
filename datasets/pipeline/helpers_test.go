package pipeline

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"sync/atomic"
)

// fakeSet is an in-memory dataset of generated images of varied sizes; chosen indices fail, panic or carry a bad
// label, and Example calls are counted.
type fakeSet struct {
	n        int
	corrupt  map[int]bool
	panics   map[int]bool
	badLabel map[int]bool
	calls    atomic.Int64
}

func (f *fakeSet) Name() string         { return "fake" }
func (f *fakeSet) ClassNames() []string { return []string{"a", "b", "c"} }
func (f *fakeSet) Templates() []string  { return []string{"a photo of a {}."} }
func (f *fakeSet) Len() int             { return f.n }

func (f *fakeSet) Example(i int) (image.Image, int, error) {
	f.calls.Add(1)
	if i < 0 || i >= f.n {
		return nil, 0, fmt.Errorf("index %d out of range", i)
	}
	if f.corrupt[i] {
		return nil, 0, errors.New("corrupt file")
	}
	if f.panics[i] {
		panic("dataset bug")
	}
	if f.badLabel[i] {
		return fakeImage(i), 3, nil
	}
	return fakeImage(i), i % 3, nil
}

// fakeImage is a deterministic image of varied size and content for index i.
func fakeImage(i int) image.Image {
	w, h := 20+i%7*5, 16+i%5*6
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x*9 + i), uint8(y*13 + 3*i), uint8((x + y) * 5), 255})
		}
	}
	return img
}
