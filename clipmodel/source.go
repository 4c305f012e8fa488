package clipmodel

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// A WeightSource supplies the node of each weight (by Hugging Face key) of one graph in place of the context
// variable that holds it: a graph can then compute its weights from other tensors, e.g. the interpolation
// (1−α)·θ0 + α·θ1 of two resident models with α an input of the program, so that one compiled program serves
// every α and no weights are copied per α. Every layer of this package reads its weights through Param, so a
// source set for a graph replaces all of them.
type WeightSource func(g *graph.Graph, key string) *graph.Node

// weightSourceParam is the graph parameter holding a graph's WeightSource.
const weightSourceParam = "clipmodel_weight_source"

// SetWeightSource makes the graph g, being built from ctx, read its weights from src (see WeightSource). Call it at
// the start of the graph function.
//
//	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, pixels, alpha *graph.Node) *graph.Node {
//		clipmodel.SetWeightSource(ctx, pixels.Graph(), func(g *graph.Graph, key string) *graph.Node { ... })
//		return wiseft.Logits(ctx, cfg, pixels)
//	})
func SetWeightSource(ctx *context.Context, g *graph.Graph, src WeightSource) {
	ctx.SetGraphParam(g, weightSourceParam, src)
}

// Param returns the graph node of the weight with Hugging Face key key: from the graph's WeightSource when one is
// set, else the context variable. It panics (as GoMLX graph building does) when the weight was never loaded,
// which Weights.Check rules out beforehand.
func Param(ctx *context.Context, g *graph.Graph, key string) *graph.Node {
	if src := context.GetGraphParamOr[WeightSource](ctx, g, weightSourceParam, nil); src != nil {
		return src(g, key)
	}
	scope, name := KeyToScope(key)
	v := ctx.GetVariableByScopeAndName(scope, name)
	if v == nil {
		panic(errMissingVariable(key))
	}
	return v.ValueGraph(g)
}

// VariableNode returns the node, in graph g, of the context variable that holds weight key under the scope prefix
// (prefix "/theta0" holds the weights set with SetWeightsUnder(ctx, "/theta0", w)); it panics when there is none.
func VariableNode(ctx *context.Context, g *graph.Graph, prefix, key string) *graph.Node {
	scope, name := KeyToScope(key)
	if prefix != "" {
		scope = joinScope(prefix, scope)
	}
	v := ctx.GetVariableByScopeAndName(scope, name)
	if v == nil {
		panic(errMissingVariable(prefix + ":" + key))
	}
	return v.ValueGraph(g)
}

// SetWeightsUnder is SetWeights with every variable under the scope prefix (e.g. "/theta0"), so that several
// models' weights can be held in one context.
func SetWeightsUnder(ctx *context.Context, prefix string, w Weights) {
	_ = setWeightsUnder(ctx, prefix, w, hostTensor)
}

func joinScope(prefix, scope string) string {
	if scope == context.RootScope {
		return prefix
	}
	return prefix + scope
}
