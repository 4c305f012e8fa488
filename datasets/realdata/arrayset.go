package realdata

import (
	"fmt"
	"image"
)

// arraySet is a Dataset of same-sized RGB images held in memory (the CIFAR family).
type arraySet struct {
	name      string
	classes   []string
	templates []string
	w, h      int
	planar    bool   // each image is three planes R, G, B (CIFAR's python batches); else interleaved HWC (.npy)
	pix       []byte // len = n*3*w*h
	labels    []int
}

// newArraySet checks the sizes and labels and builds an arraySet.
func newArraySet(name string, classes, templates []string, w, h int, planar bool, pix []byte, labels []int) (*arraySet, error) {
	if len(pix) != len(labels)*3*w*h {
		return nil, fmt.Errorf("datasets: %s: %d pixel bytes for %d images of %dx%d", name, len(pix), len(labels), w, h)
	}
	for i, l := range labels {
		if l < 0 || l >= len(classes) {
			return nil, fmt.Errorf("datasets: %s: label %d of image %d outside [0, %d)", name, l, i, len(classes))
		}
	}
	return &arraySet{name: name, classes: classes, templates: templates, w: w, h: h, planar: planar, pix: pix, labels: labels}, nil
}

// Name is the dataset's registry name.
func (a *arraySet) Name() string { return a.name }

// ClassNames are the class names, indexed by label.
func (a *arraySet) ClassNames() []string { return a.classes }

// Templates are the prompt templates.
func (a *arraySet) Templates() []string { return a.templates }

// Len is the number of images.
func (a *arraySet) Len() int { return len(a.labels) }

// Example returns a fresh *image.RGBA copy of image i and its label.
func (a *arraySet) Example(i int) (image.Image, int, error) {
	if i < 0 || i >= len(a.labels) {
		return nil, 0, fmt.Errorf("datasets: %s: index %d out of range [0, %d)", a.name, i, len(a.labels))
	}
	n := a.w * a.h
	src := a.pix[i*3*n : (i+1)*3*n]
	img := image.NewRGBA(image.Rect(0, 0, a.w, a.h))
	for p := range n {
		d := img.Pix[4*p : 4*p+4]
		if a.planar {
			d[0], d[1], d[2] = src[p], src[n+p], src[2*n+p]
		} else {
			d[0], d[1], d[2] = src[3*p], src[3*p+1], src[3*p+2]
		}
		d[3] = 255
	}
	return img, a.labels[i], nil
}

// limit keeps the first n images (n > 0).
func (a *arraySet) limit(n int) {
	if n > 0 && n < len(a.labels) {
		a.labels = a.labels[:n:n]
		a.pix = a.pix[: n*3*a.w*a.h : n*3*a.w*a.h]
	}
}
