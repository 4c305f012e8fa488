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
	if logits.Rank() != 2 || labels.Rank() != 1 || labels.Shape().Dimensions[0] != logits.Shape().Dimensions[0] {
		panic(fmt.Errorf("SmoothedCrossEntropy: logits %s and labels %s: want [batch, classes] and [batch]",
			logits.Shape(), labels.Shape()))
	}
	classes := logits.Shape().Dimensions[1]
	logp := graph.LogSoftmax(logits, -1)
	nll := graph.Neg(graph.ReduceSum(graph.Mul(logp, graph.OneHot(labels, classes, logp.DType())), -1)) // [batch]
	perExample := nll
	if ls != 0 {
		smooth := graph.Neg(graph.ReduceMean(logp, -1))
		perExample = graph.Add(graph.MulScalar(nll, 1-ls), graph.MulScalar(smooth, ls))
	}
	if weights == nil {
		return graph.ReduceAllMean(perExample)
	}
	weights = graph.ConvertDType(weights, perExample.DType())
	return graph.Div(graph.ReduceAllSum(graph.Mul(perExample, weights)), graph.ReduceAllSum(weights))
}
