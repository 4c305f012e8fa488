package clipmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestTextLength(t *testing.T) {
	for _, c := range []struct {
		row  []int64
		want int
	}{
		{[]int64{49406, 320, 1125, 539, 320, 2368, 269, 49407, 0, 0}, 8},
		{[]int64{49406, 49407, 49407, 49407}, 2}, // padded with end tokens: the first counts
		{[]int64{49406, 5, 9, 7}, 1},             // no end token: the start token is the largest
		{[]int64{3, 5, 9, 7}, 3},
		{[]int64{0, 0, 0}, 1},
		{nil, 1},
	} {
		if got := TextLength(c.row); got != c.want {
			t.Errorf("TextLength(%v) = %d, want %d", c.row, got, c.want)
		}
	}
}

func TestTextBucket(t *testing.T) {
	for _, c := range []struct{ n, ctx, want int }{
		{1, 77, 8}, {8, 77, 8}, {9, 77, 12}, {12, 77, 12}, {13, 77, 16}, {17, 77, 24}, {24, 77, 24},
		{25, 77, 32}, {33, 77, 48}, {49, 77, 64}, {65, 77, 77}, {77, 77, 77},
		{9, 16, 12}, {13, 16, 16}, {16, 16, 16}, {3, 5, 5}, {100, 200, 128}, {129, 200, 192}, {193, 200, 200},
	} {
		if got := TextBucket(c.n, c.ctx); got != c.want {
			t.Errorf("TextBucket(%d, %d) = %d, want %d", c.n, c.ctx, got, c.want)
		}
	}
	lengths := map[int]bool{}
	for n := 1; n <= 77; n++ {
		b := TextBucket(n, 77)
		if b < n || (n >= 8 && 3*(b-n) > b) {
			t.Errorf("TextBucket(%d, 77) = %d: shorter, or more than a third padding", n, b)
		}
		lengths[b] = true
	}
	if len(lengths) != 8 {
		t.Errorf("%d lengths for a 77-token context, want 8", len(lengths))
	}
}

// textEmbeddings encodes ids with the encoder at bucketed lengths and at the full context.
func textEmbeddings(t *testing.T, enc *Encoder, ids []int64, n int) (bucketed, full []float32) {
	t.Helper()
	var err error
	enc.FullTextContext = false
	if bucketed, err = enc.EncodeTexts(ids, n); err != nil {
		t.Fatal(err)
	}
	enc.FullTextContext = true
	defer func() { enc.FullTextContext = false }()
	if full, err = enc.EncodeTexts(ids, n); err != nil {
		t.Fatal(err)
	}
	return bucketed, full
}

// TestGoldenTextEmbedsBucketed: the fixture's prompts (8, 7 and 22 tokens, the last padded with end tokens)
// through EncodeTexts at their bucketed lengths give the reference implementation's embeddings, and the same
// bits as at the full 77 positions.
func TestGoldenTextEmbedsBucketed(t *testing.T) {
	g := loadGolden(t)
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := g.Tensors["input_ids"].Int64()
	if err != nil {
		t.Fatal(err)
	}
	n := g.Tensors["input_ids"].Shape[0]
	bucketed, full := textEmbeddings(t, enc, ids, n)
	want, err := g.Tensors["text_embeds"].Float32()
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(bucketed[i]-want[i])))
		if math.Float32bits(bucketed[i]) != math.Float32bits(full[i]) {
			t.Fatalf("value %d: %g at bucketed length, %g at the full context", i, bucketed[i], full[i])
		}
	}
	t.Logf("text_embeds at bucketed lengths: max abs difference from the reference %.2g, bit-equal to 77 positions", worst)
	if worst > goldenTolerance {
		t.Errorf("text_embeds at bucketed lengths: max abs difference %.3g > %g", worst, goldenTolerance)
	}
}

// TestEncodeTextsBucketedEqualsFull: random prompts of 2 to 77 tokens (end token, then zeros or arbitrary ids
// after it, or no end token), in batches of 4 that sort them into several lengths, give bit for bit the
// embeddings of the full context, in the order of the rows.
func TestEncodeTextsBucketedEqualsFull(t *testing.T) {
	cfg := Config{
		Vision: VisionConfig{TowerConfig: TowerConfig{Width: 16, MLPWidth: 32, Layers: 1, Heads: 2,
			Activation: "quick_gelu", LayerNormEps: 1e-5}, ImageSize: 8, PatchSize: 4, Channels: 3},
		Text: TextConfig{TowerConfig: TowerConfig{Width: 32, MLPWidth: 64, Layers: 2, Heads: 4,
			Activation: "quick_gelu", LayerNormEps: 1e-5}, VocabSize: 500, ContextLength: 77, BOSTokenID: 498, EOSTokenID: 499},
		ProjectionDim: 16, LogitScaleInit: 2.6592,
	}
	enc, err := NewEncoder(&Model{Config: cfg, Weights: RandomWeights(cfg, 7)})
	if err != nil {
		t.Fatal(err)
	}
	enc.BatchSize = 4
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 3, 13} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			ids := make([]int64, n*77)
			for i := range n {
				row := ids[i*77 : (i+1)*77]
				end := 1 + rng.IntN(76)
				if i == 0 {
					end = 76 // the longest prompt a 77-token context holds
				}
				row[0] = 498
				for j := 1; j < end; j++ {
					row[j] = 1 + rng.Int64N(497)
				}
				switch i % 3 {
				case 0:
					row[end] = 499 // end token, zeros after
				case 1:
					row[end] = 499 // end token, then anything
					for j := end + 1; j < 77; j++ {
						row[j] = rng.Int64N(499)
					}
				}
			}
			bucketed, full := textEmbeddings(t, enc, ids, n)
			for i := range full {
				if math.Float32bits(bucketed[i]) != math.Float32bits(full[i]) {
					t.Fatalf("row %d, value %d: %g at bucketed length, %g at the full context", i/16, i%16, bucketed[i], full[i])
				}
			}
		})
	}
}
