package wiseft

import (
	"math"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

// vecWeights is a weight set of one-dimensional tensors, by name.
func vecWeights(m map[string][]float32) clipmodel.Weights {
	w := clipmodel.Weights{}
	for name, v := range m {
		t := clipmodel.NewTensor(len(v))
		copy(t.Data, v)
		w[name] = t
	}
	return w
}

func TestModelStockRatioFormula(t *testing.T) {
	// t = k·cos / (1 + (k−1)·cos), written out by hand for a few cases.
	for _, c := range []struct {
		k         int
		cos, want float64
	}{
		{2, 0.5, 2.0 / 3},             // 2·½ / (1 + ½)
		{3, 0.5, 0.75},                // 3·½ / (1 + 2·½)
		{2, 1, 1},                     // identical task vectors: the average itself
		{5, 0, 0},                     // orthogonal: the zero-shot model
		{4, 0.25, 0.5714285714285714}, // 4·¼ / (1 + 3·¼) = 1 / 1.75
		{2, -0.3, 0},                  // obtuse: clamped to 0
		{3, 1.5, 1},                   // above 1 (rounding): clamped to 1
	} {
		if got := ModelStockRatio(c.k, c.cos); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("ModelStockRatio(%d, %v) = %v, want %v", c.k, c.cos, got, c.want)
		}
	}
}

func TestModelStockOnHandMadeTaskVectors(t *testing.T) {
	// Zero-shot at z; task vectors chosen so each tensor's angle is known:
	// "acute": τ1 = (2, 0), τ2 = (1, √3): 60°, cos ½, t = 2/3.
	// "orth":  τ1 = (1, 0), τ2 = (0, 3): cos 0, t = 0 (θ0 bit for bit).
	// "same":  τ1 = τ2 = (0.5, −0.25): cos 1, t = 1 (the fine-tuned tensor).
	// "still": the tensor did not move in one model: t = 0.
	z := vecWeights(map[string][]float32{"acute": {1, -1}, "orth": {0.5, 2}, "same": {3, 4}, "still": {7, 8}})
	s3 := float32(math.Sqrt(3))
	ft1 := vecWeights(map[string][]float32{"acute": {3, -1}, "orth": {1.5, 2}, "same": {3.5, 3.75}, "still": {7.5, 8}})
	ft2 := vecWeights(map[string][]float32{"acute": {2, -1 + s3}, "orth": {0.5, 5}, "same": {3.5, 3.75}, "still": {7, 8}})
	merged, ratios, err := ModelStock(z, []clipmodel.Weights{ft1, ft2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"acute": 2.0 / 3, "orth": 0, "same": 1, "still": 0}
	for _, r := range ratios {
		if math.Abs(r.T-want[r.Tensor]) > 1e-6 {
			t.Errorf("%s: t = %v (cos %v), want %v", r.Tensor, r.T, r.Cos, want[r.Tensor])
		}
	}
	// acute: t·avg + (1−t)·z with avg = z + (τ1+τ2)/2 = (1+1.5, −1+√3/2).
	tt := 2.0 / 3
	avg := []float64{2.5, -1 + math.Sqrt(3)/2}
	for i, zi := range []float64{1, -1} {
		w := tt*avg[i] + (1-tt)*zi
		if got := float64(merged["acute"].Data[i]); math.Abs(got-w) > 1e-6 {
			t.Errorf("acute[%d] = %v, want %v", i, got, w)
		}
	}
	if d := sameBits(clipmodel.Weights{"orth": merged["orth"], "still": merged["still"]},
		clipmodel.Weights{"orth": z["orth"], "still": z["still"]}); d != "" {
		t.Errorf("t = 0 tensors differ from the zero-shot model: %s", d)
	}
	if d := sameBits(clipmodel.Weights{"same": merged["same"]}, clipmodel.Weights{"same": ft1["same"]}); d != "" {
		t.Errorf("t = 1 tensor differs from the fine-tuned one: %s", d)
	}
}

func TestModelStockThreeModelsAveragesPairwiseCosines(t *testing.T) {
	// τ1 = (1,0,0), τ2 = (0,1,0), τ3 = (1,1,0): cosines 0, 1/√2, 1/√2; average √2/3.
	z := vecWeights(map[string][]float32{"w": {0, 0, 0}})
	fts := []clipmodel.Weights{
		vecWeights(map[string][]float32{"w": {1, 0, 0}}),
		vecWeights(map[string][]float32{"w": {0, 1, 0}}),
		vecWeights(map[string][]float32{"w": {1, 1, 0}}),
	}
	merged, ratios, err := ModelStock(z, fts)
	if err != nil {
		t.Fatal(err)
	}
	cos := math.Sqrt2 / 3
	tt := 3 * cos / (1 + 2*cos)
	if math.Abs(ratios[0].Cos-cos) > 1e-12 || math.Abs(ratios[0].T-tt) > 1e-12 {
		t.Fatalf("cos %v t %v, want %v %v", ratios[0].Cos, ratios[0].T, cos, tt)
	}
	for i, a := range []float64{2.0 / 3, 2.0 / 3, 0} { // the average of the three
		if got := float64(merged["w"].Data[i]); math.Abs(got-tt*a) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", i, got, tt*a)
		}
	}
}

func TestModelStockErrors(t *testing.T) {
	z := vecWeights(map[string][]float32{"w": {0, 0}})
	one := vecWeights(map[string][]float32{"w": {1, 0}})
	if _, _, err := ModelStock(z, []clipmodel.Weights{one}); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("one fine-tuned model: %v", err)
	}
	other := vecWeights(map[string][]float32{"w": {1, 0, 0}})
	if _, _, err := ModelStock(z, []clipmodel.Weights{one, other}); err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("mismatched shapes: %v", err)
	}
}
