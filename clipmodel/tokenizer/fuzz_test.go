package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// FuzzEncode checks, for any input, that Encode does not panic, starts with
// StartID, ends with EndID and stays inside the vocabulary, and that Batch
// with truncation keeps the end token.
//
//	go test -fuzz=FuzzEncode ./clipmodel/tokenizer
func FuzzEncode(f *testing.F) {
	tok := loadTestdata(f)
	for _, c := range loadGolden(f) {
		f.Add(c.Text)
	}
	f.Add("<|endoftext|>a<|startoftext|><|endof")
	f.Add("\xff\xfe\x00\u0130\u03a3 it'S !'s")
	f.Add(strings.Repeat("word ", 200)) // longer than any context
	f.Add(" \t\n\u00a0\u3000 ")         // whitespace only
	f.Add("猫の写真 🐈‍⬛ e\u0301te\u0301 ﬁ ①")
	f.Add(strings.Repeat("a", 5000)) // one huge word
	f.Fuzz(func(t *testing.T, text string) {
		ids := tok.Encode(text)
		if len(ids) < 2 || ids[0] != tok.StartID() || ids[len(ids)-1] != tok.EndID() {
			t.Fatalf("Encode(%q) = %v: want start ... end", text, ids)
		}
		for _, id := range ids {
			if id < 0 || id >= tok.VocabSize() {
				t.Fatalf("Encode(%q): id %d outside the vocabulary", text, id)
			}
		}
		if again := tok.Encode(text); !slices.Equal(again, ids) {
			t.Fatalf("Encode(%q) not repeatable: %v then %v", text, ids, again)
		}
		const ctx = 8
		row, err := tok.Batch([]string{text}, ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		n := min(len(ids), ctx)
		if row[n-1] != int64(tok.EndID()) {
			t.Fatalf("Batch(%q): row %v does not end with the end token", text, row)
		}
		for j := 0; j < n-1; j++ {
			if row[j] != int64(ids[j]) {
				t.Fatalf("Batch(%q): row %v, ids %v", text, row, ids)
			}
		}
		for _, v := range row[n:] {
			if v != 0 {
				t.Fatalf("Batch(%q): row %v not zero-padded", text, row)
			}
		}
		if _, err := tok.Batch([]string{text}, ctx, false); (err != nil) != (len(ids) > ctx) {
			t.Fatalf("Batch(%q, truncate=false): error %v for %d ids", text, err, len(ids))
		}
		_ = tok.Decode(ids)
	})
}
