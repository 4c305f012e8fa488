package wiseft

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

// Test helpers shared by the interpolation, Fisher, evaluation and sweep tests.

const fixtureModelDir = "../clipmodel/testdata/clip"

var (
	fixtureOnce  sync.Once
	fixtureModel *clipmodel.Model
	fixtureErr   error
)

// loadFixture returns the tiny CLIP fixture (32x32 images, projection 32); callers must not modify it.
func loadFixture(t testing.TB) *clipmodel.Model {
	t.Helper()
	fixtureOnce.Do(func() { fixtureModel, fixtureErr = clipmodel.Load(fixtureModelDir) })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureModel
}

// randomClassifier attaches a seeded random head (rows of norm ~scale) and bias to the fixture.
func randomClassifier(t testing.TB, classes int, seed uint64) *Classifier {
	t.Helper()
	m := loadFixture(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	dim := m.Config.ProjectionDim
	w := clipmodel.NewTensor(classes, dim)
	for i := range w.Data {
		w.Data[i] = float32(rng.NormFloat64() * 10 / math.Sqrt(float64(dim)))
	}
	b := clipmodel.NewTensor(classes)
	for i := range b.Data {
		b.Data[i] = float32(rng.NormFloat64() * 0.1)
	}
	names := make([]string, classes)
	for i := range names {
		names[i] = fmt.Sprintf("class %d", i)
	}
	clf, err := NewClassifier(m, names, w, b)
	if err != nil {
		t.Fatal(err)
	}
	return clf
}

// finetuned returns a copy of clf whose image tower and head are perturbed by seeded noise (relative size rel),
// standing in for a fine-tuned model; the text tower is left as it was, as fine-tuning an image classifier does.
func finetuned(clf *Classifier, seed uint64, rel float64) *Classifier {
	out := clf.Clone()
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, name := range out.Model.Weights.Names() {
		if !classifierTensor(name) {
			continue
		}
		d := out.Model.Weights[name].Data
		var ss float64
		for _, v := range d {
			ss += float64(v) * float64(v)
		}
		rms := math.Sqrt(ss/float64(len(d))) + 1e-3
		for i := range d {
			d[i] += float32(rng.NormFloat64() * rel * rms)
		}
	}
	return out
}

// memDataset is an in-memory dataset of RGB images.
type memDataset struct {
	name    string
	classes []string
	images  []image.Image
	labels  []int
}

func (d *memDataset) Name() string         { return d.name }
func (d *memDataset) ClassNames() []string { return d.classes }
func (d *memDataset) Templates() []string  { return []string{"a photo of a {}."} }
func (d *memDataset) Len() int             { return len(d.images) }
func (d *memDataset) Example(i int) (image.Image, int, error) {
	if i < 0 || i >= len(d.images) {
		return nil, 0, fmt.Errorf("%s: index %d out of range", d.name, i)
	}
	return d.images[i], d.labels[i], nil
}

// subsetDataset is a memDataset covering some of the classifier's classes.
type subsetDataset struct {
	memDataset
	subset []int
}

func (d *subsetDataset) SubsetClasses() []int { return d.subset }

// syntheticDataset makes n seeded images of varied sizes (some need resizing and cropping) whose colour and
// stripe pattern depend on the label, with labels cycling over classes.
func syntheticDataset(name string, classes, n int, seed uint64) *memDataset {
	rng := rand.New(rand.NewPCG(seed, 3))
	d := &memDataset{name: name}
	for c := range classes {
		d.classes = append(d.classes, fmt.Sprintf("class %d", c))
	}
	sizes := [][2]int{{32, 32}, {40, 36}, {30, 44}}
	for i := range n {
		label := i % classes
		sz := sizes[i%len(sizes)]
		img := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
		base := [3]float64{float64(label*60%256) + 20, float64(label*110%256) + 10, float64(255 - label*40%256)}
		for y := range sz[1] {
			for x := range sz[0] {
				stripe := 0.0
				if (x/(label+2))%2 == 0 {
					stripe = 40
				}
				var px [3]uint8
				for ch := range 3 {
					v := base[ch] + stripe + rng.NormFloat64()*25
					px[ch] = uint8(min(255, max(0, v)))
				}
				img.Set(x, y, color.RGBA{px[0], px[1], px[2], 255})
			}
		}
		d.images = append(d.images, img)
		d.labels = append(d.labels, label)
	}
	return d
}

// randomWeights makes a small weight set with seeded values.
func randomWeights(seed uint64, shapes map[string][]int) clipmodel.Weights {
	rng := rand.New(rand.NewPCG(seed, 4))
	w := make(clipmodel.Weights, len(shapes))
	for name, shape := range shapes {
		t := clipmodel.NewTensor(shape...)
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3)))
		}
		w[name] = t
	}
	return w
}

var smallShapes = map[string][]int{"a.weight": {3, 4}, "a.bias": {4}, "scalar": {}, "b.weight": {2, 3, 5}}

// sameBits reports the first tensor and index where a and b differ in bits, or "".
func sameBits(a, b clipmodel.Weights) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d tensors vs %d", len(a), len(b))
	}
	for name, t := range a {
		u, ok := b[name]
		if !ok {
			return name + " missing"
		}
		if fmt.Sprint(t.Shape) != fmt.Sprint(u.Shape) || len(t.Data) != len(u.Data) {
			return name + " shape"
		}
		for i := range t.Data {
			if math.Float32bits(t.Data[i]) != math.Float32bits(u.Data[i]) {
				return fmt.Sprintf("%s[%d]: %v vs %v", name, i, t.Data[i], u.Data[i])
			}
		}
	}
	return ""
}
