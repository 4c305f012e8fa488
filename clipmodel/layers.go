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
		y = Add(y, InsertAxes(weight(ctx, g, prefix+".bias"), 0))
	}
	outDims := append(append([]int{}, dims[:len(dims)-1]...), out)
	return Reshape(y, outDims...)
}

// layerNorm normalises over the last axis, in float32 whatever the compute dtype (its output is float32). It uses
// Sqrt and Div (Rsqrt has no gradient in GoMLX v0.26).
func layerNorm(ctx *context.Context, x *Node, prefix string, eps float64) *Node {
	g := x.Graph()
	x = toFloat32(x)
	mean := ReduceAndKeep(x, ReduceMean, -1)
	centered := Sub(x, mean)
	variance := ReduceAndKeep(Square(centered), ReduceMean, -1)
	normed := Div(centered, Sqrt(AddScalar(variance, eps)))
	rank := x.Rank()
	gain := Reshape(Param(ctx, g, prefix+".weight"), append(ones(rank-1), -1)...)
	bias := Reshape(Param(ctx, g, prefix+".bias"), append(ones(rank-1), -1)...)
	return Add(Mul(normed, gain), bias)
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
	dims := x.Shape().Dimensions
	batch, tokens, width := dims[0], dims[1], dims[2]
	hd := width / heads
	split := func(t *Node) *Node { return Reshape(t, batch, tokens, heads, hd) }
	q := split(MulScalar(linear(ctx, x, prefix+".q_proj", true), 1/math.Sqrt(float64(hd))))
	k := split(linear(ctx, x, prefix+".k_proj", true))
	v := split(linear(ctx, x, prefix+".v_proj", true))
	scores := toFloat32(Einsum("bqhd,bkhd->bhqk", q, k))
	if causal {
		g := x.Graph()
		row := Iota(g, shapeOf(dtypes.Int32, tokens, tokens), 0)
		col := Iota(g, shapeOf(dtypes.Int32, tokens, tokens), 1)
		// A large finite negative (not -inf) keeps the softmax and its gradient free of NaNs.
		mask := Where(GreaterThan(col, row), Scalar(g, scores.DType(), -1e9), Scalar(g, scores.DType(), 0))
		scores = Add(scores, Reshape(mask, 1, 1, tokens, tokens))
	}
	probs := toCompute(ctx, Softmax(scores, -1))
	out := Einsum("bhqk,bkhd->bqhd", probs, v)
	return linear(ctx, Reshape(out, batch, tokens, width), prefix+".out_proj", true)
}

// encoderLayer is one pre-LayerNorm residual block: x + attn(ln1(x)), then + mlp(ln2(x)). The residual stream x
// stays float32.
func encoderLayer(ctx *context.Context, x *Node, prefix string, cfg TowerConfig, causal bool) *Node {
	h := layerNorm(ctx, x, prefix+".layer_norm1", cfg.LayerNormEps)
	x = Add(x, toFloat32(attention(ctx, h, prefix+".self_attn", cfg.Heads, causal)))
	h = layerNorm(ctx, x, prefix+".layer_norm2", cfg.LayerNormEps)
	h = activation(linear(ctx, h, prefix+".mlp.fc1", true), cfg.Activation)
	return Add(x, toFloat32(linear(ctx, h, prefix+".mlp.fc2", true)))
}

func shapeOf(dtype dtypes.DType, dims ...int) shapes.Shape { return shapes.Make(dtype, dims...) }
