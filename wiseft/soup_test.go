package wiseft

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

func TestUniformSoupOfOneIsThatModel(t *testing.T) {
	a := randomWeights(1, smallShapes)
	s, err := UniformSoup(a)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(s, a); d != "" {
		t.Fatalf("soup of one differs: %s", d)
	}
	s["a.bias"].Data[0]++
	if s["a.bias"].Data[0] == a["a.bias"].Data[0] {
		t.Fatal("the soup aliases its ingredient")
	}
}

func TestUniformSoupIsTheMean(t *testing.T) {
	ms := []clipmodel.Weights{randomWeights(1, smallShapes), randomWeights(2, smallShapes), randomWeights(3, smallShapes)}
	s, err := UniformSoup(ms...)
	if err != nil {
		t.Fatal(err)
	}
	for name, ts := range s {
		for i, got := range ts.Data {
			want := float32((float64(ms[0][name].Data[i]) + float64(ms[1][name].Data[i]) + float64(ms[2][name].Data[i])) / 3)
			if got != want {
				t.Fatalf("%s[%d] = %v, want %v", name, i, got, want)
			}
		}
	}
	// Two models: the soup is Interpolate at α = 0.5, bit for bit.
	s2, _ := UniformSoup(ms[0], ms[1])
	half, _ := Interpolate(ms[0], ms[1], 0.5)
	if d := sameBits(s2, half); d != "" {
		t.Fatalf("soup of two differs from α=0.5: %s", d)
	}
	bad := ms[2].Clone()
	bad["b.weight"] = clipmodel.NewTensor(5, 3, 2)
	if _, err := UniformSoup(ms[0], ms[1], bad); err == nil || !strings.Contains(err.Error(), `"b.weight"`) {
		t.Fatalf("mismatch: got %v", err)
	}
	if _, err := UniformSoup(); err == nil {
		t.Fatal("empty soup accepted")
	}
}

// scalarModel is a one-value weight set.
func scalarModel(v float32) clipmodel.Weights {
	return clipmodel.Weights{"x": {Shape: []int{1}, Data: []float32{v}}}
}

func TestGreedySoup(t *testing.T) {
	// Score: closeness of the single value to 0. Individually: c2 (0.5) > c1 (-1) > c0 (3) > c3 (10).
	// Soup {c2} = 0.5; + c1 → -0.25, better: kept; + c0 → 0.83, worse; + c3 → 3.17, worse.
	cands := []clipmodel.Weights{scalarModel(3), scalarModel(-1), scalarModel(0.5), scalarModel(10)}
	calls := 0
	score := func(w clipmodel.Weights) (float64, error) {
		calls++
		return -math.Abs(float64(w["x"].Data[0])), nil
	}
	soup, chosen, err := GreedySoup(cands, score)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(chosen, []int{2, 1}) {
		t.Fatalf("chosen %v, want [2 1]", chosen)
	}
	if got := soup["x"].Data[0]; got != -0.25 {
		t.Fatalf("soup value %v, want -0.25", got)
	}
	if calls != 4+3 {
		t.Fatalf("%d score calls, want 7", calls)
	}

	// A candidate that leaves the score unchanged is kept (≥, the paper's Algorithm 1).
	_, chosen, err = GreedySoup([]clipmodel.Weights{scalarModel(1), scalarModel(1), scalarModel(-1)}, score)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(chosen, []int{0, 1, 2}) {
		t.Fatalf("ties: chosen %v, want [0 1 2]", chosen)
	}

	boom := errors.New("boom")
	if _, _, err := GreedySoup(cands, func(clipmodel.Weights) (float64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("score error: got %v", err)
	}
}
