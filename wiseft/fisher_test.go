package wiseft

import (
	"image"
	"math"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

func TestComputeFisher(t *testing.T) {
	clf := randomClassifier(t, 3, 21)
	ds := syntheticDataset("fisher", 3, 5, 4)
	f, err := ComputeFisher(clf, ds, 4, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != len(clf.Model.Weights) {
		t.Fatalf("%d Fisher tensors for %d weights", len(f), len(clf.Model.Weights))
	}
	for name, w := range clf.Model.Weights {
		ft := f[name]
		if ft == nil || len(ft.Data) != len(w.Data) {
			t.Fatalf("Fisher of %s missing or misshapen", name)
		}
		var sum float64
		for _, v := range ft.Data {
			if v < 0 || math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("Fisher of %s has value %v", name, v)
			}
			sum += float64(v)
		}
		unused := strings.HasPrefix(name, "text_") || name == "logit_scale"
		if unused && sum != 0 {
			t.Errorf("%s is not read by the classifier but has Fisher mass %v", name, sum)
		}
		if !unused && sum == 0 {
			t.Errorf("%s is read by the classifier but has zero Fisher", name)
		}
	}

	// Deterministic for a seed, different for another seed.
	again, err := ComputeFisher(clf, ds, 4, 7)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(f, again); d != "" {
		t.Errorf("same seed, different Fisher: %s", d)
	}
	other, err := ComputeFisher(clf, ds, 4, 8)
	if err != nil {
		t.Fatal(err)
	}
	if sameBits(f, other) == "" {
		t.Error("another seed gave the same Fisher")
	}
}

// TestComputeFisherHeadMatchesHost checks the head's Fisher for a single example against the closed form: with
// p = softmax(logits), z the normalised image features and y the sampled class, ∂ log p_y / ∂ bias_c = [c=y] − p_c
// and ∂ log p_y / ∂ W_ck = ([c=y] − p_c)·z_k.
func TestComputeFisherHeadMatchesHost(t *testing.T) {
	clf := randomClassifier(t, 3, 22)
	ds := syntheticDataset("one", 3, 1, 5)
	f, err := ComputeFisher(clf, ds, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := clipmodel.NewEncoder(clf.Model)
	if err != nil {
		t.Fatal(err)
	}
	img, _, _ := ds.Example(0)
	z, err := enc.EncodeImages(clf.Model.Transform.Batch([]image.Image{img}), 1)
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, ds)[0]
	var sum float64
	for _, l := range logits {
		sum += math.Exp(l)
	}
	dim := clf.Model.Config.ProjectionDim
	matched := -1
	for y := range logits {
		ok := true
		for c := range logits {
			d := -math.Exp(logits[c]) / sum
			if c == y {
				d++
			}
			if math.Abs(float64(f[HeadBias].Data[c])-d*d) > 1e-4*math.Max(1e-3, d*d) {
				ok = false
			}
			for k := range dim {
				g := d * float64(z[k])
				if math.Abs(float64(f[HeadWeight].Data[c*dim+k])-g*g) > 1e-4*math.Max(1e-3, g*g)+1e-9 {
					ok = false
				}
			}
		}
		if ok {
			matched = y
		}
	}
	if matched < 0 {
		t.Fatalf("head Fisher %v matches no sampled class (logits %v)", f[HeadBias].Data, logits)
	}
}

// TestComputeFisherSamplesFromTheModel repeats one image many times: with y ~ p the bias Fisher of class c tends
// to E[([c=y] − p_c)²] = p_c·(1 − p_c), whereas the dataset's label would give a fixed ([c=label] − p_c)².
func TestComputeFisherSamplesFromTheModel(t *testing.T) {
	clf := randomClassifier(t, 3, 23)
	one := syntheticDataset("one", 3, 1, 6)
	const n = 200
	ds := &memDataset{name: "repeated", classes: one.classes}
	for range n {
		ds.images = append(ds.images, one.images[0])
		ds.labels = append(ds.labels, 0)
	}
	f, err := ComputeFisher(clf, ds, 0, 9)
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, one)[0]
	var sum float64
	for _, l := range logits {
		sum += math.Exp(l)
	}
	for c, l := range logits {
		p := math.Exp(l) / sum
		empirical := p * p
		if c == 0 {
			empirical = (1 - p) * (1 - p)
		}
		want := p * (1 - p)
		// A sample is (1−p)² with probability p and p² otherwise: variance p(1−p)(1−2p)². The labels of the data
		// (all 0) would instead give (1−p_0)² and p_c², several standard errors away here.
		se := math.Sqrt(p * (1 - p) * (1 - 2*p) * (1 - 2*p) / n)
		if got := float64(f[HeadBias].Data[c]); math.Abs(got-want) > 4*se+1e-3 {
			t.Errorf("class %d (p=%.3f): bias Fisher %.4f, expected %.4f", c, p, got, want)
		}
		if c < 2 && math.Abs(empirical-want) <= 4*se+1e-3 {
			t.Errorf("class %d: the test cannot tell the sampled Fisher from the empirical one", c)
		}
	}
}

// TestComputeFisherLabelSmoothingMatchesHost checks the head's Fisher of one example with the label-smoothed loss
// (the paper's fisher.py with --ls > 0) against its closed form: ∂/∂bias_c of (1−ls)·log p_y + ls·mean_j log p_j
// is (1−ls)·[c=y] + ls/K − p_c, and ∂/∂W_ck is that times z_k.
func TestComputeFisherLabelSmoothingMatchesHost(t *testing.T) {
	const ls = 0.3
	clf := randomClassifier(t, 3, 22)
	ds := syntheticDataset("one", 3, 1, 5)
	f, err := ComputeFisherWith(clf, ds, FisherOptions{LabelSmoothing: ls, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ComputeFisherWith(clf, ds, FisherOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if sameBits(f, plain) == "" {
		t.Fatal("label smoothing did not change the Fisher")
	}
	enc, err := clipmodel.NewEncoder(clf.Model)
	if err != nil {
		t.Fatal(err)
	}
	img, _, _ := ds.Example(0)
	z, err := enc.EncodeImages(clf.Model.Transform.Batch([]image.Image{img}), 1)
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, ds)[0]
	var sum float64
	for _, l := range logits {
		sum += math.Exp(l)
	}
	k := float64(len(logits))
	dim := clf.Model.Config.ProjectionDim
	matched := -1
	for y := range logits {
		ok := true
		for c := range logits {
			d := ls/k - math.Exp(logits[c])/sum
			if c == y {
				d += 1 - ls
			}
			if math.Abs(float64(f[HeadBias].Data[c])-d*d) > 1e-4*math.Max(1e-3, d*d) {
				ok = false
			}
			for j := range dim {
				g := d * float64(z[j])
				if math.Abs(float64(f[HeadWeight].Data[c*dim+j])-g*g) > 1e-4*math.Max(1e-3, g*g)+1e-9 {
					ok = false
				}
			}
		}
		if ok {
			matched = y
		}
	}
	if matched < 0 {
		t.Fatalf("head Fisher %v matches the smoothed closed form of no sampled class (logits %v)", f[HeadBias].Data, logits)
	}
	if _, err := ComputeFisherWith(clf, ds, FisherOptions{LabelSmoothing: 1}); err == nil {
		t.Error("label smoothing 1 accepted")
	}
}

// TestComputeFisherEpochsAverage makes 200 passes over one image: each pass samples its own label, so the bias
// Fisher tends to E[([c=y] − p_c)²] = p_c·(1 − p_c) as for 200 copies of the image in one pass, and the estimate is
// the mean over passes (not their sum).
func TestComputeFisherEpochsAverage(t *testing.T) {
	clf := randomClassifier(t, 3, 23)
	one := syntheticDataset("one", 3, 1, 6)
	const passes = 200
	f, err := ComputeFisherWith(clf, one, FisherOptions{Epochs: passes, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, one)[0]
	var sum float64
	for _, l := range logits {
		sum += math.Exp(l)
	}
	for c, l := range logits {
		p := math.Exp(l) / sum
		want := p * (1 - p)
		se := math.Sqrt(p * (1 - p) * (1 - 2*p) * (1 - 2*p) / passes)
		got := float64(f[HeadBias].Data[c])
		if math.Abs(got-want) > 4*se+1e-3 {
			t.Errorf("class %d (p=%.3f): bias Fisher %.4f over %d passes, expected %.4f", c, p, got, passes, want)
		}
	}
	single, err := ComputeFisherWith(clf, one, FisherOptions{Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	if sameBits(f, single) == "" {
		t.Error("200 passes gave the Fisher of one")
	}
}
