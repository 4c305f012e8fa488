package wiseft

import (
	"math"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
)

// TestZeroShotHeadByHand checks the head of the fixture model against a computation done here step by step:
// each prompt tokenised and encoded alone, the normalised embeddings averaged in float64, re-normalised and
// scaled by exp(logit_scale) read straight from the weights.
func TestZeroShotHeadByHand(t *testing.T) {
	m := loadFixture(t).Clone()
	tok, err := tokenizer.Load("../clipmodel/tokenizer/testdata")
	if err != nil {
		t.Fatal(err)
	}
	m.Tokenizer = tok
	classes := []string{"cat", "golden retriever", "origami goldfish"}
	ts := []string{"a photo of a {}.", "a sketch of the {}.", "itap of my {}."}
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	head, err := ZeroShotHead(enc, m, classes, ts)
	if err != nil {
		t.Fatal(err)
	}
	dim := m.Config.ProjectionDim
	if head.Shape[0] != len(classes) || head.Shape[1] != dim {
		t.Fatalf("head shape %v", head.Shape)
	}
	scale := math.Exp(float64(m.Weights["logit_scale"].Data[0]))
	for c, name := range classes {
		mean := make([]float64, dim)
		for _, tmpl := range ts {
			ids, err := m.Tokenize([]string{strings.ReplaceAll(tmpl, "{}", name)})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range unitTextEmbedding(t, enc, ids) {
				mean[k] += v / float64(len(ts))
			}
		}
		var norm float64
		for _, v := range mean {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for k := range mean {
			want := mean[k] / norm * scale
			if got := float64(head.Data[c*dim+k]); math.Abs(got-want) > 1e-4 {
				t.Fatalf("class %q dim %d: head %g, by hand %g", name, k, got, want)
			}
		}
	}
	// Rows have norm exp(logit_scale).
	for c := range classes {
		var n float64
		for _, v := range head.Data[c*dim : (c+1)*dim] {
			n += float64(v) * float64(v)
		}
		if math.Abs(math.Sqrt(n)-scale) > 1e-4*scale {
			t.Errorf("row %d has norm %g, want exp(logit_scale) = %g", c, math.Sqrt(n), scale)
		}
	}
	if _, err := ZeroShotHead(enc, m, nil, ts); err == nil {
		t.Error("an empty class list was accepted")
	}
}

// TestZeroShotHeadCutsLongPrompts: a prompt longer than the text context is cut to it, end token kept, and the
// head row of its class is the one built from the cut prompt; LongPrompts names exactly the prompts cut.
func TestZeroShotHeadCutsLongPrompts(t *testing.T) {
	m := loadFixture(t).Clone()
	tok, err := tokenizer.Load("../clipmodel/tokenizer/testdata")
	if err != nil {
		t.Fatal(err)
	}
	m.Tokenizer = tok
	long := strings.Repeat("very ", 100) + "long goldfish"
	classes := []string{"cat", long}
	ts := []string{"a photo of a {}."}
	if got := LongPrompts(m, classes, ts); len(got) != 1 || got[0] != "a photo of a "+long+"." {
		t.Fatalf("LongPrompts = %q, want only the long class's prompt", got)
	}
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	head, err := ZeroShotHead(enc, m, classes, ts)
	if err != nil {
		t.Fatalf("a long prompt: %v", err)
	}
	ids, err := tok.Batch([]string{"a photo of a " + long + "."}, m.Config.Text.ContextLength, true)
	if err != nil {
		t.Fatal(err)
	}
	if ids[len(ids)-1] != int64(tok.EndID()) {
		t.Fatalf("the cut prompt does not end with the end token")
	}
	dim := m.Config.ProjectionDim
	e := unitTextEmbedding(t, enc, ids)
	scale := math.Exp(float64(m.Weights["logit_scale"].Data[0]))
	for k := range dim {
		want := e[k] * scale
		if got := float64(head.Data[dim+k]); math.Abs(got-want) > 1e-4 {
			t.Fatalf("dim %d: head %g, from the cut prompt %g", k, got, want)
		}
	}
	if LongPrompts(m, []string{"cat"}, ts) != nil {
		t.Errorf("a short prompt was listed")
	}
}

// unitTextEmbedding encodes one tokenised prompt alone and L2-normalises its embedding in float64.
func unitTextEmbedding(t *testing.T, enc *clipmodel.Encoder, ids []int64) []float64 {
	t.Helper()
	e, err := enc.EncodeTexts(ids, 1)
	if err != nil {
		t.Fatal(err)
	}
	var norm float64
	for _, v := range e {
		norm += float64(v) * float64(v)
	}
	norm = math.Sqrt(norm)
	out := make([]float64, len(e))
	for k, v := range e {
		out[k] = float64(v) / norm
	}
	return out
}
