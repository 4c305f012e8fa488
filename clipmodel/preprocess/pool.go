package preprocess

import "sync"

// The transform's intermediate images (RGB conversions, the horizontal
// pass, the crop) and the bytes of image files live only while one image
// is preprocessed. Taking them from pools instead of allocating them cuts
// what an image allocates by about half (the decoded image and the output
// floats remain), and with it how often the garbage collector runs: with a
// small heap it ran about once per image and its stop-the-world phases,
// which wait for every worker, were what kept two workers from going twice
// as fast as one (see the README's Speed section).

var (
	bytePool  sync.Pool // *[]uint8
	int32Pool sync.Pool // *[]int32
)

// getBytes returns a buffer of length n from the pool, or a new one. Its
// contents are arbitrary.
func getBytes(n int) *[]uint8 {
	if p, ok := bytePool.Get().(*[]uint8); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]uint8, n)
	return &b
}

// putBytes hands a buffer from getBytes back; it must not be used after.
func putBytes(p *[]uint8) {
	if p != nil {
		bytePool.Put(p)
	}
}

// getInt32s is getBytes for int32 buffers.
func getInt32s(n int) []int32 {
	if p, ok := int32Pool.Get().(*[]int32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]int32, n)
}

// putInt32s hands a buffer from getInt32s back.
func putInt32s(b []int32) { int32Pool.Put(&b) }

// newPooledRGB returns a w×h rgbImage whose pixels come from the pool
// (contents arbitrary: every caller writes every byte); release hands them
// back.
func newPooledRGB(w, h int) rgbImage {
	p := getBytes(3 * w * h)
	return rgbImage{pix: *p, w: w, h: h, pooled: p}
}

// release hands a pooled image's pixels back to the pool; for other images
// (views of a caller's image) it does nothing.
func (m *rgbImage) release() {
	if m.pooled != nil {
		putBytes(m.pooled)
		m.pooled, m.pix = nil, nil
	}
}
