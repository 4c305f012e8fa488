package tokenizer

// Byte-pair merging of one word. Symbols are vocabulary ids; a merge table maps
// a pair of ids to its rank and the id of the merged symbol. Merges apply in
// rank order, the leftmost occurrence first, exactly as the Hugging Face
// tokenizers library does (for a merges list learned by BPE training this is
// the same as the original CLIP code, which merges every occurrence of the best
// pair per pass).

// mergeInfo is the rank of a merge and the id of the symbol it produces.
type mergeInfo struct {
	rank  int32
	newID int32
}

func pairKey(a, b int) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// wordSymbol is one symbol of a word being merged, in a doubly linked list
// over the initial positions.
type wordSymbol struct {
	id         int
	prev, next int // -1 at the ends
	dead       bool
}

// candidate is a pair waiting in the merge queue: the pair starting at pos.
type candidate struct {
	rank, pos, newID int32
}

func (c candidate) before(d candidate) bool {
	if c.rank != d.rank {
		return c.rank < d.rank
	}
	return c.pos < d.pos
}

// bpeWord returns the ids of word (a cleaned word, as raw UTF-8). The result
// is shared with the cache and must not be modified.
func (t *Tokenizer) bpeWord(word string) []int {
	t.mu.RLock()
	ids, ok := t.cache[word]
	t.mu.RUnlock()
	if ok {
		return ids
	}
	ids = t.merge(word)
	t.mu.Lock()
	if len(t.cache) < cacheLimit {
		t.cache[word] = ids
	}
	t.mu.Unlock()
	return ids
}

// cacheLimit bounds the per-word cache; words past it are merged each time.
const cacheLimit = 1 << 17

// merge runs BPE on word without the cache.
func (t *Tokenizer) merge(word string) []int {
	if word == "" {
		return nil
	}
	syms := make([]wordSymbol, len(word))
	for i := 0; i < len(word); i++ {
		id := t.byteID[word[i]]
		if i == len(word)-1 {
			id = t.byteEndID[word[i]]
		}
		if id < 0 {
			id = t.endID // unknown symbol
		}
		syms[i] = wordSymbol{id: id, prev: i - 1, next: i + 1}
	}
	syms[len(syms)-1].next = -1

	var q minHeap[candidate]
	for i := 0; i+1 < len(syms); i++ {
		if m, ok := t.mergeMap[pairKey(syms[i].id, syms[i+1].id)]; ok {
			q.push(candidate{rank: m.rank, pos: int32(i), newID: m.newID})
		}
	}
	for len(q) > 0 {
		c := q.pop()
		pos := int(c.pos)
		cur := &syms[pos]
		if cur.dead || cur.next < 0 {
			continue
		}
		right := syms[cur.next]
		if m, ok := t.mergeMap[pairKey(cur.id, right.id)]; !ok || m.newID != c.newID {
			continue // stale entry: the pair has changed since it was queued
		}
		cur.id = int(c.newID)
		syms[cur.next].dead = true
		cur.next = right.next
		if right.next >= 0 {
			syms[right.next].prev = pos
		}
		if cur.prev >= 0 {
			if m, ok := t.mergeMap[pairKey(syms[cur.prev].id, cur.id)]; ok {
				q.push(candidate{rank: m.rank, pos: int32(cur.prev), newID: m.newID})
			}
		}
		if cur.next >= 0 {
			if m, ok := t.mergeMap[pairKey(cur.id, syms[cur.next].id)]; ok {
				q.push(candidate{rank: m.rank, pos: int32(pos), newID: m.newID})
			}
		}
	}
	out := make([]int, 0, len(syms))
	for i := range syms {
		if !syms[i].dead {
			out = append(out, syms[i].id)
		}
	}
	return out
}
