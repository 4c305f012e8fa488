package tokenizer

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var trainCorpus = []string{
	"a photo of a cat.",
	"a photo of a dog.",
	"A blurry photo of the cat!",
	"a black and white photo of a dog",
	"the origami goldfish, swimming",
	"a tattoo of a great white shark.",
	"it's a photo of the airplane; it's flying",
	"a close-up photo of the automobile (2024)",
	"a photo of a deer in the forest at 6 am",
	"naïve résumé café",
	"日本語のテキスト",
	"a photo of a frog and a horse and a ship and a truck",
	"photo photo photo photo",
	"  a   bird\tin\nthe sky  ",
}

// words returns the cleaned words of text, as Encode sees them.
func words(text string) []string {
	var out []string
	splitSpecial(text, func(piece string, special bool) {
		if special {
			out = append(out, piece)
			return
		}
		splitWords(clean(piece), func(w string) { out = append(out, w) })
	})
	return out
}

func TestTrainLayout(t *testing.T) {
	tok, err := Train(trainCorpus, 120)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.merges) != 120 || tok.VocabSize() != 512+120+2 {
		t.Fatalf("%d merges, vocab %d; want 120, 634", len(tok.merges), tok.VocabSize())
	}
	if tok.StartID() != tok.VocabSize()-2 || tok.EndID() != tok.VocabSize()-1 {
		t.Fatalf("start %d end %d, vocab %d", tok.StartID(), tok.EndID(), tok.VocabSize())
	}
	// The base alphabet is laid out exactly as in the fixture vocabulary.
	ref := loadTestdata(t)
	for id := 0; id < 512; id++ {
		if tok.tokens[id] != ref.tokens[id] {
			t.Fatalf("id %d: %q, fixture has %q", id, tok.tokens[id], ref.tokens[id])
		}
	}
	for k, m := range tok.merges {
		if tok.vocab[m[0]+m[1]] != 512+k {
			t.Fatalf("merge %d %q has id %d", k, m, tok.vocab[m[0]+m[1]])
		}
	}
}

func TestTrainEncodeDecode(t *testing.T) {
	tok, err := Train(trainCorpus, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range trainCorpus {
		ids := tok.Encode(text)
		if ids[0] != tok.StartID() || ids[len(ids)-1] != tok.EndID() {
			t.Fatalf("Encode(%q) = %v: no start/end", text, ids)
		}
		for _, id := range ids[1 : len(ids)-1] {
			if id == tok.StartID() || id == tok.EndID() {
				t.Fatalf("Encode(%q) = %v: unknown symbol", text, ids)
			}
		}
		want := strings.Join(words(text), " ")
		if got := tok.Decode(ids); got != want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", text, got, want)
		}
	}
}

// With enough merges every corpus word becomes one token: the merges learned
// reproduce the training segmentation when encoding.
func TestTrainWholeWords(t *testing.T) {
	tok, err := Train(trainCorpus, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.merges) >= 100000 {
		t.Fatalf("%d merges: training should stop when words are whole", len(tok.merges))
	}
	for _, text := range trainCorpus {
		if got, want := len(tok.Encode(text))-2, len(words(text)); got != want {
			t.Errorf("%q: %d tokens for %d words", text, got, want)
		}
	}
}

func TestTrainOrder(t *testing.T) {
	for _, c := range []struct {
		corpus []string
		want   [][2]string
	}{
		// (a, b</w>) occurs twice, (a, a) and (a, a</w>) once.
		{[]string{"aaa ab ab"}, [][2]string{{"a", "b</w>"}, {"a", "a"}, {"aa", "a</w>"}}},
		// Ties go to the smaller left token, then the smaller right one.
		{[]string{"cd ab ac"}, [][2]string{{"a", "b</w>"}, {"a", "c</w>"}, {"c", "d</w>"}}},
	} {
		tok, err := Train(c.corpus, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tok.merges, c.want) {
			t.Errorf("Train(%q) merges %q, want %q", c.corpus, tok.merges, c.want)
		}
	}
}

func TestTrainDeterministic(t *testing.T) {
	a, err := Train(trainCorpus, 120)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(trainCorpus)
	slices.Reverse(shuffled)
	b, err := Train(shuffled, 120)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.merges, b.merges) || !slices.Equal(a.tokens, b.tokens) {
		t.Fatal("training depends on corpus order")
	}
}

func TestTrainSaveLoad(t *testing.T) {
	tok, err := Train(trainCorpus, 80)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "vocab")
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.VocabSize() != tok.VocabSize() || back.StartID() != tok.StartID() || back.EndID() != tok.EndID() {
		t.Fatal("sizes or special ids differ after Load")
	}
	texts := slices.Clone(trainCorpus)
	for _, c := range loadGolden(t) {
		texts = append(texts, c.Text)
	}
	for _, text := range texts {
		if a, b := tok.Encode(text), back.Encode(text); !slices.Equal(a, b) {
			t.Errorf("%q: %v before Save, %v after Load", text, a, b)
		}
	}
	merges, err := os.ReadFile(filepath.Join(dir, MergesFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(merges, []byte("#version: 0.2\n")) {
		t.Errorf("merges.txt starts with %q", merges[:min(20, len(merges))])
	}
	// Saving the loaded tokenizer gives the same bytes; no temp files remain.
	dir2 := t.TempDir()
	if err := back.Save(dir2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{VocabFile, MergesFile} {
		x, _ := os.ReadFile(filepath.Join(dir, name))
		y, _ := os.ReadFile(filepath.Join(dir2, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs after a Load/Save round trip", name)
		}
	}
	entries, _ := os.ReadDir(dir2)
	if len(entries) != 2 {
		t.Errorf("Save left %d files, want 2", len(entries))
	}
}

// The fixture, saved by Save, reads back the same and still matches golden.
func TestSaveFixture(t *testing.T) {
	tok := loadTestdata(t)
	dir := t.TempDir()
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadGolden(t) {
		if got := back.Encode(c.Text); !slices.Equal(got, c.IDs) {
			t.Errorf("%q: %v, want %v", c.Text, got, c.IDs)
		}
	}
	want, _ := os.ReadFile(filepath.Join("testdata", MergesFile))
	got, _ := os.ReadFile(filepath.Join(dir, MergesFile))
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Error("merges.txt differs from the fixture")
	}
}

func TestTrainEdgeCases(t *testing.T) {
	if _, err := Train(nil, 10); err == nil {
		t.Error("empty corpus: no error")
	}
	if _, err := Train([]string{"a"}, -1); err == nil {
		t.Error("negative merges: no error")
	}
	tok, err := Train([]string{"  ", "<|endoftext|>"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 514 || len(tok.merges) != 0 {
		t.Errorf("no words: vocab %d, %d merges; want 514, 0", tok.VocabSize(), len(tok.merges))
	}
	if got := tok.Decode(tok.Encode("Hello, World")); got != "hello , world" {
		t.Errorf("base vocabulary round trip: %q", got)
	}
}

// TestSame: a tokenizer is the same as its saved and reloaded copy; one of another size, or of the same size with
// two tokens' ids swapped, is not.
func TestSame(t *testing.T) {
	tok, err := Train(trainCorpus, 80)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Same(back) || !back.Same(tok) {
		t.Error("a tokenizer is not the same as its Save/Load copy")
	}
	fewer, err := Train(trainCorpus, 79)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Same(fewer) {
		t.Error("tokenizers with 80 and 79 merges are the same")
	}
	vocab := make(map[string]int, len(tok.vocab))
	for k, v := range tok.vocab {
		vocab[k] = v
	}
	a, b := tok.tokens[10], tok.tokens[11]
	vocab[a], vocab[b] = 11, 10
	swapped, err := New(vocab, tok.merges)
	if err != nil {
		t.Fatal(err)
	}
	if swapped.VocabSize() != tok.VocabSize() || swapped.vocab[a] == tok.vocab[a] {
		t.Fatal("the swapped tokenizer does not differ as the test means it to")
	}
	if tok.Same(swapped) {
		t.Errorf("swapping the ids of %q and %q leaves the tokenizer the same", a, b)
	}
	if !(*Tokenizer)(nil).Same(nil) || tok.Same(nil) {
		t.Error("nil tokenizers compare wrongly")
	}
}
