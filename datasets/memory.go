package datasets

import (
	"fmt"
	"image"
)

// grayImages is a list of same-sized 8-bit grayscale images with labels, stored in one flat buffer.
type grayImages struct {
	w, h   int
	pix    []uint8 // len = n*w*h
	labels []uint8 // len = n
}

// len is the number of images.
func (g *grayImages) len() int { return len(g.labels) }

// gray returns a fresh copy of image i.
func (g *grayImages) gray(i int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, g.w, g.h))
	copy(img.Pix, g.pix[i*g.w*g.h:(i+1)*g.w*g.h])
	return img
}

// InMemory is a Dataset of 8-bit grayscale images held in memory, as the real sources (MNIST, Fashion-MNIST,
// UCI digits) are. Example returns a fresh *image.Gray that the caller may modify.
type InMemory struct {
	name      string
	classes   []string
	templates []string
	data      *grayImages
}

// NewInMemory makes an InMemory dataset from images of one size and their labels; images are copied.
func NewInMemory(name string, classes, templates []string, images []*image.Gray, labels []int) (*InMemory, error) {
	if len(images) != len(labels) {
		return nil, fmt.Errorf("datasets: %s: %d images but %d labels", name, len(images), len(labels))
	}
	g := &grayImages{labels: make([]uint8, len(labels))}
	for i, img := range images {
		b := img.Bounds()
		if i == 0 {
			g.w, g.h = b.Dx(), b.Dy()
			g.pix = make([]uint8, 0, len(images)*g.w*g.h)
		} else if b.Dx() != g.w || b.Dy() != g.h {
			return nil, fmt.Errorf("datasets: %s: image %d is %dx%d, want %dx%d", name, i, b.Dx(), b.Dy(), g.w, g.h)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			off := img.PixOffset(b.Min.X, y)
			g.pix = append(g.pix, img.Pix[off:off+g.w]...)
		}
		if labels[i] < 0 || labels[i] >= len(classes) || labels[i] > 255 {
			return nil, fmt.Errorf("datasets: %s: label %d of image %d out of range", name, labels[i], i)
		}
		g.labels[i] = uint8(labels[i])
	}
	return &InMemory{name: name, classes: classes, templates: templates, data: g}, nil
}

// Name is the dataset's name.
func (d *InMemory) Name() string { return d.name }

// ClassNames are the class names, indexed by label.
func (d *InMemory) ClassNames() []string { return d.classes }

// Templates are the prompt templates.
func (d *InMemory) Templates() []string { return d.templates }

// Len is the number of examples.
func (d *InMemory) Len() int { return d.data.len() }

// Size is the width and height of every image.
func (d *InMemory) Size() (w, h int) { return d.data.w, d.data.h }

// Example returns a copy of image i as *image.Gray and its label.
func (d *InMemory) Example(i int) (image.Image, int, error) {
	if i < 0 || i >= d.data.len() {
		return nil, 0, indexError(d.name, i, d.data.len())
	}
	return d.data.gray(i), int(d.data.labels[i]), nil
}

// Labels returns a copy of all labels, in order (handy for class counts without decoding images).
func (d *InMemory) Labels() []int {
	out := make([]int, d.data.len())
	for i, l := range d.data.labels {
		out[i] = int(l)
	}
	return out
}
