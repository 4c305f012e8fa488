package clipmodel

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TraceFn receives intermediate outputs of a tower by name ("vision_embeddings", "vision_layer_0", ...,
// "text_pooled"), the stage names of the golden fixture. A nil TraceFn is allowed.
type TraceFn func(name string, x *Node)

func (t TraceFn) emit(name string, x *Node) {
	if t != nil {
		t(name, x)
	}
}

// VisionTower runs the ViT on pixels [batch, channels, height, width] (normalised, NCHW as in PyTorch) and returns
// the pooled output [batch, width]: post-LayerNorm of the class token.
func (c Config) VisionTower(ctx *context.Context, pixels *Node, trace TraceFn) *Node {
	v := c.Vision
	g := pixels.Graph()
	dims := pixels.Shape().Dimensions
	if len(dims) != 4 || dims[1] != v.Channels || dims[2] != v.ImageSize || dims[3] != v.ImageSize {
		panic(fmt.Errorf("clipmodel: pixel_values of shape %v, the model expects [N %d %d %d]",
			dims, v.Channels, v.ImageSize, v.ImageSize))
	}
	batch, p, grid := dims[0], v.PatchSize, v.ImageSize/v.PatchSize
	// Patch embedding as reshape + matrix product (a stride-p convolution without bias): the convolution has no
	// gradient on SimpleGo, the product has.
	patches := Reshape(pixels, batch, v.Channels, grid, p, grid, p)
	patches = TransposeAllAxes(patches, 0, 2, 4, 1, 3, 5)
	patches = Reshape(patches, batch, grid*grid, v.Channels*p*p)
	kernel := Reshape(weight(ctx, g, "vision_model.embeddings.patch_embedding.weight"), v.Width, v.Channels*p*p)
	emb := Reshape(DotGeneral(Reshape(toCompute(ctx, patches), -1, v.Channels*p*p), []int{1}, nil, kernel, []int{1}, nil),
		batch, grid*grid, v.Width)
	emb = toFloat32(emb)
	cls := BroadcastToDims(Reshape(Param(ctx, g, "vision_model.embeddings.class_embedding"), 1, 1, v.Width), batch, 1, v.Width)
	x := Concatenate([]*Node{cls, emb}, 1)
	pos := InsertAxes(Param(ctx, g, "vision_model.embeddings.position_embedding.weight"), 0)
	x = Add(x, bcast(ctx, pos, x.Shape().Dimensions))
	trace.emit("vision_embeddings", x)
	x = layerNorm(ctx, x, "vision_model.pre_layrnorm", v.LayerNormEps)
	trace.emit("vision_pre_layrnorm", x)
	// A forward-only program with nothing traced computes the last layer at the class token only.
	firstOnly := trace == nil && context.GetParamOr(ctx, ForwardOnlyParam, false)
	var pooled *Node
	for i := 0; i < v.Layers; i++ {
		prefix := fmt.Sprintf("vision_model.encoder.layers.%d", i)
		if firstOnly && i == v.Layers-1 {
			pooled = Reshape(encoderLayerFirst(ctx, x, prefix, v.TowerConfig), batch, v.Width)
			break
		}
		x = encoderLayer(ctx, x, prefix, v.TowerConfig, false)
		trace.emit(fmt.Sprintf("vision_layer_%d", i), x)
	}
	if pooled == nil {
		trace.emit("vision_last_hidden_state", x)
		// The class token, selected by a one-hot product (Slice has no gradient on SimpleGo).
		first := OneHot(Const(g, []int32{0}), x.Shape().Dimensions[1], x.DType()) // [1, tokens]
		pooled = DotGeneral(x, []int{1}, nil, first, []int{1}, nil)               // [batch, width, 1]
		pooled = Reshape(pooled, batch, v.Width)
	}
	pooled = layerNorm(ctx, pooled, "vision_model.post_layernorm", v.LayerNormEps)
	trace.emit("vision_pooled", pooled)
	return pooled
}

// ImageFeatures projects the vision tower's pooled output to the shared space: [batch, ProjectionDim], not
// normalised, float32 whatever the compute dtype (see SetComputeDType).
func (c Config) ImageFeatures(ctx *context.Context, pixels *Node, trace TraceFn) *Node {
	f := toFloat32(linear(ctx, c.VisionTower(ctx, pixels, trace), "visual_projection", false))
	trace.emit("image_features", f)
	return f
}

// TextTower runs the causal transformer on token ids [batch, tokens] (any integer dtype), tokens at most
// ContextLength, and returns the final-LayerNorm hidden state at the first end-of-text token, [batch, width]. The
// end-of-text position is found as the first arg-max of the ids, which is the first end-of-text token with CLIP's
// vocabularies (its id is the largest).
//
// Fewer positions than ContextLength give the pooled output of the rows padded to ContextLength, provided each
// row's first arg-max lies inside them (see TextLength): with the causal mask, position p attends to positions
// ≤ p only, so the positions cut off never reach the pooled one. Exactly so in real arithmetic; in float32 a
// backend may sum in another order for another size: SimpleGo sums its dot products 8 terms at a time, so a length
// that is not a multiple of 8 moved embeddings by a unit in the last place or two (hence TextBucket's lengths),
// and it switches large products to a blocked algorithm, which can do the same where a batch's product crosses
// that size between two lengths. The position embeddings are sliced to the length; that slice has no gradient on
// SimpleGo, so training runs at ContextLength.
func (c Config) TextTower(ctx *context.Context, ids *Node, trace TraceFn) *Node {
	t := c.Text
	g := ids.Graph()
	dims := ids.Shape().Dimensions
	if len(dims) != 2 || dims[1] < 1 || dims[1] > t.ContextLength {
		panic(fmt.Errorf("clipmodel: input_ids of shape %v, the model expects [N L] with 1 ≤ L ≤ %d", dims, t.ContextLength))
	}
	batch, tokens := dims[0], dims[1]
	ids = ConvertDType(ids, dtypes.Int32)
	x := Gather(Param(ctx, g, "text_model.embeddings.token_embedding.weight"), InsertAxes(ids, -1))
	pos := Param(ctx, g, "text_model.embeddings.position_embedding.weight")
	if tokens < t.ContextLength {
		pos = Slice(pos, AxisRange(0, tokens))
	}
	x = Add(x, bcast(ctx, InsertAxes(pos, 0), x.Shape().Dimensions))
	trace.emit("text_embeddings", x)
	for i := 0; i < t.Layers; i++ {
		x = encoderLayer(ctx, x, fmt.Sprintf("text_model.encoder.layers.%d", i), t.TowerConfig, true)
		trace.emit(fmt.Sprintf("text_layer_%d", i), x)
	}
	x = layerNorm(ctx, x, "text_model.final_layer_norm", t.LayerNormEps)
	trace.emit("text_last_hidden_state", x)
	// First position holding the largest id.
	maxID := ReduceAndKeep(ids, ReduceMax, -1)
	positions := Iota(g, shapeOf(dtypes.Int32, batch, tokens), 1)
	candidates := Where(Equal(ids, maxID), positions, Scalar(g, dtypes.Int32, tokens-1))
	eot := ReduceMin(candidates, -1)                                      // [batch]
	pick := OneHot(eot, tokens, x.DType())                                // [batch, tokens]
	pooled := DotGeneral(x, []int{1}, []int{0}, pick, []int{1}, []int{0}) // [batch, width]
	trace.emit("text_pooled", pooled)
	return pooled
}

// TextFeatures projects the text tower's pooled output: [batch, ProjectionDim], not normalised.
func (c Config) TextFeatures(ctx *context.Context, ids *Node, trace TraceFn) *Node {
	f := toFloat32(linear(ctx, c.TextTower(ctx, ids, trace), "text_projection", false))
	trace.emit("text_features", f)
	return f
}

// Normalize divides each row of x [batch, dim] by its L2 norm.
func Normalize(x *Node) *Node {
	return Div(x, Sqrt(ReduceAndKeep(Square(x), ReduceSum, -1)))
}

// LogitScale returns exp(logit_scale), the multiplier of the cosine similarities.
func LogitScale(ctx *context.Context, g *Graph) *Node {
	return Exp(Param(ctx, g, "logit_scale"))
}

// Logits computes logits_per_image [images, texts] = exp(logit_scale) · normalised image · normalised textᵀ.
func Logits(ctx *context.Context, imageEmbeds, textEmbeds *Node) *Node {
	sim := DotGeneral(imageEmbeds, []int{1}, nil, textEmbeds, []int{1}, nil)
	return Mul(sim, LogitScale(ctx, imageEmbeds.Graph()))
}
