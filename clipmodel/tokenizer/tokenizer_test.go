package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func loadTestdata(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type goldenCase struct {
	Text string `json:"text"`
	IDs  []int  `json:"ids"`
}

func loadGolden(t testing.TB) []goldenCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("golden.json has no cases")
	}
	return g.Cases
}

func TestGolden(t *testing.T) {
	tok := loadTestdata(t)
	for _, c := range loadGolden(t) {
		if got := tok.Encode(c.Text); !slices.Equal(got, c.IDs) {
			t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, got, c.IDs)
		}
	}
}

func TestGoldenConcurrent(t *testing.T) {
	tok := loadTestdata(t)
	cases := loadGolden(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 5; r++ {
				for _, c := range cases {
					if got := tok.Encode(c.Text); !slices.Equal(got, c.IDs) {
						t.Errorf("Encode(%q) = %v, want %v", c.Text, got, c.IDs)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestAccessors(t *testing.T) {
	tok := loadTestdata(t)
	if tok.VocabSize() != 733 || tok.StartID() != 731 || tok.EndID() != 732 {
		t.Fatalf("VocabSize, StartID, EndID = %d, %d, %d; want 733, 731, 732", tok.VocabSize(), tok.StartID(), tok.EndID())
	}
}

// TestTestdataLayout checks that the fixture vocabulary has the layout Train
// produces: byte symbols, byte symbols with </w>, merges, start, end.
func TestTestdataLayout(t *testing.T) {
	vocab, err := readVocab(filepath.Join("testdata", VocabFile))
	if err != nil {
		t.Fatal(err)
	}
	merges, err := readMerges(filepath.Join("testdata", MergesFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(merges) != 219 || len(vocab) != 512+219+2 {
		t.Fatalf("%d merges, %d tokens; want 219, 733", len(merges), len(vocab))
	}
	for i, b := range alphabetOrder {
		if vocab[byteSymbol[b]] != i || vocab[byteSymbolEnd[b]] != 256+i {
			t.Fatalf("byte %#x: ids %d, %d; want %d, %d", b, vocab[byteSymbol[b]], vocab[byteSymbolEnd[b]], i, 256+i)
		}
	}
	for k, m := range merges {
		if id, ok := vocab[m[0]+m[1]]; !ok || id != 512+k {
			t.Fatalf("merge %d %q: id %d, want %d", k, m, id, 512+k)
		}
	}
	if vocab[StartToken] != 731 || vocab[EndToken] != 732 {
		t.Fatal("start/end are not the last two ids")
	}
}

func TestSpecialTokensInText(t *testing.T) {
	tok := loadTestdata(t)
	s, e := tok.StartID(), tok.EndID()
	got := tok.Encode("a<|endoftext|>cat<|startoftext|>")
	want := []int{s, 320, e, 723, s, e}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Not exact (upper case): cleaned into an ordinary word.
	got = tok.Encode("<|ENDOFTEXT|>")
	if len(got) <= 3 || got[1] == e {
		t.Fatalf("upper-case special token should be ordinary text, got %v", got)
	}
}

func TestCleaning(t *testing.T) {
	tok := loadTestdata(t)
	same := [][2]string{
		{"A  Photo\u00a0of\u2003a\ncat", "a photo of a cat"}, // whitespace folding
		{"cafe\u0301", "café"},                               // NFC
		{"İ", "i\u0307"},                                     // full lower-case mapping
		{"ΟΔΟΣ", "οδοσ"},                                     // no final-sigma rule
		{"it's", "it 's"},                                    // contraction split
		{"\xff\xfe", "\ufffd"},                               // invalid UTF-8
	}
	for _, p := range same {
		if a, b := tok.Encode(p[0]), tok.Encode(p[1]); !slices.Equal(a, b) {
			t.Errorf("Encode(%q) = %v, Encode(%q) = %v; want equal", p[0], a, p[1], b)
		}
	}
}

func TestSplitWords(t *testing.T) {
	cases := map[string][]string{
		"don't stop":         {"don", "'t", "stop"},
		"!'s":                {"!'", "s"},
		"''s":                {"''", "s"},
		"'x":                 {"'", "x"},
		"we're 'll":          {"we", "'re", "'ll"},
		"12ab":               {"1", "2", "ab"},
		"x<|endoftext|>y":    {"x", "<|endoftext|>", "y"},
		"!<|endoftext|>":     {"!<|", "endoftext", "|>"},
		"日本語 のテキスト":          {"日本語", "のテキスト"},
		"½①":                 {"½", "①"},
		"a\u0301":            {"a", "\u0301"},
		" \t\n\v\f\r\u0085 ": nil,
		"a\x00b":             {"a", "\x00", "b"},
	}
	for in, want := range cases {
		var got []string
		splitWords(in, func(w string) { got = append(got, w) })
		if !slices.Equal(got, want) {
			t.Errorf("splitWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	tok := loadTestdata(t)
	for _, c := range []struct{ in, want string }{
		{"A photo of a CAT.", "a photo of a cat ."},
		{"naïve résumé", "naïve résumé"},
		{"日本語のテキスト", "日本語のテキスト"},
		{"", ""},
	} {
		if got := tok.Decode(tok.Encode(c.in)); got != c.want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := tok.Decode([]int{-1, 99999, 320}); got != "a" {
		t.Errorf("Decode with bad ids = %q, want %q", got, "a")
	}
}

func TestNewErrors(t *testing.T) {
	base := func() map[string]int {
		return map[string]int{"a": 0, "b": 1, "ab": 2, StartToken: 3, EndToken: 4}
	}
	if _, err := New(base(), [][2]string{{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		edit   func(map[string]int)
		merges [][2]string
		want   string
	}{
		"no start":     {func(v map[string]int) { delete(v, StartToken); v["x"] = 3 }, nil, "start token"},
		"no end":       {func(v map[string]int) { delete(v, EndToken); v["x"] = 4 }, nil, "end token"},
		"dup id":       {func(v map[string]int) { v["ab"] = 1 }, nil, "share id"},
		"id range":     {func(v map[string]int) { v["ab"] = 7 }, nil, "want ids 0..4"},
		"merge part":   {nil, [][2]string{{"a", "c"}}, `"c" is not in the vocabulary`},
		"merge result": {nil, [][2]string{{"b", "a"}}, `result "ba"`},
	} {
		v := base()
		if c.edit != nil {
			c.edit(v)
		}
		_, err := New(v, c.merges)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	vocab, _ := os.ReadFile(filepath.Join("testdata", VocabFile))
	merges, _ := os.ReadFile(filepath.Join("testdata", MergesFile))
	write := func(t *testing.T, v, m []byte) string {
		dir := t.TempDir()
		if v != nil {
			os.WriteFile(filepath.Join(dir, VocabFile), v, 0o644)
		}
		if m != nil {
			os.WriteFile(filepath.Join(dir, MergesFile), m, 0o644)
		}
		return dir
	}
	for name, c := range map[string]struct {
		v, m []byte
		want string
	}{
		"missing vocab":   {nil, merges, VocabFile},
		"missing merges":  {vocab, nil, MergesFile},
		"bad json":        {[]byte(`{"a": "x"}`), merges, VocabFile},
		"bad merges line": {vocab, []byte("#version: 0.2\nt h\nthe\n"), MergesFile + ":3"},
		"no specials":     {[]byte(`{"a": 0}`), []byte("#version: 0.2\na a\n"), VocabFile + ": start token"},
		"unknown merge":   {vocab, []byte("#version: 0.2\nq z\n"), MergesFile + `: merge 1 ("q" "z"): result "qz"`},
		// A merges.txt cut to nothing would tokenize every word into bytes, ids the model never saw.
		"empty merges":       {vocab, []byte{}, MergesFile + " holds no merges"},
		"merges header only": {vocab, []byte("#version: 0.2\n"), MergesFile + " holds no merges"},
		// A 5 MB token is named by its start and its length, not echoed whole.
		"5 MB token": {vocab, []byte("#version: 0.2\n" + strings.Repeat("q", 5<<20) + " z\n"), `qqq"… (5242880 bytes)`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(write(t, c.v, c.m))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
			if err != nil && len(err.Error()) > 400 {
				t.Errorf("an error of %d bytes", len(err.Error()))
			}
		})
	}
	// A folder or a device where a file belongs is refused before it is read.
	dir := write(t, nil, merges)
	os.Mkdir(filepath.Join(dir, VocabFile), 0o755)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "is a folder, not a regular file") {
		t.Errorf("vocab.json a folder: error %v", err)
	}
	dir = write(t, vocab, nil)
	os.Symlink("/dev/zero", filepath.Join(dir, MergesFile))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "is a character device") {
		t.Errorf("merges.txt -> /dev/zero: error %v", err)
	}
	// CRLF line ends and a missing header are accepted.
	crlf := strings.ReplaceAll(string(merges), "\n", "\r\n")
	crlf = crlf[strings.Index(crlf, "\n")+1:]
	tok, err := Load(write(t, vocab, []byte(crlf)))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("a photo of a cat."); !slices.Equal(got, []int{731, 320, 518, 512, 320, 723, 269, 732}) {
		t.Errorf("CRLF merges: got %v", got)
	}
}

func BenchmarkEncode(b *testing.B) {
	tok := loadTestdata(b)
	text := "a photo of a large black and white dog running on the beach, with a red ball."
	b.ReportAllocs()
	for b.Loop() {
		tok.Encode(text)
	}
}
