package wiseft

import (
	"fmt"
	"math"
	"sort"

	"github.com/gowiseft/wiseft/clipmodel"
)

// UniformSoup returns the uniform average of models with exactly the same tensors (a "model soup", Wortsman et
// al., ICML 2022): each value is summed in float64 in argument order, divided by the number of models and rounded
// to float32. A soup of one model is a copy of that model. Mismatched names or shapes are an error naming the
// tensor and both shapes.
//
//	soup, err := wiseft.UniformSoup(run1.Model.Weights, run2.Model.Weights, run3.Model.Weights)
func UniformSoup(models ...clipmodel.Weights) (clipmodel.Weights, error) {
	if len(models) == 0 {
		return nil, fmt.Errorf("uniform soup: no models")
	}
	names, err := checkSameLayout(modelLabels("model", len(models)), models)
	if err != nil {
		return nil, fmt.Errorf("uniform soup: %w", err)
	}
	if len(models) == 1 {
		return models[0].Clone(), nil
	}
	n := float64(len(models))
	w, err := combine(models[0], names, func(name string, out []float32) {
		for i := range out {
			var s float64
			for _, m := range models {
				s += float64(m[name].Data[i])
			}
			out[i] = float32(s / n)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("uniform soup: %w", err)
	}
	return w, nil
}

// GreedySoup runs the greedy model-soup recipe (Wortsman et al., ICML 2022, Algorithm 1): the candidates are
// scored individually and sorted by score, best first (ties keep the input order); the best one starts the soup;
// each next candidate is added when the uniform soup of the ingredients plus it scores at least as well as the
// current soup. score evaluates a weight set on held-out data (higher is better; e.g. held-out accuracy from an
// Evaluator). It returns the final soup (the UniformSoup of the chosen candidates, in the order they were added)
// and the chosen indices into candidates, in that order.
//
// The paper's Algorithm 1 keeps a candidate when the score does not drop (≥), as here; the model-soups script
// requires a strict improvement.
//
//	ev, _ := wiseft.NewEvaluator(clf, wiseft.EvalOptions{BatchSize: 64})
//	score := func(w clipmodel.Weights) (float64, error) {
//		if err := ev.SetWeights(w); err != nil {
//			return 0, err
//		}
//		m, err := ev.Evaluate(ctx, heldOut, 0)
//		return m.Top1, err
//	}
//	soup, chosen, err := wiseft.GreedySoup(candidates, score)
func GreedySoup(candidates []clipmodel.Weights,
	score func(clipmodel.Weights) (float64, error)) (clipmodel.Weights, []int, error) {
	if len(candidates) == 0 {
		return nil, nil, fmt.Errorf("greedy soup: no candidates")
	}
	if score == nil {
		return nil, nil, fmt.Errorf("greedy soup: no score function")
	}
	if _, err := checkSameLayout(modelLabels("candidate", len(candidates)), candidates); err != nil {
		return nil, nil, fmt.Errorf("greedy soup: %w", err)
	}
	scores := make([]float64, len(candidates))
	for i, c := range candidates {
		s, err := score(c)
		if err != nil {
			return nil, nil, fmt.Errorf("greedy soup: scoring candidate %d: %w", i, err)
		}
		if math.IsNaN(s) {
			return nil, nil, fmt.Errorf("greedy soup: candidate %d scored NaN", i)
		}
		scores[i] = s
	}
	order := make([]int, len(candidates))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })

	chosen := []int{order[0]}
	soup := candidates[order[0]].Clone()
	best := scores[order[0]]
	for _, i := range order[1:] {
		ingredients := make([]clipmodel.Weights, 0, len(chosen)+1)
		for _, j := range chosen {
			ingredients = append(ingredients, candidates[j])
		}
		trial, err := UniformSoup(append(ingredients, candidates[i])...)
		if err != nil {
			return nil, nil, fmt.Errorf("greedy soup: %w", err)
		}
		s, err := score(trial)
		if err != nil {
			return nil, nil, fmt.Errorf("greedy soup: scoring the soup with candidate %d: %w", i, err)
		}
		if s >= best {
			chosen, soup, best = append(chosen, i), trial, s
		}
	}
	return soup, chosen, nil
}
