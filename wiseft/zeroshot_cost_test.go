package wiseft

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
	"github.com/gowiseft/wiseft/datasets/realdata"
	"github.com/gowiseft/wiseft/templates"
)

// headPerClassFull is ZeroShotHead as it was before prompts ran at their own length: one EncodeTexts call per
// class, every prompt at the full context.
func headPerClassFull(t *testing.T, enc *clipmodel.Encoder, m *clipmodel.Model, classes, ts []string) []float32 {
	t.Helper()
	enc.FullTextContext = true
	defer func() { enc.FullTextContext = false }()
	scale, err := enc.LogitScale()
	if err != nil {
		t.Fatal(err)
	}
	dim := m.Config.ProjectionDim
	head := make([]float32, len(classes)*dim)
	for c, name := range classes {
		ids, err := m.Tokenizer.Batch(templates.Fill(ts, name), m.Config.Text.ContextLength, true)
		if err != nil {
			t.Fatal(err)
		}
		emb, err := enc.EncodeTexts(ids, len(ts))
		if err != nil {
			t.Fatal(err)
		}
		mean := make([]float64, dim)
		for p := range ts {
			for k := range dim {
				mean[k] += float64(emb[p*dim+k])
			}
		}
		var norm float64
		for _, v := range mean {
			norm += v * v
		}
		for k, v := range mean {
			head[c*dim+k] = float32(v/math.Sqrt(norm)) * scale
		}
	}
	return head
}

// TestZeroShotHeadEqualsFullContext: the head built from prompts at their own lengths, several classes per
// encoder call, is the head built one class at a time at the full context, over two class groups of the 80
// OpenAI templates: bit for bit on SimpleGo (logged), and in any case within 1e-6 of exp(logit_scale), the
// rows' norm, the float32 rounding a backend summing in another order could add (clipmodel.TextTower).
func TestZeroShotHeadEqualsFullContext(t *testing.T) {
	m := loadFixture(t).Clone()
	tok, err := tokenizer.Load("../clipmodel/tokenizer/testdata")
	if err != nil {
		t.Fatal(err)
	}
	m.Tokenizer = tok
	classes := realdata.ImageNetClassNames[:15]
	if g := headGroups(len(classes), len(templates.OpenAIImageNet)); len(g) < 2 {
		t.Fatalf("%d class group(s), the test wants several", len(g))
	}
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	head, err := ZeroShotHead(enc, m, classes, templates.OpenAIImageNet)
	if err != nil {
		t.Fatal(err)
	}
	want := headPerClassFull(t, enc, m, classes, templates.OpenAIImageNet)
	scale, err := enc.LogitScale()
	if err != nil {
		t.Fatal(err)
	}
	worst, differ := 0.0, 0
	for i, w := range want {
		if head.Data[i] != w {
			differ++
			worst = math.Max(worst, math.Abs(float64(head.Data[i]-w)))
		}
	}
	t.Logf("head vs one class at a time at 77 positions: %d of %d values differ, by at most %.2g (scale %g)",
		differ, len(want), worst, scale)
	if worst > 1e-6*float64(scale) {
		t.Errorf("head differs from one class at a time at 77 positions by %g > 1e-6 x %g", worst, scale)
	}
}

// openAITokenizer is CLIP's real tokenizer (49,408 tokens), for prompt lengths as users see them.
func openAITokenizer(tb testing.TB) *tokenizer.Tokenizer {
	tb.Helper()
	tok, err := tokenizer.LoadOpenAIBPE("../clipmodel/tokenizer/testdata/bpe_simple_vocab_16e6.txt.gz")
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// headFLOPs is the text tower's work for the zero-shot head of classes × ts: the batches ZeroShotHead's encoder
// calls run (clipmodel.TextBatches), each Batch rows at Length positions; perClassFull plans it as before, one
// call per class at the full context.
func headFLOPs(tb testing.TB, cfg clipmodel.Config, tok *tokenizer.Tokenizer, classes, ts []string, perClassFull bool) (flops float64, rows int) {
	tb.Helper()
	ctxLen := cfg.Text.ContextLength
	groups := headGroups(len(classes), len(ts))
	if perClassFull {
		groups = groups[:0]
		for c := range classes {
			groups = append(groups, [2]int{c, c + 1})
		}
	}
	for _, g := range groups {
		var lengths []int
		for _, name := range classes[g[0]:g[1]] {
			ids, err := tok.Batch(templates.Fill(ts, name), ctxLen, true)
			if err != nil {
				tb.Fatal(err)
			}
			for p := range ts {
				lengths = append(lengths, clipmodel.TextLength(ids[p*ctxLen:(p+1)*ctxLen]))
			}
		}
		for _, b := range clipmodel.TextBatches(lengths, 32, ctxLen, perClassFull) {
			flops += float64(b.Batch) * clipmodel.TextFLOPs(cfg, b.Length)
			rows += b.Batch
		}
	}
	return flops, rows
}

// TestImageNetHeadFLOPs computes, from the real token lengths of the 80,000 prompts (1,000 ImageNet classes × 80
// OpenAI templates), the work of ViT-B/32's text tower for the zero-shot head before (a call per class, every
// prompt at 77 positions) and now, and checks that it is at least 3× less. The figures are the README's:
//
//	go test -run ImageNetHeadFLOPs -v ./wiseft
func TestImageNetHeadFLOPs(t *testing.T) {
	cfg, err := clipmodel.ConfigByName("ViT-B/32")
	if err != nil {
		t.Fatal(err)
	}
	tok := openAITokenizer(t)
	classes, ts := realdata.ImageNetClassNames, templates.OpenAIImageNet
	hist := map[int]int{}
	exact := 0.0
	for _, name := range classes {
		for _, p := range templates.Fill(ts, name) {
			n := len(tok.Encode(p))
			hist[n]++
			exact += clipmodel.TextFLOPs(cfg, n)
		}
	}
	lo, hi := 1000, 0
	for n := range hist {
		lo, hi = min(lo, n), max(hi, n)
	}
	before, beforeRows := headFLOPs(t, cfg, tok, classes, ts, true)
	after, afterRows := headFLOPs(t, cfg, tok, classes, ts, false)
	t.Logf("%d prompts, %d to %d tokens with start and end", len(classes)*len(ts), lo, hi)
	t.Logf("before: %d rows (batches of 32 per class) at 77 positions: %.3g FLOPs (%.3g for the 80,000 alone)",
		beforeRows, before, float64(len(classes)*len(ts))*clipmodel.TextFLOPs(cfg, 77))
	t.Logf("after: %d rows at their batches' bucketed lengths: %.3g FLOPs, %.2fx fewer; each prompt at its exact "+
		"length would be %.3g", afterRows, after, before/after, exact)
	if before < 3*after {
		t.Errorf("only %.2fx fewer FLOPs, want at least 3x", before/after)
	}
}

// BenchmarkImageNetHead times ZeroShotHead with ViT-B/32's text tower (random weights: the time does not depend
// on them) and CLIP's real tokenizer on the first WISEFT_HEAD_CLASSES ImageNet classes (default 2) × the 80
// templates, at the prompts' own lengths and, for comparison, one class at a time at 77 positions. It reports
// seconds per class, GFLOP/s, and the whole 1,000-class head's time extrapolated at the measured GFLOP/s from
// the FLOPs of TestImageNetHeadFLOPs. Heavy (minutes); run it alone:
//
//	go test -run '^$' -bench ImageNetHead -benchtime 1x -timeout 2h ./wiseft
func BenchmarkImageNetHead(b *testing.B) {
	cfg, err := clipmodel.ConfigByName("ViT-B/32")
	if err != nil {
		b.Fatal(err)
	}
	n := 2
	if s := os.Getenv("WISEFT_HEAD_CLASSES"); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > 1000 {
			b.Fatalf("WISEFT_HEAD_CLASSES=%q: want 1 to 1000", s)
		}
	}
	tok := openAITokenizer(b)
	m := &clipmodel.Model{Config: cfg, Weights: clipmodel.RandomWeights(cfg, 1), Tokenizer: tok}
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		b.Fatal(err)
	}
	classes, ts := realdata.ImageNetClassNames[:n], templates.OpenAIImageNet
	for _, full := range []bool{true, false} {
		name := "length=own"
		if full {
			name = "length=77"
		}
		b.Run(name, func(b *testing.B) {
			flops, _ := headFLOPs(b, cfg, tok, classes, ts, full)
			all, _ := headFLOPs(b, cfg, tok, realdata.ImageNetClassNames, ts, full)
			enc.FullTextContext = full
			defer func() { enc.FullTextContext = false }()
			start := time.Now()
			for b.Loop() {
				if full {
					for _, c := range classes { // one class per call, as before
						if _, err := ZeroShotHead(enc, m, []string{c}, ts); err != nil {
							b.Fatal(err)
						}
					}
				} else if _, err := ZeroShotHead(enc, m, classes, ts); err != nil {
					b.Fatal(err)
				}
			}
			secs := time.Since(start).Seconds() / float64(b.N)
			b.ReportMetric(secs/float64(n), "s/class")
			b.ReportMetric(flops/secs/1e9, "GFLOP/s")
			b.ReportMetric(all/(flops/secs)/3600, "head-h")
			b.Logf("%s: %d classes x %d templates in %.1f s, %.3g FLOPs; 1,000 classes: %.3g FLOPs, %.2f h at this speed",
				name, n, len(ts), secs, flops, all, all/(flops/secs)/3600)
		})
	}
	fmt.Fprintln(os.Stderr) // keep the last log line apart from the benchmark's summary
}
