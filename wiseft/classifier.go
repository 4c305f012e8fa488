package wiseft

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
)

// Names of the classification head's tensors, stored beside the CLIP weights in the same checkpoint.
const (
	HeadWeight = clipmodel.HeadPrefix + "weight" // [classes, ProjectionDim]
	HeadBias   = clipmodel.HeadPrefix + "bias"   // [classes]
)

// Classifier is a CLIP model with a classification head: the unit that is fine-tuned, interpolated, saved and
// evaluated. Its Model.Weights hold the head under HeadWeight and HeadBias.
type Classifier struct {
	Model      *clipmodel.Model
	ClassNames []string
}

// NumClasses is the number of rows of the head.
func (c *Classifier) NumClasses() int { return c.Model.Weights[HeadWeight].Shape[0] }

// NewClassifier attaches a head (weight [classes, ProjectionDim], bias [classes]; nil bias means zeros) to a copy
// of m.
func NewClassifier(m *clipmodel.Model, classNames []string, weight *clipmodel.Tensor, bias *clipmodel.Tensor) (*Classifier, error) {
	if len(classNames) == 0 {
		return nil, fmt.Errorf("a classifier needs at least one class name")
	}
	if len(weight.Shape) != 2 || weight.Shape[0] != len(classNames) || weight.Shape[1] != m.Config.ProjectionDim {
		return nil, fmt.Errorf("head weight has shape %v, expected [%d %d]", weight.Shape, len(classNames), m.Config.ProjectionDim)
	}
	if bias == nil {
		bias = clipmodel.NewTensor(len(classNames))
	}
	c := &Classifier{Model: m.Clone(), ClassNames: append([]string{}, classNames...)}
	c.Model.Weights[HeadWeight] = weight.Clone()
	c.Model.Weights[HeadBias] = bias.Clone()
	if err := c.Model.Weights.Check(c.Model.Config); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadClassifier opens a classifier saved by Save (a CLIP folder whose weights include a head).
func LoadClassifier(path string, classNames []string) (*Classifier, error) {
	m, err := clipmodel.Load(path)
	if err != nil {
		return nil, err
	}
	w := m.Weights[HeadWeight]
	if w == nil {
		return nil, fmt.Errorf("%s has no classification head (%s); build one with ZeroShotClassifier", path, HeadWeight)
	}
	if classNames != nil && len(classNames) != w.Shape[0] {
		return nil, fmt.Errorf("%s: the head has %d classes, %d class names were given", path, w.Shape[0], len(classNames))
	}
	return &Classifier{Model: m, ClassNames: classNames}, nil
}

// Save writes the classifier in the Hugging Face CLIP layout (the head as two extra tensors).
func (c *Classifier) Save(dir string) error { return c.Model.Save(dir) }

// Clone returns a classifier with its own copy of the weights.
func (c *Classifier) Clone() *Classifier {
	return &Classifier{Model: c.Model.Clone(), ClassNames: c.ClassNames}
}

// Logits builds the classifier's graph: the image encoder, L2-normalised features, then the head:
// logits [batch, classes] = normalize(features) · weightᵀ + bias. pixels are [batch, 3, size, size].
func Logits(ctx *context.Context, cfg clipmodel.Config, pixels *graph.Node) *graph.Node {
	features := clipmodel.Normalize(cfg.ImageFeatures(ctx, pixels, nil))
	return HeadLogits(ctx, features)
}

// HeadLogits applies the head to L2-normalised features [batch, ProjectionDim] (the linear-classifier case, where
// features are computed once and cached).
func HeadLogits(ctx *context.Context, features *graph.Node) *graph.Node {
	g := features.Graph()
	w := clipmodel.Param(ctx, g, HeadWeight)
	b := clipmodel.Param(ctx, g, HeadBias)
	return graph.Add(graph.DotGeneral(features, []int{1}, nil, w, []int{1}, nil), graph.InsertAxes(b, 0))
}
