package tokenizer

import (
	"errors"
	"fmt"
)

// Batch encodes texts into a row-major [len(texts), contextLength] array, the
// layout of OpenAI's clip.tokenize: each row holds StartID, the text's ids and
// EndID, then zeros up to contextLength.
//
// A text with more than contextLength ids is cut when truncate is true: the
// row keeps its first contextLength-1 ids and ends with EndID (the end token
// is always kept). When truncate is false such a text is an error that names
// its index, its start and how many ids it is over. An empty texts slice and a
// contextLength below 2 are errors too.
func (t *Tokenizer) Batch(texts []string, contextLength int, truncate bool) ([]int64, error) {
	if len(texts) == 0 {
		return nil, errors.New("tokenizer: Batch: no texts")
	}
	if contextLength < 2 {
		return nil, fmt.Errorf("tokenizer: Batch: context length %d, want at least 2 (start and end tokens)", contextLength)
	}
	out := make([]int64, len(texts)*contextLength)
	for i, text := range texts {
		ids := t.Encode(text)
		if len(ids) > contextLength {
			if !truncate {
				return nil, fmt.Errorf("tokenizer: Batch: text %d (%q) is too long: %d tokens with start and end, %d over the context length %d",
					i, prefix(text, 40), len(ids), len(ids)-contextLength, contextLength)
			}
			ids = ids[:contextLength]
			ids[contextLength-1] = t.endID
		}
		row := out[i*contextLength : (i+1)*contextLength]
		for j, id := range ids {
			row[j] = int64(id)
		}
	}
	return out, nil
}

// prefix returns the first n runes of s, with "…" when s is longer.
func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
