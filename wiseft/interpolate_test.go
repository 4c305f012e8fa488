package wiseft

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

func TestInterpolateEndpointsAreExact(t *testing.T) {
	for _, pair := range []struct {
		name   string
		t0, t1 clipmodel.Weights
	}{
		{"small", randomWeights(1, smallShapes), randomWeights(2, smallShapes)},
		{"fixture", randomClassifier(t, 3, 1).Model.Weights, finetuned(randomClassifier(t, 3, 1), 5, 0.5).Model.Weights},
	} {
		w0, err := Interpolate(pair.t0, pair.t1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if d := sameBits(w0, pair.t0); d != "" {
			t.Errorf("%s: α=0 differs from θ0: %s", pair.name, d)
		}
		w1, err := Interpolate(pair.t0, pair.t1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if d := sameBits(w1, pair.t1); d != "" {
			t.Errorf("%s: α=1 differs from θ1: %s", pair.name, d)
		}
		// The results are copies, not aliases of the inputs.
		for name := range w0 {
			if &w0[name].Data[0] == &pair.t0[name].Data[0] && len(w0[name].Data) > 0 {
				t.Fatalf("%s: α=0 shares %s with θ0", pair.name, name)
			}
		}
	}
}

func TestInterpolateMeanAndFormula(t *testing.T) {
	a, b := randomWeights(1, smallShapes), randomWeights(2, smallShapes)
	aCopy := a.Clone()
	for _, alpha := range []float64{0.5, 0.3, 0.9} {
		w, err := Interpolate(a, b, alpha)
		if err != nil {
			t.Fatal(err)
		}
		for name, tw := range w {
			for i, got := range tw.Data {
				x, y := float64(a[name].Data[i]), float64(b[name].Data[i])
				want := float32((1-alpha)*x + alpha*y)
				if alpha == 0.5 {
					want = float32((x + y) / 2) // the correctly rounded mean
				}
				if math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("α=%v %s[%d] = %v, want %v", alpha, name, i, got, want)
				}
			}
		}
	}
	if d := sameBits(a, aCopy); d != "" {
		t.Fatalf("Interpolate modified θ0: %s", d)
	}
}

func TestInterpolateAlphaRange(t *testing.T) {
	a, b := randomWeights(1, smallShapes), randomWeights(2, smallShapes)
	for _, alpha := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		if _, err := Interpolate(a, b, alpha); err == nil {
			t.Errorf("α=%v accepted", alpha)
		}
	}
	w, err := Extrapolate(a, b, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	x, y := float64(a["a.bias"].Data[2]), float64(b["a.bias"].Data[2])
	if got, want := w["a.bias"].Data[2], float32(-0.5*x+1.5*y); got != want {
		t.Fatalf("extrapolated value %v, want %v", got, want)
	}
	if _, err := Extrapolate(a, b, math.NaN()); err == nil {
		t.Error("NaN α accepted with extrapolation")
	}
}

func TestInterpolateMismatchErrorsNameTheTensor(t *testing.T) {
	a := randomWeights(1, smallShapes)

	missing := a.Clone()
	delete(missing, "a.bias")
	_, err := Interpolate(a, missing, 0.5)
	if err == nil || !strings.Contains(err.Error(), `"a.bias"`) || !strings.Contains(err.Error(), "[4]") {
		t.Errorf("missing tensor: got %v", err)
	}

	extra := a.Clone()
	extra["c.weight"] = clipmodel.NewTensor(7, 2)
	_, err = Interpolate(a, extra, 0.5)
	if err == nil || !strings.Contains(err.Error(), `"c.weight"`) || !strings.Contains(err.Error(), "[7 2]") {
		t.Errorf("extra tensor: got %v", err)
	}

	reshaped := a.Clone()
	reshaped["a.weight"] = clipmodel.NewTensor(4, 3)
	_, err = Interpolate(a, reshaped, 0.5)
	if err == nil || !strings.Contains(err.Error(), `"a.weight"`) ||
		!strings.Contains(err.Error(), "[3 4]") || !strings.Contains(err.Error(), "[4 3]") {
		t.Errorf("shape mismatch: got %v", err)
	}

	short := a.Clone()
	short["a.bias"].Data = short["a.bias"].Data[:3]
	if _, err = Interpolate(a, short, 0.5); err == nil || !strings.Contains(err.Error(), `"a.bias"`) {
		t.Errorf("short data: got %v", err)
	}
	if _, err = TaskVector(a, reshaped, 2); err == nil || !strings.Contains(err.Error(), `"a.weight"`) {
		t.Errorf("task vector shape mismatch: got %v", err)
	}
}

func TestTaskVector(t *testing.T) {
	a, b := randomWeights(1, smallShapes), randomWeights(2, smallShapes)
	w1, err := TaskVector(a, b, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(w1, b); d != "" {
		t.Errorf("λ=1 differs from θ1: %s", d)
	}
	w0, err := TaskVector(a, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(w0, a); d != "" {
		t.Errorf("λ=0 differs from θ0: %s", d)
	}
	for _, lambda := range []float64{2, -1, 0.25} {
		w, err := TaskVector(a, b, lambda)
		if err != nil {
			t.Fatalf("λ=%v: %v", lambda, err)
		}
		for name, tw := range w {
			for i, got := range tw.Data {
				x, y := float64(a[name].Data[i]), float64(b[name].Data[i])
				want := x + lambda*(y-x)
				if math.Abs(float64(got)-want) > 1e-6*math.Max(1, math.Abs(want)) {
					t.Fatalf("λ=%v %s[%d] = %v, want %v", lambda, name, i, got, want)
				}
			}
		}
	}
	if _, err := TaskVector(a, b, math.Inf(-1)); err == nil {
		t.Error("infinite λ accepted")
	}
}

func ExampleInterpolate() {
	zeroShot := clipmodel.Weights{"w": {Shape: []int{2}, Data: []float32{0, 4}}}
	fineTuned := clipmodel.Weights{"w": {Shape: []int{2}, Data: []float32{2, 8}}}
	for _, alpha := range []float64{0, 0.5, 1} {
		mixed, _ := Interpolate(zeroShot, fineTuned, alpha)
		fmt.Println(alpha, mixed["w"].Data)
	}
	// Output:
	// 0 [0 4]
	// 0.5 [1 6]
	// 1 [2 8]
}

func ExampleTaskVector() {
	zeroShot := clipmodel.Weights{"w": {Shape: []int{2}, Data: []float32{0, 4}}}
	fineTuned := clipmodel.Weights{"w": {Shape: []int{2}, Data: []float32{2, 8}}}
	amplified, _ := TaskVector(zeroShot, fineTuned, 1.5)
	fmt.Println(amplified["w"].Data)
	// Output: [3 10]
}
