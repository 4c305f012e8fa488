package clipmodel

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

// TextBucket rounds a length up to the next of 8, 12, 16, 24, 32, 48, 64, 96, ... (powers of two and one and a
// half times them), capped at contextLength: beyond 8 tokens at most a third of the positions are padding, and a
// 77-token context has 8 lengths.
func TextBucket(n, contextLength int) int {
	for p := 8; ; p *= 2 {
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
