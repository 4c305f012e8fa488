package wiseft

import (
	"math"
	"strings"
	"testing"
)

func TestInterpolateLayersAllEqualIsInterpolateBitForBit(t *testing.T) {
	zs := randomClassifier(t, 3, 1)
	ft := finetuned(randomClassifier(t, 3, 1), 5, 0.5)
	groups := ModelGroups(zs.Model.Weights)
	if len(groups) < 4 {
		t.Fatalf("the fixture has only the blocks %v", groups)
	}
	for _, alpha := range []float64{0, 0.1, 0.3, 0.5, 0.77, 1} {
		want, err := Interpolate(zs.Model.Weights, ft.Model.Weights, alpha)
		if err != nil {
			t.Fatal(err)
		}
		// Every block named, and the same through the default.
		named := LayerAlphas{}
		for _, g := range groups {
			named[g] = alpha
		}
		for _, p := range []LayerAlphas{named, {DefaultGroup: alpha}} {
			got, err := InterpolateLayers(zs.Model.Weights, ft.Model.Weights, p)
			if err != nil {
				t.Fatal(err)
			}
			if d := sameBits(got, want); d != "" {
				t.Errorf("α = %v, profile %v: %s", alpha, p, d)
			}
		}
	}
}

func TestInterpolateLayersMixesEachBlockWithItsAlpha(t *testing.T) {
	zs := randomClassifier(t, 3, 1)
	ft := finetuned(randomClassifier(t, 3, 1), 5, 0.5)
	p := LayerAlphas{"head": 1, "vision embeddings": 0, "vision layer 0": 0.25, DefaultGroup: 0.5}
	got, err := InterpolateLayers(zs.Model.Weights, ft.Model.Weights, p)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range got {
		a, ok := p[TensorGroup(name)]
		if !ok {
			a = 0.5
		}
		for i, v := range w.Data {
			x, y := float64(zs.Model.Weights[name].Data[i]), float64(ft.Model.Weights[name].Data[i])
			want := float32((1-a)*x + a*y)
			if math.Float32bits(v) != math.Float32bits(want) {
				t.Fatalf("%s (%s, α %v)[%d] = %v, want %v", name, TensorGroup(name), a, i, v, want)
			}
		}
	}
}

func TestLayerAlphasParseAndErrors(t *testing.T) {
	p, err := ParseLayerAlphas("vision embeddings=0.2, head = 1,*=0.5")
	if err != nil {
		t.Fatal(err)
	}
	if p["vision embeddings"] != 0.2 || p["head"] != 1 || p[DefaultGroup] != 0.5 || len(p) != 3 {
		t.Fatalf("parsed %v", p)
	}
	if s := p.String(); s != "vision embeddings=0.2,head=1,*=0.5" {
		t.Errorf("String() = %q", s)
	}
	for in, want := range map[string]string{
		"head":              "not group=α",
		"=0.5":              "not group=α",
		"head=x":            "not a number",
		"head=NaN":          "finite",
		"head=1,head=0.5":   "twice",
		"vision layr 0=1":   "not a block",
		"vision layer 01=1": "not a block",
	} {
		if _, err := ParseLayerAlphas(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	zs := randomClassifier(t, 3, 1)
	ft := finetuned(randomClassifier(t, 3, 1), 5, 0.5)
	for _, c := range []struct {
		p    LayerAlphas
		want string
	}{
		{LayerAlphas{"head": 1}, "no α for"},
		{LayerAlphas{"vision layer 99": 1, DefaultGroup: 0}, `no block "vision layer 99"`},
		{LayerAlphas{"head": 1.5, DefaultGroup: 0}, "outside [0, 1]"},
	} {
		if _, err := InterpolateLayers(zs.Model.Weights, ft.Model.Weights, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.p, err, c.want)
		}
	}
}
