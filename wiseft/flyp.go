package wiseft

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// FLYP fine-tunes a copy of zs "like CLIP pretrains" (Goyal et al., "Finetune like you pretrain", CVPR 2023): each
// training image is paired with a prompt of its class (one of templates, drawn per image from the seed, epoch and
// step), and the image tower, the text tower and both projections train on CLIP's contrastive loss between the
// batch's images and prompts (ContrastiveClassLoss: prompts of the batch's other classes are the negatives,
// those of the same class count as positives). logit_scale keeps its value. At the end the head is made again
// from the fine-tuned text tower with the same templates (ZeroShotHead), so the result is a Classifier like
// FineTune's and WiSE-FT interpolates it with zs as any other (every tensor, both towers included; the
// evaluation engine mixes the image tower and the head).
//
// The recipe is FineTune's otherwise (AdamW, cosine schedule, clipping, checkpoints and resume, TrainRun);
// cfg.FLYP is set, cfg.FreezeEncoder and cfg.LabelSmoothing must be unset. With cfg.Shards > 1 each shard is a
// contrastive batch of its own (negatives come from the shard).
//
//	ft, err := wiseft.FLYP(ctx, zs, trainSet, templates.OpenAIImageNet, cfg, wiseft.TrainRun{})
func FLYP(ctx context.Context, zs *Classifier, train datasets.Dataset, ts []string, cfg FineTuneConfig, run TrainRun) (*Classifier, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("flyp: no prompt templates")
	}
	if zs == nil || zs.Model == nil {
		return nil, fmt.Errorf("flyp: no classifier")
	}
	if zs.Model.Tokenizer == nil {
		return nil, fmt.Errorf("flyp: %w", clipmodel.ErrNoTokenizer)
	}
	cfg.FLYP = true
	run.method, run.probe = MethodFLYP, nil
	return fineTune(ctx, zs, train, cfg, run, append([]string(nil), ts...))
}

// isTextFeatureWeight reports whether a weight belongs to the text tower or its projection.
func isTextFeatureWeight(name string) bool {
	return strings.HasPrefix(name, "text_model.") || strings.HasPrefix(name, "text_projection.")
}

// tokenizePrompts fills t.prompts with the ids of every class × template prompt (row class·templates + template),
// cut to the context as ZeroShotHead cuts them.
func (t *trainer) tokenizePrompts() error {
	m := t.cls.Model
	ctxLen := m.Config.Text.ContextLength
	t.prompts = make([]int32, 0, t.classes*len(t.templates)*ctxLen)
	for _, name := range t.cls.ClassNames {
		rows, err := m.Tokenizer.Batch(templates.Fill(t.templates, name), ctxLen, true)
		if err != nil {
			return fmt.Errorf("flyp: prompts of class %q: %w", name, err)
		}
		for _, id := range rows {
			t.prompts = append(t.prompts, int32(id))
		}
	}
	return nil
}

// flypLoss returns the FLYP step's loss: Σ wᵢ·lossᵢ and Σ wᵢ of ContrastiveClassLoss, the batch's labels being
// prompt rows (class·templates + template).
func (t *trainer) flypLoss() (func(ctx *mlctx.Context, x, labels, weights *graph.Node) (sum, w *graph.Node), error) {
	ls := t.cls.Model.Weights["logit_scale"]
	if ls == nil || len(ls.Data) != 1 {
		return nil, fmt.Errorf("flyp: the model has no logit_scale")
	}
	scale := math.Exp(math.Min(float64(ls.Data[0]), math.Log(100)))
	cfg, nt, ctxLen := t.cls.Model.Config, len(t.templates), t.cls.Model.Config.Text.ContextLength
	prompts := t.prompts
	classOf := make([]int32, t.classes*nt)
	for i := range classOf {
		classOf[i] = int32(i / nt)
	}
	rows := len(classOf)
	return func(ctx *mlctx.Context, x, labels, weights *graph.Node) (*graph.Node, *graph.Node) {
		g := x.Graph()
		idx := graph.InsertAxes(graph.ConvertDType(labels, dtypes.Int32), -1)
		table := graph.Reshape(graph.Const(g, prompts), rows, ctxLen)
		ids := graph.Gather(table, idx)                       // [batch, context]
		classes := graph.Gather(graph.Const(g, classOf), idx) // [batch]
		img := cfg.ImageFeatures(ctx, x, nil)
		txt := cfg.TextFeatures(ctx, ids, nil)
		return contrastiveClassLossSum(img, txt, classes, weights, scale)
	}, nil
}

// remadeHead returns the classifier trained so far with its head made again from its text tower.
func (t *trainer) remadeHead() (*Classifier, error) {
	c, err := ZeroShotClassifier(t.cls.Model, t.cls.ClassNames, t.templates)
	if err != nil {
		return nil, fmt.Errorf("flyp: the head from the fine-tuned text tower: %w", err)
	}
	return c, nil
}

// ContrastiveClassLoss is FLYP's loss: CLIP's symmetric contrastive loss between a batch's images and their
// class prompts. With f the L2-normalised image features and g the prompts' text features, both [batch, dim],
// logits L = scale·f·gᵀ; the targets of row i spread uniformly over the rows j of the same class (the batch's
// other classes are the negatives; an image's own prompt and the other prompts of its class are positives):
// Tᵢⱼ = [cᵢ = cⱼ]·wⱼ / Σₖ [cᵢ = cₖ]·wₖ. Per example
//
//	lossᵢ = ½ (−Σⱼ Tᵢⱼ log softmaxⱼ(Lᵢ·) − Σⱼ Tᵢⱼ log softmaxⱼ(L·ᵢ))
//
// (image to text, then text to image), and the loss is Σ wᵢ·lossᵢ / Σ wᵢ. Rows of weight 0 (padding) take part
// in neither softmax nor the mean. With every class distinct and every weight 1 it is CLIP's loss
// (cross-entropy of L and of Lᵀ against the diagonal, averaged). classes are integers [batch], weights [batch].
func ContrastiveClassLoss(imageFeatures, textFeatures, classes, weights *graph.Node, scale float64) *graph.Node {
	sum, w := contrastiveClassLossSum(imageFeatures, textFeatures, classes, weights, scale)
	return graph.Div(sum, w)
}

// contrastiveClassLossSum is Σ wᵢ·lossᵢ and Σ wᵢ of ContrastiveClassLoss.
func contrastiveClassLossSum(imageFeatures, textFeatures, classes, weights *graph.Node, scale float64) (sum, w *graph.Node) {
	img := clipmodel.Normalize(imageFeatures)
	txt := clipmodel.Normalize(textFeatures)
	dt := img.DType()
	weights = graph.ConvertDType(weights, dt)
	logits := graph.MulScalar(graph.DotGeneral(img, []int{1}, nil, txt, []int{1}, nil), scale) // [images, texts]
	valid := graph.ConvertDType(graph.GreaterThan(weights, graph.ScalarZero(weights.Graph(), dt)), dt)
	// Padding columns are pushed out of the softmax (exp(−1e9 + ·) is 0 in float32).
	offCols := graph.InsertAxes(graph.MulScalar(graph.OneMinus(valid), -1e9), 0) // [1, batch]
	perImage := graph.LogSoftmax(graph.Add(logits, offCols), -1)
	perText := graph.LogSoftmax(graph.Add(graph.Transpose(logits, 0, 1), offCols), -1)
	c := graph.ConvertDType(classes, dtypes.Int32)
	same := graph.ConvertDType(graph.Equal(graph.InsertAxes(c, 1), graph.InsertAxes(c, 0)), dt) // [batch, batch]
	same = graph.Mul(same, graph.InsertAxes(valid, 0))
	// A row with no valid partner (only in an all-padding shard) has no targets rather than 0/0.
	count := graph.Max(graph.ReduceSum(same, -1), graph.OnesLike(graph.ReduceSum(same, -1)))
	targets := graph.Div(same, graph.InsertAxes(count, -1))
	i2t := graph.Neg(graph.ReduceSum(graph.Mul(targets, perImage), -1))
	t2i := graph.Neg(graph.ReduceSum(graph.Mul(targets, perText), -1))
	per := graph.MulScalar(graph.Add(i2t, t2i), 0.5)
	return graph.ReduceAllSum(graph.Mul(per, weights)), graph.ReduceAllSum(weights)
}
