package clipmodel

import (
	"math/bits"
	"slices"
)

// The text tower pools the hidden state at each row's first arg-max id (the end-of-text token), and its causal
// mask keeps every position from seeing later ones, so a batch of prompts can run at its longest prompt instead
// of ContextLength: CLIP's prompts are 6 to 22 tokens of 77, and the tower's cost is nearly proportional to the
// length. The lengths are rounded up to a few fixed ones so that a backend compiles at most a handful of programs
// (XLA compiles one per input shape).

// TextLength returns the number of positions the text tower needs for one row of token ids: one past its first
// arg-max, the position it pools (the end-of-text token with CLIP's vocabularies, whose id is the largest).
// Positions after it do not change the pooled output. An empty row gives 1.
func TextLength(row []int64) int {
	best := 0
	for i, id := range row {
		if id > row[best] {
			best = i
		}
	}
	return best + 1
}

// TextBucket rounds a length up to the next of 8, 16, 24, 32, 48, 64, 96, 128, 192, ... (multiples of 8: powers
// of two and one and a half times them from 16 on), capped at contextLength: beyond 8 tokens at most a third of
// the positions are padding, and a 77-token context has 7 lengths. Multiples of 8 because SimpleGo sums its dot
// products 8 terms at a time: a length that is one sums the attention's positions in the same groups as the full
// context does (the positions past it adding exact zeros), which keeps the embeddings bit for bit equal where the
// matrix products keep their algorithm (see TextTower).
func TextBucket(n, contextLength int) int {
	if n <= 8 {
		return min(8, contextLength)
	}
	for p := 16; ; p *= 2 {
		switch {
		case n <= p:
			return min(p, contextLength)
		case n <= p+p/2:
			return min(p+p/2, contextLength)
		case p >= contextLength:
			return contextLength
		}
	}
}

// TextBatch is one run of the text program by EncodeTexts: the rows it embeds (indices into the call's rows) at
// Length positions, in a batch of Batch rows, those past len(Rows) being padding.
type TextBatch struct {
	Rows          []int
	Batch, Length int
}

// TextBatches is how EncodeTexts runs texts of the given lengths (TextLength of each row) with batchSize rows per
// run: the rows in order of length (stably), cut into batches, each at its longest row rounded up with TextBucket,
// or at contextLength for all when full is set. A call with fewer rows than batchSize runs at the next power of
// two rows, so that, with at most 7 lengths, the programs stay few (see textExecCache).
func TextBatches(lengths []int, batchSize, contextLength int, full bool) []TextBatch {
	n := len(lengths)
	if n == 0 {
		return nil
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !full {
		slices.SortStableFunc(order, func(a, b int) int { return lengths[a] - lengths[b] })
	}
	batch := batchSize
	if batch <= 0 || n < batch {
		batch = min(1<<bits.Len(uint(n-1)), max(batchSize, n))
	}
	var out []TextBatch
	for lo := 0; lo < n; lo += batch {
		rows := order[lo:min(lo+batch, n)]
		length := contextLength
		if !full {
			length = TextBucket(lengths[rows[len(rows)-1]], contextLength) // the longest: rows are sorted
		}
		out = append(out, TextBatch{Rows: rows, Batch: batch, Length: length})
	}
	return out
}
