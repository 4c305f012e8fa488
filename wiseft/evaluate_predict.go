package wiseft

import "math"

// predict turns one row of logits into a Prediction: the logits are restricted to project's classes when project
// is not nil (label l reads the largest of the logits of its classes project[l], −∞ for a label without classes,
// which is then never predicted), then arg-max (first maximum) and softmax in float64.
func predict(index, label int, logits []float32, project [][]int, keepProbs bool) Prediction {
	n := len(logits)
	if project != nil {
		n = len(project)
	}
	at := func(l int) float64 {
		if project == nil {
			return float64(logits[l])
		}
		best := math.Inf(-1)
		for _, c := range project[l] {
			best = max(best, float64(logits[c]))
		}
		return best
	}
	best, bestLogit := 0, math.Inf(-1)
	for l := range n {
		if x := at(l); x > bestLogit || l == 0 {
			best, bestLogit = l, x
		}
	}
	var sum float64
	for l := range n {
		sum += math.Exp(at(l) - bestLogit)
	}
	p := Prediction{Index: index, Label: label, Predicted: best, Confidence: float32(1 / sum)}
	if keepProbs {
		p.Probs = make([]float32, n)
		for l := range n {
			p.Probs[l] = float32(math.Exp(at(l)-bestLogit) / sum)
		}
	}
	return p
}
