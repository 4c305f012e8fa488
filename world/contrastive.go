package world

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/trainloop"
)

// maxLogitScale caps the learned temperature as CLIP does (exp(logit_scale) ≤ 100).
var maxLogitScale = math.Log(100)

// ContrastiveLoss is CLIP's symmetric InfoNCE with soft targets: logits = exp(s)·imgᵀtxt over the batch, and the
// targets of row i spread uniformly over the pairs whose caption key equals pair i's (identical or same-class
// captions are positives, not false negatives). targets is [batch, batch], rows summing to one, symmetric.
func ContrastiveLoss(ctx *context.Context, cfg clipmodel.Config, pixels, ids, targets *Node) *Node {
	img := clipmodel.Normalize(cfg.ImageFeatures(ctx, pixels, nil))
	txt := clipmodel.Normalize(cfg.TextFeatures(ctx, ids, nil))
	g := pixels.Graph()
	scale := Exp(MinScalar(clipmodel.Param(ctx, g, "logit_scale"), maxLogitScale))
	logits := Mul(DotGeneral(img, []int{1}, nil, txt, []int{1}, nil), scale) // [images, texts]
	perImage := Neg(ReduceAllMean(ReduceSum(Mul(targets, LogSoftmax(logits, -1)), -1)))
	perText := Neg(ReduceAllMean(ReduceSum(Mul(targets, LogSoftmax(Transpose(logits, 0, 1), -1)), -1)))
	return DivScalar(Add(perImage, perText), 2)
}

// gradientsUpdater is the part of GoMLX's Adam that applies gradients computed (and clipped) by the caller.
type gradientsUpdater interface {
	UpdateGraphWithGradients(ctx *context.Context, grads []*Node, lossDType dtypes.DType)
}

// stepper runs one optimisation step of the contrastive loss per call, with AdamW (PyTorch's betas and epsilon,
// decoupled weight decay) and global-norm clipping; the learning rate is set from the host before each step.
type stepper struct {
	ctx  *context.Context
	exec *context.Exec
	lr   *context.Variable
}

func newStepper(ctx *context.Context, cfg clipmodel.Config, weightDecay, clipNorm float64) (*stepper, error) {
	clipmodel.InstallFastGradients()
	b, err := clipmodel.Backend()
	if err != nil {
		return nil, err
	}
	opt, ok := optimizers.Adam().Betas(0.9, 0.98).Epsilon(1e-6).WeightDecay(weightDecay).Done().(gradientsUpdater)
	if !ok {
		return nil, fmt.Errorf("GoMLX's Adam no longer accepts precomputed gradients")
	}
	s := &stepper{ctx: ctx}
	s.lr = optimizers.LearningRateVar(ctx, dtypes.Float32, 0)
	s.exec, err = context.NewExec(b, ctx, func(ctx *context.Context, pixels, ids, targets *Node) *Node {
		loss := ContrastiveLoss(ctx, cfg, pixels, ids, targets)
		grads, _ := trainloop.ClipToMaxNorm(ctx.BuildTrainableVariablesGradientsGraph(loss), clipNorm)
		opt.UpdateGraphWithGradients(ctx, grads, loss.DType())
		return loss
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *stepper) step(lr float64, pixels *tensors.Tensor, ids *tensors.Tensor, targets *tensors.Tensor) (float32, error) {
	if err := s.lr.SetValue(tensors.FromScalar(float32(lr))); err != nil {
		return 0, err
	}
	out, err := s.exec.Exec(pixels, ids, targets)
	if err != nil {
		return 0, fmt.Errorf("training step: %w", err)
	}
	return tensors.ToScalar[float32](out[0]), nil
}

// softTargets builds the [n, n] target matrix of ContrastiveLoss from the pairs' caption keys.
func softTargets(keys []string) []float32 {
	n := len(keys)
	t := make([]float32, n*n)
	for i := 0; i < n; i++ {
		count := 0
		for j := 0; j < n; j++ {
			if keys[i] == keys[j] {
				count++
			}
		}
		for j := 0; j < n; j++ {
			if keys[i] == keys[j] {
				t[i*n+j] = 1 / float32(count)
			}
		}
	}
	return t
}
