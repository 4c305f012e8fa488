package tokenizer

import (
	"errors"
	"fmt"
	"slices"
)

// Train learns a small CLIP-format BPE vocabulary from a caption corpus.
//
// The texts are cleaned and split into words exactly as Encode does (exact
// StartToken/EndToken occurrences are left out). The vocabulary is laid out
// like CLIP's: ids 0..255 are the 256 byte symbols in CLIP's byte-to-unicode
// order, ids 256..511 the same symbols with "</w>", then one id per learned
// merge in the order learned, then StartToken and EndToken as the last two ids
// (EndID is the highest id).
//
// Each step merges the most frequent adjacent pair of symbols, counted over
// all words weighted by how often each word occurs. Ties go to the pair whose
// left token, then right token, is smallest in byte order, so the result
// depends only on the corpus and numMerges. A pair whose concatenation is
// already a token (it can arise from two different splits) is never merged,
// so ids stay one per merge. Training stops early, with fewer than numMerges
// merges, when no pair is left to merge (normally: every word is one token).
func Train(corpus []string, numMerges int) (*Tokenizer, error) {
	if len(corpus) == 0 {
		return nil, errors.New("tokenizer: Train: empty corpus")
	}
	if numMerges < 0 {
		return nil, fmt.Errorf("tokenizer: Train: numMerges %d < 0", numMerges)
	}

	// Word frequencies.
	freq := make(map[string]int)
	for _, text := range corpus {
		splitSpecial(text, func(piece string, special bool) {
			if special {
				return
			}
			splitWords(clean(piece), func(w string) { freq[w]++ })
		})
	}
	uniq := make([]string, 0, len(freq))
	for w := range freq {
		uniq = append(uniq, w)
	}
	slices.Sort(uniq)

	// Base alphabet.
	tokens := make([]string, 512, 512+numMerges+2)
	var byteToID [256]int
	for i, b := range alphabetOrder {
		tokens[i] = byteSymbol[b]
		tokens[256+i] = byteSymbolEnd[b]
		byteToID[b] = i
	}
	exists := make(map[string]bool, cap(tokens))
	for _, tok := range tokens {
		exists[tok] = true
	}
	exists[StartToken] = true
	exists[EndToken] = true

	s := &trainer{
		tokens: tokens,
		counts: make(map[uint64]int),
		where:  make(map[uint64][]int32),
		banned: make(map[uint64]bool),
	}
	s.words = make([][]int, len(uniq))
	s.freq = make([]int, len(uniq))
	for wi, w := range uniq {
		sym := make([]int, len(w))
		for i := 0; i < len(w); i++ {
			sym[i] = byteToID[w[i]]
		}
		sym[len(sym)-1] += 256
		s.words[wi] = sym
		s.freq[wi] = freq[w]
		for i := 0; i+1 < len(sym); i++ {
			k := pairKey(sym[i], sym[i+1])
			s.counts[k] += freq[w]
			s.where[k] = append(s.where[k], int32(wi))
		}
	}
	for k, c := range s.counts {
		s.heap.push(s.entry(k, c))
	}

	var merges [][2]string
	for len(merges) < numMerges {
		best, ok := s.next()
		if !ok {
			break
		}
		a, b := int(best.a), int(best.b)
		tok := s.tokens[a] + s.tokens[b]
		if exists[tok] {
			s.banned[pairKey(a, b)] = true
			continue
		}
		exists[tok] = true
		merges = append(merges, [2]string{s.tokens[a], s.tokens[b]})
		s.tokens = append(s.tokens, tok)
		s.apply(a, b, len(s.tokens)-1)
	}

	vocab := make(map[string]int, len(s.tokens)+2)
	for id, tok := range s.tokens {
		vocab[tok] = id
	}
	vocab[StartToken] = len(s.tokens)
	vocab[EndToken] = len(s.tokens) + 1
	return New(vocab, merges)
}

// trainer holds the state of BPE training over the unique words.
type trainer struct {
	tokens []string
	words  [][]int // symbol ids of each unique word
	freq   []int   // occurrences of each unique word
	counts map[uint64]int
	where  map[uint64][]int32 // words that contain (or once contained) a pair
	banned map[uint64]bool
	heap   minHeap[pairEntry]
}

// pairEntry is a pair with its count when queued; entries whose count no
// longer matches are stale and skipped.
type pairEntry struct {
	count       int
	a, b        int32
	left, right string
}

func (s *trainer) entry(k uint64, count int) pairEntry {
	a, b := int32(k>>32), int32(uint32(k))
	return pairEntry{count: count, a: a, b: b, left: s.tokens[a], right: s.tokens[b]}
}

// next pops the best pair that is still current and not banned.
func (s *trainer) next() (pairEntry, bool) {
	for len(s.heap) > 0 {
		e := s.heap.pop()
		k := pairKey(int(e.a), int(e.b))
		if s.counts[k] != e.count || s.banned[k] {
			continue
		}
		return e, true
	}
	return pairEntry{}, false
}

// apply replaces every occurrence of (a, b), left to right, by id in all
// words, updating the pair counts and queueing the pairs whose count changed.
func (s *trainer) apply(a, b, id int) {
	key := pairKey(a, b)
	delta := make(map[uint64]int)
	seen := make(map[int32]bool)
	for _, wi := range s.where[key] {
		if seen[wi] {
			continue
		}
		seen[wi] = true
		w := s.words[wi]
		f := s.freq[wi]
		var merged []int
		for i := 0; i < len(w); i++ {
			if i+1 < len(w) && w[i] == a && w[i+1] == b {
				merged = append(merged, id)
				i++
			} else {
				merged = append(merged, w[i])
			}
		}
		if len(merged) == len(w) {
			continue // no longer contains the pair
		}
		for i := 0; i+1 < len(w); i++ {
			delta[pairKey(w[i], w[i+1])] -= f
		}
		for i := 0; i+1 < len(merged); i++ {
			k := pairKey(merged[i], merged[i+1])
			delta[k] += f
			if merged[i] == id || merged[i+1] == id {
				s.where[k] = append(s.where[k], wi)
			}
		}
		s.words[wi] = merged
	}
	delete(s.where, key)
	for k, d := range delta {
		if d == 0 {
			continue
		}
		c := s.counts[k] + d
		if c <= 0 {
			delete(s.counts, k)
			continue
		}
		s.counts[k] = c
		s.heap.push(s.entry(k, c))
	}
}

// before puts the best pair first in the heap: highest count, then smallest left token, then smallest right
// token.
func (e pairEntry) before(f pairEntry) bool {
	if e.count != f.count {
		return e.count > f.count
	}
	if e.left != f.left {
		return e.left < f.left
	}
	return e.right < f.right
}
