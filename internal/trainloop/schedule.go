package trainloop

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// CosineLR is the learning rate of step step (0-based) under the paper's schedule (cosine_lr in the WiSE-FT
// code): a linear warmup over the first warmup steps, base·(step+1)/warmup, then a half cosine from base down to
// 0 over the remaining total−warmup steps, 0.5·(1+cos(π·(step−warmup)/(total−warmup)))·base. Steps past the end
// (and every post-warmup step when total ≤ warmup) get 0.
func CosineLR(base float64, warmup, total, step int) float64 {
	if step < warmup {
		return base * float64(step+1) / float64(warmup)
	}
	e, es := step-warmup, total-warmup
	if es <= 0 || e >= es {
		return 0
	}
	return 0.5 * (1 + math.Cos(math.Pi*float64(e)/float64(es))) * base
}

// GlobalNorm is the L2 norm of all the tensors together, √(Σ‖gᵢ‖²), as torch.nn.utils.clip_grad_norm_ computes it.
func GlobalNorm(grads []*graph.Node) *graph.Node {
	var sum *graph.Node
	for _, g := range grads {
		s := graph.ReduceAllSum(graph.Square(g))
		if sum == nil {
			sum = s
		} else {
			sum = graph.Add(sum, s)
		}
	}
	return graph.Sqrt(sum)
}

// ClipByGlobalNorm scales all gradients by min(1, maxNorm/(‖g‖+1e-6)), ‖g‖ their global norm, as
// torch.nn.utils.clip_grad_norm_(params, maxNorm) does (the paper's fine-tuning). maxNorm ≤ 0 leaves them
// unchanged. It returns the (clipped) gradients and the norm before clipping.
func ClipByGlobalNorm(grads []*graph.Node, maxNorm float64) ([]*graph.Node, *graph.Node) {
	norm := GlobalNorm(grads)
	if maxNorm <= 0 {
		return grads, norm
	}
	g := norm.Graph()
	coef := graph.Div(graph.Scalar(g, norm.DType(), maxNorm), graph.AddScalar(norm, 1e-6))
	coef = graph.Min(coef, graph.OnesLike(coef))
	return scaleAll(grads, coef), norm
}

// ClipToMaxNorm scales the gradients by maxNorm/max(‖g‖, maxNorm): the clipping the shipped world model was
// pretrained with. It differs from ClipByGlobalNorm's maxNorm/(‖g‖+1e-6) in the last bits only when clipping is
// active, but over thousands of steps those bits add up, and the shipped model is reproduced bit for bit only with
// its own formula. It returns the clipped gradients and the norm before clipping.
func ClipToMaxNorm(grads []*graph.Node, maxNorm float64) ([]*graph.Node, *graph.Node) {
	norm := GlobalNorm(grads)
	c := graph.Scalar(norm.Graph(), norm.DType(), maxNorm)
	return scaleAll(grads, graph.Div(c, graph.Max(norm, c))), norm
}

func scaleAll(grads []*graph.Node, coef *graph.Node) []*graph.Node {
	out := make([]*graph.Node, len(grads))
	for i, g := range grads {
		out[i] = graph.Mul(g, graph.ConvertDType(coef, g.DType()))
	}
	return out
}
