package wiseft

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

// ulpClose reports whether a and b are within one float32 ulp of each other.
func ulpClose(a, b float32) bool {
	return a == b || math.Nextafter32(a, b) == b
}

func TestFisherMergeWithEqualFishersIsInterpolation(t *testing.T) {
	a, b := randomWeights(1, smallShapes), randomWeights(2, smallShapes)
	rng := rand.New(rand.NewPCG(7, 7))
	f := make(clipmodel.Weights)
	zero := make(clipmodel.Weights)
	for name, tw := range a {
		f[name] = clipmodel.NewTensor(tw.Shape...)
		zero[name] = clipmodel.NewTensor(tw.Shape...)
		for i := range f[name].Data {
			f[name].Data[i] = float32(rng.ExpFloat64() * math.Pow(10, float64(rng.IntN(9)-6)))
		}
	}
	for _, alpha := range []float64{0, 0.2, 0.5, 0.75, 1} {
		want, err := Interpolate(a, b, alpha)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name    string
			fishers []clipmodel.Weights
		}{
			{"equal", []clipmodel.Weights{f, f}},
			{"zero (floored)", []clipmodel.Weights{zero, zero}},
			{"none", nil},
			{"empty maps", []clipmodel.Weights{{}, {}}},
		} {
			got, err := FisherMerge([]clipmodel.Weights{a, b}, c.fishers, []float64{1 - alpha, alpha}, DefaultFisherFloor)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			for name, tw := range got {
				for i, v := range tw.Data {
					if !ulpClose(v, want[name].Data[i]) {
						t.Fatalf("%s α=%v: %s[%d] = %v, interpolation %v", c.name, alpha, name, i, v, want[name].Data[i])
					}
				}
			}
		}
	}
}

func TestFisherMergeWeightsByFisher(t *testing.T) {
	a, b := scalarModel(1), scalarModel(5)
	fa, fb := scalarModel(3), scalarModel(1)
	got, err := FisherMerge([]clipmodel.Weights{a, b}, []clipmodel.Weights{fa, fb}, nil, DefaultFisherFloor)
	if err != nil {
		t.Fatal(err)
	}
	if v := got["x"].Data[0]; v != 2 { // (3·1 + 1·5) / 4
		t.Fatalf("merged %v, want 2", v)
	}
	// Floor: a zero Fisher is raised to the floor.
	got, _ = FisherMerge([]clipmodel.Weights{a, b}, []clipmodel.Weights{scalarModel(0), scalarModel(1)}, nil, 1)
	if v := got["x"].Data[0]; v != 3 {
		t.Fatalf("floored merge %v, want 3", v)
	}
	// Floor 0 and no Fisher mass: plain average.
	got, _ = FisherMerge([]clipmodel.Weights{a, b}, []clipmodel.Weights{scalarModel(0), scalarModel(0)}, []float64{0.25, 0.75}, 0)
	if v := got["x"].Data[0]; v != 4 {
		t.Fatalf("zero-mass merge %v, want 4", v)
	}
}

func TestFisherMergeErrors(t *testing.T) {
	a, b := randomWeights(1, smallShapes), randomWeights(2, smallShapes)
	partial := a.Clone()
	delete(partial, "a.bias")
	cases := map[string]struct {
		fishers []clipmodel.Weights
		coefs   []float64
		floor   float64
		want    string
	}{
		"fisher in one only": {[]clipmodel.Weights{a, partial}, nil, DefaultFisherFloor, `"a.bias"`},
		"fisher shape":       {[]clipmodel.Weights{a, {"a.bias": clipmodel.NewTensor(5)}}, nil, DefaultFisherFloor, `"a.bias"`},
		"fisher extra":       {[]clipmodel.Weights{a, {"zzz": clipmodel.NewTensor(1)}}, nil, DefaultFisherFloor, `"zzz"`},
		"fisher count":       {[]clipmodel.Weights{a}, nil, DefaultFisherFloor, "Fishers"},
		"coef count":         {nil, []float64{1}, DefaultFisherFloor, "coefficients"},
		"negative coef":      {nil, []float64{-1, 2}, DefaultFisherFloor, "coefficient"},
		"zero coefs":         {nil, []float64{0, 0}, DefaultFisherFloor, "zero"},
		"negative floor":     {nil, nil, -1, "floor"},
	}
	for name, c := range cases {
		_, err := FisherMerge([]clipmodel.Weights{a, b}, c.fishers, c.coefs, c.floor)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %s", name, err, c.want)
		}
	}
}
