package world

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
	"github.com/gowiseft/wiseft/wiseft"
)

// dataDir returns the shipped world's data folder, skipping when it is not installed (failing on CI, where
// WISEFT_REQUIRE_DATA=1).
func dataDir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs("../data")
	if _, err := os.Stat(filepath.Join(dir, "mnist")); err != nil {
		if os.Getenv("WISEFT_REQUIRE_DATA") == "1" {
			t.Fatalf("data missing (run scripts/setup.sh): %v", err)
		}
		t.Skipf("data missing: %v", err)
	}
	return dir
}

func TestCaptionsFitTheContext(t *testing.T) {
	tok, err := TrainTokenizer(DefaultPretrainConfig().Merges)
	if err != nil {
		t.Fatal(err)
	}
	cfg := TinyConfig(tok.VocabSize())
	if cfg.Text.EOSTokenID != tok.EndID() || cfg.Text.BOSTokenID != tok.StartID() {
		t.Fatalf("config start/end ids %d/%d, tokenizer %d/%d", cfg.Text.BOSTokenID, cfg.Text.EOSTokenID, tok.StartID(), tok.EndID())
	}
	captions := AllCaptions()
	if len(captions) < 1000 {
		t.Fatalf("only %d distinct captions", len(captions))
	}
	// Every prompt of the evaluation templates fits the text context without truncation (the zero-shot head
	// refuses to truncate); pretraining truncates the few longest captions, keeping their end token.
	var prompts []string
	for _, tmpl := range templates.Digit {
		for _, name := range datasets.DigitClassNames {
			prompts = append(prompts, strings.ReplaceAll(tmpl, "{}", name))
		}
	}
	if _, err := tok.Batch(prompts, cfg.Text.ContextLength, false); err != nil {
		t.Fatal(err)
	}
	var fashion []string
	for _, tmpl := range templates.Fashion {
		for _, name := range datasets.FashionClassNames {
			fashion = append(fashion, strings.ReplaceAll(tmpl, "{}", name))
		}
	}
	if _, err := tok.Batch(fashion, cfg.Text.ContextLength, false); err != nil {
		t.Logf("some Fashion-MNIST prompts need truncation (not used by the digit task): %v", err)
	}
	truncated := 0
	for _, c := range captions {
		if len(tok.Encode(c)) > cfg.Text.ContextLength {
			truncated++
		}
	}
	if truncated > len(captions)/20 {
		t.Errorf("%d of %d captions do not fit %d tokens", truncated, len(captions), cfg.Text.ContextLength)
	}
	t.Logf("%d of %d distinct captions are truncated to %d tokens", truncated, len(captions), cfg.Text.ContextLength)
}

func TestCorpusDeterministic(t *testing.T) {
	data := dataDir(t)
	c, err := NewCorpus(CorpusConfig{Pairs: 50, Seed: 3, HandwritingWeight: 0.05, DataLocation: data})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := NewCorpus(CorpusConfig{Pairs: 50, Seed: 3, HandwritingWeight: 0.05, DataLocation: data})
	kinds := map[string]bool{}
	for i := 0; i < c.Len(); i++ {
		a, err := c.Pair(i)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c2.Pair(i)
		if a.Caption != b.Caption || a.Key != b.Key || !reflect.DeepEqual(pixels(a.Image), pixels(b.Image)) {
			t.Fatalf("pair %d differs between two corpora of the same seed", i)
		}
		kinds[strings.Split(a.Key, ":")[0]] = true
	}
	for _, k := range []string{"digit", "letter", "fashion"} {
		if !kinds[k] {
			t.Errorf("no %s pair among 50", k)
		}
	}
}

func pixels(img image.Image) []uint32 {
	var out []uint32
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out = append(out, r, g, bl)
		}
	}
	return out
}

func TestSoftTargets(t *testing.T) {
	got := softTargets([]string{"a", "b", "a"})
	want := []float32{0.5, 0, 0.5, 0, 1, 0, 0.5, 0, 0.5}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("softTargets = %v, want %v", got, want)
	}
}

// TestScaledDownPipeline runs the whole pipeline of the main job at toy scale: pretraining a few steps, the
// zero-shot head, fine-tuning, the α sweep, and the model round trip through the Hugging Face layout.
func TestScaledDownPipeline(t *testing.T) {
	data := dataDir(t)
	out := filepath.Join(t.TempDir(), "model")
	cfg := DefaultPretrainConfig()
	cfg.Corpus = CorpusConfig{Pairs: 128, Seed: 1, HandwritingWeight: 0.05, DataLocation: data}
	cfg.Epochs, cfg.BatchSize, cfg.WarmupSteps = 1, 64, 1
	m, err := Pretrain(context.Background(), cfg, PretrainRun{Out: out})
	if err != nil {
		t.Fatal(err)
	}
	reopened, err := clipmodel.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Tokenizer == nil || reopened.Config.Vision != m.Config.Vision {
		t.Fatalf("the pretrained model does not reopen with its tokenizer and config")
	}
	opts := datasets.Options{Location: data, Split: datasets.Train}
	train, err := datasets.Open("MNIST", opts)
	if err != nil {
		t.Fatal(err)
	}
	train = datasets.Limit(train, 128)
	zs, err := wiseft.ZeroShotClassifier(reopened, train.ClassNames(), train.Templates())
	if err != nil {
		t.Fatal(err)
	}
	ftCfg := wiseft.DefaultFineTuneConfig()
	ftCfg.Epochs, ftCfg.BatchSize, ftCfg.LR, ftCfg.WarmupSteps, ftCfg.Seed = 1, 64, 1e-3, 1, 1
	ft, err := wiseft.FineTune(context.Background(), zs, train, ftCfg, wiseft.TrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	opts.Split = datasets.Test
	var sets []wiseft.EvalSet
	for _, name := range []string{"MNIST", "MNIST-Inverted"} {
		ds, err := datasets.Open(name, opts)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, wiseft.EvalSet{Dataset: ds, Limit: 64})
	}
	res, err := wiseft.Sweep(context.Background(), zs, ft, []float64{0, 0.5, 1}, sets, wiseft.SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Metrics) != 3 || len(res.Metrics[0]) != 2 {
		t.Fatalf("sweep shape %dx%d", len(res.Metrics), len(res.Metrics[0]))
	}
	// α=0 is the zero-shot classifier: a fresh evaluator of zs gives the same accuracy.
	ev, err := wiseft.NewEvaluator(zs, wiseft.EvalOptions{BatchSize: 0})
	if err != nil {
		t.Fatal(err)
	}
	m0, err := ev.Evaluate(context.Background(), sets[0].Dataset, 64)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := res.Get(0, "MNIST"); got.Top1 != m0.Top1 {
		t.Fatalf("α=0 accuracy %v differs from the zero-shot classifier's %v", got.Top1, m0.Top1)
	}
}

// TestShippedTokenizerReproduced checks that the tokenizer training of `wiseft pretrain` gives back, byte for
// byte, the vocabulary shipped in world/model.
func TestShippedTokenizerReproduced(t *testing.T) {
	tok, err := TrainTokenizer(DefaultPretrainConfig().Merges)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"vocab.json", "merges.txt"} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("model", f))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from world/model/%s", f, f)
		}
	}
}

// TestCorpusStyledHandwriting: with StyledHandwriting 1 no handwriting pair is drawn plain; by default some are
// (about 30 %), so the check can tell the two apart. A caption is styled when it is one of a non-plain style's
// phrases around an object.
func TestCorpusStyledHandwriting(t *testing.T) {
	data := dataDir(t)
	var styled []*regexp.Regexp
	for _, st := range styles[1:] {
		for _, p := range st.phrases {
			parts := strings.Split(p, "{}")
			styled = append(styled, regexp.MustCompile("^"+regexp.QuoteMeta(parts[0])+".+"+regexp.QuoteMeta(parts[1])+"$"))
		}
	}
	isStyled := func(caption string) bool {
		for _, re := range styled {
			if re.MatchString(caption) {
				return true
			}
		}
		return false
	}
	plainHandwriting := func(share float64) (plain, all int) {
		c, err := NewCorpus(CorpusConfig{Pairs: 600, Seed: 5, HandwritingWeight: 1, StyledHandwriting: share, DataLocation: data})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < c.Len(); i++ {
			p, err := c.Pair(i)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(p.Caption, "handwritten") || strings.Contains(p.Caption, "written by hand") {
				all++
				if !isStyled(p.Caption) {
					plain++
				}
			}
		}
		return plain, all
	}
	if plain, all := plainHandwriting(1); all < 200 || plain != 0 {
		t.Errorf("StyledHandwriting 1: %d of %d handwriting pairs plain, want 0 (of at least 200)", plain, all)
	}
	if plain, all := plainHandwriting(0); all < 200 || plain < all/5 || plain > all*2/5 {
		t.Errorf("default: %d of %d handwriting pairs plain, want about 30 %%", plain, all)
	}
}

// TestWidthConfig: the default width is the shipped architecture itself; another width changes both towers' widths
// and MLPs and the name, and nothing else (the patches, the layers, the heads, the vocabulary, the shared space).
func TestWidthConfig(t *testing.T) {
	if !reflect.DeepEqual(WidthConfig(722, 0), TinyConfig(722)) || !reflect.DeepEqual(WidthConfig(722, DefaultWidth), TinyConfig(722)) {
		t.Error("width 0 or 64 is not the shipped architecture")
	}
	w := WidthConfig(722, 96)
	want := TinyConfig(722)
	want.Name = "wiseft-tiny-w96"
	want.Vision.Width, want.Vision.MLPWidth, want.Text.Width, want.Text.MLPWidth = 96, 384, 96, 384
	if !reflect.DeepEqual(w, want) {
		t.Errorf("width 96:\n got  %+v\n want %+v", w, want)
	}
	if TinyConfig(722).Vision.Width != DefaultWidth {
		t.Error("DefaultWidth is not the shipped model's width")
	}
}
