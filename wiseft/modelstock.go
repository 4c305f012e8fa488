package wiseft

import (
	"fmt"
	"math"

	"github.com/gowiseft/wiseft/clipmodel"
)

// StockRatio is the ratio Model Stock chose for one tensor.
type StockRatio struct {
	// Tensor is the weight's name.
	Tensor string
	// Cos is the average pairwise cosine between the fine-tuned models' task vectors θᵢ − θ0 over this tensor
	// (0 when a task vector is zero: the tensor did not move).
	Cos float64
	// T is the interpolation ratio k·cos / (1 + (k−1)·cos), cos clamped to [0, 1] (so T lies in [0, 1]).
	T float64
}

// ModelStockRatio is Model Stock's interpolation ratio (Jang et al., "Model Stock: All we need is just a few
// fine-tuned models", ECCV 2024) for k fine-tuned models whose task vectors make the angle θ with each
// other: t = k·cos θ / (1 + (k−1)·cos θ). cos θ is clamped to [0, 1] first (the paper assumes an acute angle;
// an obtuse one would give a ratio outside [0, 1] or divide by zero), so t is in [0, 1]: 0 when the task vectors
// are orthogonal, 1 when they coincide.
func ModelStockRatio(k int, cos float64) float64 {
	cos = math.Max(0, math.Min(1, cos))
	if math.IsNaN(cos) {
		cos = 0
	}
	return float64(k) * cos / (1 + float64(k-1)*cos)
}

// ModelStock merges k ≥ 2 fine-tuned models with the zero-shot one as Model Stock does, per tensor ("layer-wise"
// in the paper, whose code computes the angle for each weight): with τᵢ = θᵢ − θ0 over the tensor and cos θ the
// average over pairs i < j of cos(τᵢ, τⱼ), the tensor becomes t·avg(θᵢ) + (1−t)·θ0 with t = ModelStockRatio(k,
// cos θ). No α is swept: the ratio comes from the geometry of the fine-tuned models. A tensor where some τᵢ is
// zero (it was not trained, e.g. the text tower) has cos = 0, hence t = 0: θ0's values, bit for bit. Sums are in
// float64, rounded once. It returns the merged weights and the ratio of every tensor, in name order.
//
//	merged, ratios, err := wiseft.ModelStock(zs.Model.Weights, []clipmodel.Weights{ft1.Model.Weights, ft2.Model.Weights})
func ModelStock(zeroShot clipmodel.Weights, fineTuned []clipmodel.Weights) (clipmodel.Weights, []StockRatio, error) {
	k := len(fineTuned)
	if k < 2 {
		return nil, nil, fmt.Errorf("model stock: needs at least 2 fine-tuned models, got %d", k)
	}
	all := append([]clipmodel.Weights{zeroShot}, fineTuned...)
	labels := append([]string{"the zero-shot model"}, modelLabels("fine-tuned model", k)...)
	names, err := checkSameLayout(labels, all)
	if err != nil {
		return nil, nil, fmt.Errorf("model stock: %w", err)
	}
	ratios := make([]StockRatio, len(names))
	index := make(map[string]int, len(names))
	for i, name := range names {
		cos := stockCos(zeroShot[name].Data, fineTuned, name)
		ratios[i] = StockRatio{Tensor: name, Cos: cos, T: ModelStockRatio(k, cos)}
		index[name] = i
	}
	w, err := combine(zeroShot, names, func(name string, out []float32) {
		t := ratios[index[name]].T
		z := zeroShot[name].Data
		if t == 0 {
			copy(out, z)
			return
		}
		for i := range out {
			var s float64
			for _, m := range fineTuned {
				s += float64(m[name].Data[i])
			}
			out[i] = float32(t*(s/float64(k)) + (1-t)*float64(z[i]))
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("model stock: %w", err)
	}
	return w, ratios, nil
}

// stockCos is the average pairwise cosine of the task vectors of one tensor (0 when any of them is zero).
func stockCos(z []float32, fineTuned []clipmodel.Weights, name string) float64 {
	k := len(fineTuned)
	norms := make([]float64, k)
	for i, m := range fineTuned {
		var s float64
		for j, v := range m[name].Data {
			d := float64(v) - float64(z[j])
			s += d * d
		}
		if s == 0 {
			return 0
		}
		norms[i] = math.Sqrt(s)
	}
	var sum float64
	pairs := 0
	for a := 0; a < k; a++ {
		for b := a + 1; b < k; b++ {
			var dot float64
			da, db := fineTuned[a][name].Data, fineTuned[b][name].Data
			for j := range z {
				dot += (float64(da[j]) - float64(z[j])) * (float64(db[j]) - float64(z[j]))
			}
			sum += dot / (norms[a] * norms[b])
			pairs++
		}
	}
	return sum / float64(pairs)
}
