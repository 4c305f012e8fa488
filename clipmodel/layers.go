package clipmodel

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph building reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The building blocks of both towers, written out rather than taken from GoMLX's layers package because CLIP's
// parity needs PyTorch's conventions: Linear weights [out, in], LayerNorm epsilon 1e-5, attention scaled by
// 1/sqrt(head width) (GoMLX's MultiHeadAttention scales by 1/head width), QuickGELU.

// linear applies a PyTorch-layout Linear layer: x [..., in] · weightᵀ + bias. The input is flattened to rank 2 so
// the product and its gradient are plain matrix products. It computes, and returns, in the compute dtype.
func linear(ctx *context.Context, x *Node, prefix string, withBias bool) *Node {
	g := x.Graph()
	w := weight(ctx, g, prefix+".weight")
	dims := x.Shape().Dimensions
	in, out := dims[len(dims)-1], w.Shape().Dimensions[0]
	y := DotGeneral(Reshape(toCompute(ctx, x), -1, in), []int{1}, nil, w, []int{1}, nil)
	if withBias {
		y = Add(y, bcast(ctx, InsertAxes(weight(ctx, g, prefix+".bias"), 0), y.Shape().Dimensions))
	}
	outDims := append(append([]int{}, dims[:len(dims)-1]...), out)
	return Reshape(y, outDims...)
}

// layerNorm normalises over the last axis, in float32 whatever the compute dtype (its output is float32). It uses
// Sqrt and Div (Rsqrt has no gradient in GoMLX v0.26).
func layerNorm(ctx *context.Context, x *Node, prefix string, eps float64) *Node {
	g := x.Graph()
	x = toFloat32(x)
	dims := x.Shape().Dimensions
	mean := ReduceAndKeep(x, ReduceMean, -1)
	centered := Sub(x, bcast(ctx, mean, dims))
	variance := ReduceAndKeep(Square(centered), ReduceMean, -1)
	normed := Div(centered, bcast(ctx, Sqrt(AddScalar(variance, eps)), dims))
	rank := x.Rank()
	gain := Reshape(Param(ctx, g, prefix+".weight"), append(ones(rank-1), -1)...)
	bias := Reshape(Param(ctx, g, prefix+".bias"), append(ones(rank-1), -1)...)
	return Add(Mul(normed, bcast(ctx, gain, dims)), bcast(ctx, bias, dims))
}

func ones(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// activation applies the MLP non-linearity named by the config.
func activation(x *Node, name string) *Node {
	if name == "gelu" {
		// Exact GELU: x·Φ(x) = x·(1 + erf(x/√2))/2.
		return Mul(x, MulScalar(OnePlus(Erf(MulScalar(x, 1/math.Sqrt2))), 0.5))
	}
	// QuickGELU: x·σ(1.702·x).
	return Mul(x, Sigmoid(MulScalar(x, 1.702)))
}

// attention is multi-head self-attention over x [batch, tokens, width] with PyTorch's scaling; causal masks
// position j > i (the text tower). The products run in the compute dtype, the softmax in float32; the output is
// in the compute dtype.
func attention(ctx *context.Context, x *Node, prefix string, heads int, causal bool) *Node {
	return attend(ctx, x, x, prefix, heads, causal)
}

// attend is attention of the queries of xq [batch, queries, width] over the keys and values of x [batch, tokens,
// width]: the rows of xq are rows of x (all of them, or a selection for a forward-only last layer). Causal masking
// needs xq = x.
func attend(ctx *context.Context, xq, x *Node, prefix string, heads int, causal bool) *Node {
	dims := x.Shape().Dimensions
	batch, tokens, width := dims[0], dims[1], dims[2]
	queries := xq.Shape().Dimensions[1]
	hd := width / heads
	split := func(t *Node, n int) *Node { return Reshape(t, batch, n, heads, hd) }
	q := split(MulScalar(linear(ctx, xq, prefix+".q_proj", true), 1/math.Sqrt(float64(hd))), queries)
	k := split(linear(ctx, x, prefix+".k_proj", true), tokens)
	v := split(linear(ctx, x, prefix+".v_proj", true), tokens)
	scores := toFloat32(Einsum("bqhd,bkhd->bhqk", q, k))
	if causal {
		g := x.Graph()
		row := Iota(g, shapeOf(dtypes.Int32, tokens, tokens), 0)
		col := Iota(g, shapeOf(dtypes.Int32, tokens, tokens), 1)
		// A large finite negative (not -inf) keeps the softmax and its gradient free of NaNs.
		mask := Where(GreaterThan(col, row), Scalar(g, scores.DType(), -1e9), Scalar(g, scores.DType(), 0))
		scores = Add(scores, bcast(ctx, Reshape(mask, 1, 1, tokens, tokens), scores.Shape().Dimensions))
	}
	probs := toCompute(ctx, softmax(ctx, scores))
	out := Einsum("bhqk,bkhd->bqhd", probs, v)
	return linear(ctx, Reshape(out, batch, queries, width), prefix+".out_proj", true)
}

// encoderLayer is one pre-LayerNorm residual block: x + attn(ln1(x)), then + mlp(ln2(x)). The residual stream x
// stays float32.
func encoderLayer(ctx *context.Context, x *Node, prefix string, cfg TowerConfig, causal bool) *Node {
	h := layerNorm(ctx, x, prefix+".layer_norm1", cfg.LayerNormEps)
	x = Add(x, toFloat32(attention(ctx, h, prefix+".self_attn", cfg.Heads, causal)))
	return mlpBlock(ctx, x, prefix, cfg)
}

// mlpBlock is the second half of an encoder layer: x + mlp(ln2(x)).
func mlpBlock(ctx *context.Context, x *Node, prefix string, cfg TowerConfig) *Node {
	h := layerNorm(ctx, x, prefix+".layer_norm2", cfg.LayerNormEps)
	h = activation(linear(ctx, h, prefix+".mlp.fc1", true), cfg.Activation)
	return Add(x, toFloat32(linear(ctx, h, prefix+".mlp.fc2", true)))
}

// encoderLayerFirst is encoderLayer's output at the first token only, [batch, 1, width]: for the vision tower's
// last layer in a forward-only program, whose other rows are not pooled. The keys and values come from every token;
// the query, the attention output and the MLP from the first row. The row is the one encoderLayer computes, by the
// same operations on the same values (on SimpleGo the same bits, TestPooledLastLayerSameOutputs: its products sum
// in an order that does not depend on the number of rows), for 1/tokens of the query, output and MLP work. Slice
// has no gradient on SimpleGo: forward-only programs only.
func encoderLayerFirst(ctx *context.Context, x *Node, prefix string, cfg TowerConfig) *Node {
	first := func(t *Node) *Node { return Slice(t, AxisRange(), AxisRange(0, 1)) }
	h := layerNorm(ctx, x, prefix+".layer_norm1", cfg.LayerNormEps)
	row := Add(first(x), toFloat32(attend(ctx, first(h), h, prefix+".self_attn", cfg.Heads, false)))
	return mlpBlock(ctx, row, prefix, cfg)
}

func shapeOf(dtype dtypes.DType, dims ...int) shapes.Shape { return shapes.Make(dtype, dims...) }
