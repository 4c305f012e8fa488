package clipmodel

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Mixed precision: the weights stay float32 variables (the "master" copy that an optimizer updates), and a graph
// built with a compute dtype of bfloat16 converts them to bfloat16 where they enter a matrix product. The matrix
// products, attention and the MLP run in bfloat16; LayerNorm statistics, the softmax, the residual stream and the
// towers' outputs stay float32, as in PyTorch's autocast. Gradients flow back through the conversions to the
// float32 variables. With the default compute dtype (float32) the graphs are exactly the float32 ones.

// ComputeDTypeParam is the context parameter (and graph parameter) holding the compute dtype's name, e.g.
// "BFloat16". See SetComputeDType.
const ComputeDTypeParam = "clipmodel_compute_dtype"

// SetComputeDType makes every graph built from ctx afterwards compute the towers in dtype (float32 or bfloat16),
// with float32 weights and outputs. For the fine-tuning step: clipmodel.SetComputeDType(ctx, dtypes.BFloat16).
func SetComputeDType(ctx *context.Context, dtype dtypes.DType) {
	ctx.SetParam(ComputeDTypeParam, dtype.String())
}

// ComputeDType is the compute dtype of graph g built from ctx: a graph parameter (set by Encoder for its own
// programs), else the context parameter set by SetComputeDType, else float32. It panics on a dtype that is not
// float32, bfloat16 or float16.
func ComputeDType(ctx *context.Context, g *graph.Graph) dtypes.DType {
	name := context.GetGraphParamOr(ctx, g, ComputeDTypeParam, "")
	if name == "" {
		name = context.GetParamOr(ctx, ComputeDTypeParam, "")
	}
	if name == "" {
		return dtypes.Float32
	}
	dtype, err := dtypes.DTypeString(name)
	if err != nil || (dtype != dtypes.Float32 && dtype != dtypes.BFloat16 && dtype != dtypes.Float16) {
		panic(fmt.Errorf("clipmodel: compute dtype %q: want Float32, BFloat16 or Float16", name))
	}
	return dtype
}

// weight is Param in the compute dtype: the parameters that enter matrix products and embeddings.
func weight(ctx *context.Context, g *graph.Graph, key string) *graph.Node {
	return graph.ConvertDType(Param(ctx, g, key), ComputeDType(ctx, g))
}

// toCompute converts x to the compute dtype (a no-op in float32).
func toCompute(ctx *context.Context, x *graph.Node) *graph.Node {
	return graph.ConvertDType(x, ComputeDType(ctx, x.Graph()))
}

// toFloat32 converts x back to float32 (a no-op in float32).
func toFloat32(x *graph.Node) *graph.Node { return graph.ConvertDType(x, dtypes.Float32) }
