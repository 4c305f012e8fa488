package wiseft

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// SmoothedCrossEntropy is the paper's training loss on logits [batch, classes] and integer labels [batch]:
// per example (1−ls)·(−log p_label) + ls·mean over classes of (−log p_c), averaged over the examples. weights
// [batch] (nil: all ones) turns it into a weighted mean, Σ wᵢ·lossᵢ / Σ wᵢ; the padding rows of a last partial
// batch get weight 0, which makes the loss that of the partial batch alone. ls = 0 is plain cross-entropy.
func SmoothedCrossEntropy(logits, labels, weights *graph.Node, ls float64) *graph.Node {
	perExample := smoothedPerExample(logits, labels, ls)
	if weights == nil {
		return graph.ReduceAllMean(perExample)
	}
	weights = graph.ConvertDType(weights, perExample.DType())
	return graph.Div(graph.ReduceAllSum(graph.Mul(perExample, weights)), graph.ReduceAllSum(weights))
}

// smoothedCrossEntropySum is Σ wᵢ·lossᵢ and Σ wᵢ of SmoothedCrossEntropy: a batch split into shards has the loss
// Σ_shards Σ wᵢ·lossᵢ / Σ_shards Σ wᵢ, and the gradient of the numerator sums over shards.
func smoothedCrossEntropySum(logits, labels, weights *graph.Node, ls float64) (sum, weight *graph.Node) {
	perExample := smoothedPerExample(logits, labels, ls)
	weights = graph.ConvertDType(weights, perExample.DType())
	return graph.ReduceAllSum(graph.Mul(perExample, weights)), graph.ReduceAllSum(weights)
}

// smoothedPerExample is the label-smoothed cross-entropy of each example, [batch].
func smoothedPerExample(logits, labels *graph.Node, ls float64) *graph.Node {
	if logits.Rank() != 2 || labels.Rank() != 1 || labels.Shape().Dimensions[0] != logits.Shape().Dimensions[0] {
		panic(fmt.Errorf("SmoothedCrossEntropy: logits %s and labels %s: want [batch, classes] and [batch]",
			logits.Shape(), labels.Shape()))
	}
	classes := logits.Shape().Dimensions[1]
	logp := graph.LogSoftmax(logits, -1)
	nll := graph.Neg(graph.ReduceSum(graph.Mul(logp, graph.OneHot(labels, classes, logp.DType())), -1)) // [batch]
	if ls == 0 {
		return nll
	}
	smooth := graph.Neg(graph.ReduceMean(logp, -1))
	return graph.Add(graph.MulScalar(nll, 1-ls), graph.MulScalar(smooth, ls))
}
