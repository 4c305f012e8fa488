package wiseft

import (
	"fmt"
	"math"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/templates"
)

// ZeroShotHead builds the zero-shot head of the paper: for each class, every template is filled with the class
// name, tokenised and encoded; the L2-normalised text embeddings are averaged over the templates and the mean is
// re-normalised; the rows are stacked to [classes, ProjectionDim] and multiplied by exp(logit_scale).
//
// A prompt longer than the model's text context is cut to it, keeping the end-of-text token, as open_clip's
// tokenizer does and as the shipped world's pretraining cut its captions: with CLIP's 77 tokens no template of
// this project is that long, but the world model's 16-token context cuts a few clothing prompts ("a black and
// white photo of a T-shirt/top."). LongPrompts lists the prompts that are cut.
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
		if m.Tokenizer == nil {
			return nil, fmt.Errorf("zero-shot head: %w", clipmodel.ErrNoTokenizer)
		}
		ids, err := m.Tokenizer.Batch(prompts, m.Config.Text.ContextLength, true)
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

// LongPrompts returns the prompts of classNames × ts that are longer than m's text context, which ZeroShotHead
// cuts (nil when m has no tokenizer).
//
//	if long := wiseft.LongPrompts(m, names, ts); len(long) > 0 {
//		log.Printf("%d prompts cut to the context, e.g. %q", len(long), long[0])
//	}
func LongPrompts(m *clipmodel.Model, classNames, ts []string) []string {
	if m.Tokenizer == nil {
		return nil
	}
	var long []string
	for _, name := range classNames {
		for _, p := range templates.Fill(ts, name) {
			if len(m.Tokenizer.Encode(p)) > m.Config.Text.ContextLength {
				long = append(long, p)
			}
		}
	}
	return long
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
