package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func loadOpenAI(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := LoadOpenAIBPE(filepath.Join("testdata", "bpe_simple_vocab_16e6.txt.gz"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestOpenAIBPE checks the real vocabulary against ids OpenAI's
// clip.tokenize gives.
func TestOpenAIBPE(t *testing.T) {
	tok := loadOpenAI(t)
	if n := tok.VocabSize(); n != 49408 {
		t.Fatalf("vocabulary of %d, want 49408", n)
	}
	for _, c := range []struct {
		text string
		ids  []int
	}{
		{"a photo of a cat.", []int{49406, 320, 1125, 539, 320, 2368, 269, 49407}},
		{"", []int{49406, 49407}},
	} {
		if got := tok.Encode(c.text); !slices.Equal(got, c.ids) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.ids)
		}
	}
}

// TestOpenAIBPERoundTrip: Save writes the Hugging Face layout, and Load reads
// back the same tokenizer.
func TestOpenAIBPERoundTrip(t *testing.T) {
	tok := loadOpenAI(t)
	dir := t.TempDir()
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"a photo of a goldfish.", "itap of the African bush elephant.", "a T-shirt/top"} {
		if a, b := tok.Encode(text), back.Encode(text); !slices.Equal(a, b) {
			t.Errorf("%q: %v after Save and Load, %v before", text, b, a)
		}
	}
}

func TestOpenAIBPEErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.txt")
	if err := os.WriteFile(short, []byte("#version: 0.2\ni n\nt h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("#version: 0.2\ni n x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{short, bad, filepath.Join(dir, "missing.gz")} {
		if _, err := LoadOpenAIBPE(path); err == nil {
			t.Errorf("LoadOpenAIBPE(%s) succeeded", path)
		}
	}
}
