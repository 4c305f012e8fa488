package tokenizer

import (
	"fmt"
	"strings"
	"sync"
)

// Tokenizer is a CLIP byte-level BPE tokenizer. It is safe for concurrent use.
type Tokenizer struct {
	vocab    map[string]int
	tokens   []string    // id -> token
	merges   [][2]string // in rank order, as given
	mergeMap map[uint64]mergeInfo

	// ids of the 256 byte symbols, plain and with the end-of-word suffix;
	// -1 where the vocabulary lacks the symbol.
	byteID, byteEndID [256]int

	startID, endID int

	mu    sync.RWMutex
	cache map[string][]int // cleaned word -> ids
}

// New builds a tokenizer from a vocabulary (token -> id) and a merges list in
// rank order (the first pair merges first).
//
// The ids must be 0..len(vocab)-1, each used once. StartToken and EndToken
// must be in the vocabulary, and so must both halves of every merge and their
// concatenation. If a pair occurs more than once in merges, its last rank
// counts (as in the Hugging Face loaders). The maps and slices passed in are
// copied.
func New(vocab map[string]int, merges [][2]string) (*Tokenizer, error) {
	if len(vocab) == 0 {
		return nil, &buildError{msg: "empty vocabulary"}
	}
	t := &Tokenizer{
		vocab:    make(map[string]int, len(vocab)),
		tokens:   make([]string, len(vocab)),
		merges:   make([][2]string, len(merges)),
		mergeMap: make(map[uint64]mergeInfo, len(merges)),
		cache:    make(map[string][]int),
	}
	seen := make([]bool, len(vocab))
	for tok, id := range vocab {
		if id < 0 || id >= len(vocab) {
			return nil, vocabErrorf("token %s has id %d, want ids 0..%d", quote(tok), id, len(vocab)-1)
		}
		if seen[id] {
			return nil, vocabErrorf("tokens %s and %s share id %d", quote(tok), quote(t.tokens[id]), id)
		}
		seen[id] = true
		t.tokens[id] = tok
		t.vocab[tok] = id
	}
	var ok bool
	if t.startID, ok = t.vocab[StartToken]; !ok {
		return nil, vocabErrorf("start token %s is not in the vocabulary", StartToken)
	}
	if t.endID, ok = t.vocab[EndToken]; !ok {
		return nil, vocabErrorf("end token %s is not in the vocabulary", EndToken)
	}
	if len(merges) > 1<<31-1 {
		return nil, mergesErrorf("too many merges (%d)", len(merges))
	}
	copy(t.merges, merges)
	for rank, m := range merges {
		a, okA := t.vocab[m[0]]
		b, okB := t.vocab[m[1]]
		c, okC := t.vocab[m[0]+m[1]]
		switch {
		case !okA:
			return nil, mergesErrorf("merge %d (%s %s): %s is not in the vocabulary", rank+1, quote(m[0]), quote(m[1]), quote(m[0]))
		case !okB:
			return nil, mergesErrorf("merge %d (%s %s): %s is not in the vocabulary", rank+1, quote(m[0]), quote(m[1]), quote(m[1]))
		case !okC:
			return nil, mergesErrorf("merge %d (%s %s): result %s is not in the vocabulary", rank+1, quote(m[0]), quote(m[1]), quote(m[0]+m[1]))
		}
		t.mergeMap[pairKey(a, b)] = mergeInfo{rank: int32(rank), newID: int32(c)}
	}
	for b := 0; b < 256; b++ {
		t.byteID[b], t.byteEndID[b] = -1, -1
		if id, ok := t.vocab[byteSymbol[b]]; ok {
			t.byteID[b] = id
		}
		if id, ok := t.vocab[byteSymbolEnd[b]]; ok {
			t.byteEndID[b] = id
		}
	}
	return t, nil
}

// Same reports whether t and u tokenize every text alike: the same tokens under the same ids and the same
// merges in the same order. Two models whose token embeddings were trained with different tokenizers of one size
// are not interchangeable, and only this tells them apart.
func (t *Tokenizer) Same(u *Tokenizer) bool {
	if t == nil || u == nil {
		return t == u
	}
	if len(t.tokens) != len(u.tokens) || len(t.merges) != len(u.merges) {
		return false
	}
	for i, tok := range t.tokens {
		if u.tokens[i] != tok {
			return false
		}
	}
	for i, m := range t.merges {
		if u.merges[i] != m {
			return false
		}
	}
	return true
}

// StartID returns the id of StartToken.
func (t *Tokenizer) StartID() int { return t.startID }

// EndID returns the id of EndToken.
func (t *Tokenizer) EndID() int { return t.endID }

// VocabSize returns the number of tokens; every id is below it.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// Encode returns the ids of text, starting with StartID and ending with
// EndID, without padding or truncation.
//
// Exact occurrences of StartToken and EndToken in text become their ids. The
// rest is cleaned (NFC, lower case), split into words (letter runs, single
// digits, punctuation runs, contractions such as 's; whitespace separates
// words and is dropped), and each word's UTF-8 bytes are merged with BPE, the
// last symbol of a word carrying "</w>". Symbols missing from the vocabulary
// become EndID.
func (t *Tokenizer) Encode(text string) []int {
	ids := make([]int, 0, len(text)/3+2)
	ids = append(ids, t.startID)
	ids = t.appendText(ids, text)
	return append(ids, t.endID)
}

// appendText appends the ids of text, without start and end tokens.
func (t *Tokenizer) appendText(ids []int, text string) []int {
	splitSpecial(text, func(piece string, special bool) {
		if special {
			ids = append(ids, t.vocab[piece])
			return
		}
		splitWords(clean(piece), func(word string) {
			ids = append(ids, t.bpeWord(word)...)
		})
	})
	return ids
}

// Decode turns ids back into text, for debugging and tests: StartID and
// EndID are dropped, ids outside 0..VocabSize()-1 are skipped, the bytes of
// the other tokens are joined, "</w>" becomes a space, byte sequences that are
// not valid UTF-8 become U+FFFD, and leading and trailing spaces are trimmed.
// Decode(Encode(s)) is the cleaned (NFC, lower-case) text with its words
// separated by single spaces: "a photo of a cat ." for "A photo of a cat.".
// Padding zeros of a Batch row are a real token ("!"), so cut rows at EndID
// before decoding them.
func (t *Tokenizer) Decode(ids []int) string {
	var buf []byte
	for _, id := range ids {
		if id == t.startID || id == t.endID || id < 0 || id >= len(t.tokens) {
			continue
		}
		tok := t.tokens[id]
		if strings.HasSuffix(tok, endOfWord) {
			buf = decodeSymbols(buf, strings.TrimSuffix(tok, endOfWord))
			buf = append(buf, ' ')
		} else {
			buf = decodeSymbols(buf, tok)
		}
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(buf), "\uFFFD"))
}

// buildError is an error of New; Load adds the name of the file at fault.
type buildError struct {
	inMerges bool // the merges list is at fault, else the vocabulary
	msg      string
}

func (e *buildError) Error() string { return "tokenizer: " + e.msg }

func vocabErrorf(format string, args ...any) error {
	return &buildError{msg: fmt.Sprintf(format, args...)}
}

func mergesErrorf(format string, args ...any) error {
	return &buildError{inMerges: true, msg: fmt.Sprintf(format, args...)}
}
