package wiseft

import (
	"fmt"
	"math"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/wiseft/templates"
)

// ZeroShotHead builds the zero-shot head of the paper: for each class, every template is filled with the class
// name, tokenised and encoded; the L2-normalised text embeddings are averaged over the templates and the mean is
// re-normalised; the rows are stacked to [classes, ProjectionDim] and multiplied by exp(logit_scale).
func ZeroShotHead(enc *clipmodel.Encoder, m *clipmodel.Model, classNames, ts []string) (*clipmodel.Tensor, error) {
	if len(classNames) == 0 {
		return nil, fmt.Errorf("zero-shot head: the class list is empty")
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("zero-shot head: no templates")
	}
	scale, err := enc.LogitScale()
	if err != nil {
		return nil, err
	}
	dim := m.Config.ProjectionDim
	head := clipmodel.NewTensor(len(classNames), dim)
	for c, name := range classNames {
		prompts := templates.Fill(ts, name)
		ids, err := m.Tokenize(prompts)
		if err != nil {
			return nil, fmt.Errorf("zero-shot head, class %q: %w", name, err)
		}
		emb, err := enc.EncodeTexts(ids, len(prompts))
		if err != nil {
			return nil, fmt.Errorf("zero-shot head, class %q: %w", name, err)
		}
		mean := make([]float64, dim)
		for p := range prompts {
			for k := 0; k < dim; k++ {
				mean[k] += float64(emb[p*dim+k]) // rows are already L2-normalised by the encoder
			}
		}
		var norm float64
		for _, v := range mean {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for k, v := range mean {
			head.Data[c*dim+k] = float32(v/norm) * scale
		}
	}
	return head, nil
}

// ZeroShotClassifier builds the zero-shot classifier of m for the given classes and templates: m's weights plus
// the zero-shot head and a zero bias.
func ZeroShotClassifier(m *clipmodel.Model, classNames, ts []string) (*Classifier, error) {
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		return nil, err
	}
	head, err := ZeroShotHead(enc, m, classNames, ts)
	if err != nil {
		return nil, err
	}
	return NewClassifier(m, classNames, head, nil)
}
