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
		{1, 77, 8}, {8, 77, 8}, {9, 77, 16}, {16, 77, 16}, {17, 77, 24}, {24, 77, 24},
		{25, 77, 32}, {33, 77, 48}, {49, 77, 64}, {65, 77, 77}, {77, 77, 77},
		{9, 16, 16}, {16, 16, 16}, {3, 5, 5}, {100, 200, 128}, {129, 200, 192}, {193, 200, 200},
	} {
		if got := TextBucket(c.n, c.ctx); got != c.want {
			t.Errorf("TextBucket(%d, %d) = %d, want %d", c.n, c.ctx, got, c.want)
		}
	}
	lengths := map[int]bool{}
	for n := 1; n <= 77; n++ {
		b := TextBucket(n, 77)
		if b < n || (n >= 16 && 3*(b-n) > b) || (b%8 != 0 && b != 77) {
			t.Errorf("TextBucket(%d, 77) = %d: shorter, more than a third padding, or not a multiple of 8", n, b)
		}
		lengths[b] = true
	}
	if len(lengths) != 7 {
		t.Errorf("%d lengths for a 77-token context, want 7", len(lengths))
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

// bucketTolerance bounds the difference between embeddings (unit vectors) at bucketed lengths and at the full
// context: float32 rounding of sums a backend may take in another order (see TextTower), a few units in the last
// place. On SimpleGo the tests log 0 values differing: bit for bit equal.
const bucketTolerance = 1e-6

// compareBucketed returns the largest difference between a and b and how many values differ at all; it fails
// the test beyond bucketTolerance.
func compareBucketed(t *testing.T, a, b []float32) (worst float64, differ int) {
	t.Helper()
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			differ++
			worst = math.Max(worst, math.Abs(float64(a[i]-b[i])))
		}
	}
	if worst > bucketTolerance {
		t.Errorf("bucketed vs full context: max abs difference %.3g > %g", worst, bucketTolerance)
	}
	return worst, differ
}

// TestGoldenTextEmbedsBucketed: the fixture's prompts (8, 7 and 22 tokens, the last padded with end tokens)
// through EncodeTexts at their bucketed lengths give the reference implementation's embeddings, and those of
// the full 77 positions within bucketTolerance.
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
	}
	d, differ := compareBucketed(t, bucketed, full)
	t.Logf("text_embeds at bucketed lengths: max abs difference from the reference %.2g; from 77 positions %.2g "+
		"(%d of %d values differ)", worst, d, differ, len(full))
	if worst > goldenTolerance {
		t.Errorf("text_embeds at bucketed lengths: max abs difference %.3g > %g", worst, goldenTolerance)
	}
}

// TestEncodeTextsBucketedEqualsFull: random prompts of 2 to 77 tokens (end token, then zeros or arbitrary ids
// after it, or no end token), in batches that sort them into several lengths, through the fixture model, give the
// embeddings of the full context within bucketTolerance, in the order of the rows. Batches of 4 keep SimpleGo's
// matrix products on its small algorithm at every length; batches of 32 switch its larger products to the
// blocked algorithm at the full context but not at short lengths, which is where the last bits differ.
func TestEncodeTextsBucketedEqualsFull(t *testing.T) {
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	start, end := int64(m.Config.Text.BOSTokenID), int64(m.Config.Text.EOSTokenID)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ n, batch int }{{1, 4}, {3, 4}, {13, 4}, {70, 32}} {
		n := c.n
		t.Run(fmt.Sprintf("n=%d,batch=%d", c.n, c.batch), func(t *testing.T) {
			enc.BatchSize = c.batch
			ids := make([]int64, n*77)
			for i := range n {
				row := ids[i*77 : (i+1)*77]
				last := 1 + rng.IntN(76)
				if i == 0 {
					last = 76 // the longest prompt a 77-token context holds
				}
				row[0] = start
				for j := 1; j < last; j++ {
					row[j] = 1 + rng.Int64N(start-1)
				}
				switch i % 3 {
				case 0:
					row[last] = end // end token, zeros after
				case 1:
					row[last] = end // end token, then anything
					for j := last + 1; j < 77; j++ {
						row[j] = rng.Int64N(end + 1)
					}
				}
			}
			bucketed, full := textEmbeddings(t, enc, ids, n)
			d, differ := compareBucketed(t, bucketed, full)
			t.Logf("max abs difference %.2g, %d of %d values differ", d, differ, len(full))
		})
	}
}

func TestTextBatches(t *testing.T) {
	lengths := []int{5, 30, 9, 12, 70}
	for _, c := range []struct {
		name  string
		batch int
		full  bool
		want  []TextBatch
	}{
		{"bucketed", 2, false, []TextBatch{{[]int{0, 2}, 2, 16}, {[]int{3, 1}, 2, 32}, {[]int{4}, 2, 77}}},
		{"full", 2, true, []TextBatch{{[]int{0, 1}, 2, 77}, {[]int{2, 3}, 2, 77}, {[]int{4}, 2, 77}}},
		{"small call", 32, false, []TextBatch{{[]int{0, 2, 3, 1, 4}, 8, 77}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := TextBatches(lengths, c.batch, 77, c.full)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("TextBatches = %v, want %v", got, c.want)
			}
		})
	}
}
