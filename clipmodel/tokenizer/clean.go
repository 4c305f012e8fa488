package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text cleaning, as done by the Hugging Face CLIP tokenizer (the
// tokenizers-library pipeline of transformers v5: NFC, whitespace runs folded
// to one space, lower case; see testdata/README.md and golden.json).
//
// The special tokens are cut out of the raw text first (exact, case-sensitive
// matches); the text between them is cleaned and split into words separately.

// StartToken is the token that opens every encoded text.
const StartToken = "<|startoftext|>"

// EndToken is the token that closes every encoded text. It also stands for
// symbols that are missing from the vocabulary.
const EndToken = "<|endoftext|>"

// splitSpecial calls fn for each piece of text in order: the runs of ordinary
// text (special=false, never empty) and the exact occurrences of StartToken and
// EndToken (special=true).
func splitSpecial(text string, fn func(piece string, special bool)) {
	for len(text) > 0 {
		at, tok := nextSpecial(text)
		if at < 0 {
			fn(text, false)
			return
		}
		if at > 0 {
			fn(text[:at], false)
		}
		fn(tok, true)
		text = text[at+len(tok):]
	}
}

// nextSpecial returns the byte offset and text of the first special token in s,
// or -1 when there is none. The two tokens cannot overlap.
func nextSpecial(s string) (int, string) {
	off := 0
	for {
		i := strings.Index(s[off:], "<|")
		if i < 0 {
			return -1, ""
		}
		at := off + i
		switch {
		case strings.HasPrefix(s[at:], StartToken):
			return at, StartToken
		case strings.HasPrefix(s[at:], EndToken):
			return at, EndToken
		}
		off = at + 1
	}
}

// clean normalises one run of ordinary text: invalid UTF-8 becomes U+FFFD, then
// NFC, then lower case (full Unicode lower-case mapping, one rune at a time, as
// Rust's char::to_lowercase: 'İ' becomes "i̇", and 'Σ' is always 'σ').
// Whitespace is left in place; the word splitter treats every whitespace rune
// as a separator, which is the same as folding runs of it to one space.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFC.String(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == 'İ' { // U+0130, the only rune whose lower case is two runes
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
