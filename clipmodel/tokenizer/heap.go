package tokenizer

// ordered is an element of a minHeap: before reports whether it comes out of the heap ahead of another.
type ordered[T any] interface {
	before(T) bool
}

// minHeap is a binary heap whose pop returns the element that comes before all others. Encoding uses it for the
// merge candidates of a word (lowest rank first), training for the pair counts (highest count first).
type minHeap[T ordered[T]] []T

func (h *minHeap[T]) push(x T) {
	q := append(*h, x)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q[i].before(q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
	*h = q
}

func (h *minHeap[T]) pop() T {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q) && q[l].before(q[m]) {
			m = l
		}
		if r < len(q) && q[r].before(q[m]) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}
