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
	if m.Tokenizer == nil {
		return nil, fmt.Errorf("zero-shot head: %w", clipmodel.ErrNoTokenizer)
	}
	dim := m.Config.ProjectionDim
	head := clipmodel.NewTensor(len(classNames), dim)
	for _, group := range headGroups(len(classNames), len(ts)) {
		// The prompts of several classes go through the encoder together: it sorts them by length, so its
		// batches are full and of similar lengths (the embeddings do not depend on the batch).
		var ids []int64
		for _, name := range classNames[group[0]:group[1]] {
			rows, err := m.Tokenizer.Batch(templates.Fill(ts, name), m.Config.Text.ContextLength, true)
			if err != nil {
				return nil, fmt.Errorf("zero-shot head, class %q: %w", name, err)
			}
			ids = append(ids, rows...)
		}
		emb, err := enc.EncodeTexts(ids, (group[1]-group[0])*len(ts))
		if err != nil {
			return nil, fmt.Errorf("zero-shot head, classes %q to %q: %w", classNames[group[0]], classNames[group[1]-1], err)
		}
		for c := group[0]; c < group[1]; c++ {
			mean := make([]float64, dim)
			for p := range ts {
				row := emb[((c-group[0])*len(ts)+p)*dim:]
				for k := 0; k < dim; k++ {
					mean[k] += float64(row[k]) // rows are already L2-normalised by the encoder
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
	}
	return head, nil
}

// headGroupPrompts is about how many prompts ZeroShotHead encodes per call: enough for full, length-sorted
// batches, few enough to keep the ids and embeddings small (1,024 × 768 floats for ViT-L/14).
const headGroupPrompts = 1024

// headGroups splits classes into ranges [lo, hi) of whole classes with about headGroupPrompts prompts each.
func headGroups(classes, templates int) [][2]int {
	per := max(1, headGroupPrompts/max(templates, 1))
	var out [][2]int
	for lo := 0; lo < classes; lo += per {
		out = append(out, [2]int{lo, min(lo+per, classes)})
	}
	return out
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
