package pipeline

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
)

var tf = preprocess.New(16)

// collect reads every batch of a new loader.
func collect(t *testing.T, ds datasets.Dataset, cfg Config) ([]Batch, *Loader) {
	t.Helper()
	l, err := New(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	var out []Batch
	for b := range l.All() {
		out = append(out, b)
	}
	return out, l
}

// flat concatenates the indices of the batches.
func flat(bs []Batch) []int {
	var out []int
	for _, b := range bs {
		out = append(out, b.Indices...)
	}
	return out
}

func TestEvalIsSequentialAndExact(t *testing.T) {
	ds := &fakeSet{n: 11}
	bs, l := collect(t, ds, Config{BatchSize: 4, Transform: tf, Workers: 3})
	if len(bs) != 3 || bs[2].N != 3 || l.NumBatches() != 3 || l.Len() != 11 {
		t.Fatalf("%d batches, last N %d", len(bs), bs[len(bs)-1].N)
	}
	want := make([]int, 11)
	for i := range want {
		want[i] = i
	}
	if got := flat(bs); !slices.Equal(got, want) {
		t.Fatalf("order %v", got)
	}
	for k, b := range bs {
		if b.Number != k || len(b.Pixels) != b.N*tf.Len() || len(b.Labels) != b.N {
			t.Fatalf("batch %d: number %d, %d floats, %d labels", k, b.Number, len(b.Pixels), len(b.Labels))
		}
		for j, idx := range b.Indices {
			img, label, _ := ds.Example(idx)
			if b.Labels[j] != label || !slices.Equal(b.Pixels[j*tf.Len():(j+1)*tf.Len()], tf.Eval(img)) {
				t.Fatalf("example %d differs from Transform.Eval", idx)
			}
		}
	}
	if l.Skipped() != 0 || !strings.Contains(l.Summary(), "11 of 11 examples delivered, 0 skipped") {
		t.Errorf("summary %q", l.Summary())
	}
}

func TestTrainIsDeterministicAcrossWorkers(t *testing.T) {
	ds := &fakeSet{n: 23}
	cfg := Config{BatchSize: 5, Transform: tf, Train: true, Seed: 7, Epoch: 2}
	var ref []Batch
	for _, workers := range []int{1, 3, 8} {
		cfg.Workers = workers
		bs, _ := collect(t, ds, cfg)
		if ref == nil {
			ref = bs
			continue
		}
		for k := range bs {
			if !slices.Equal(bs[k].Indices, ref[k].Indices) || !slices.Equal(bs[k].Pixels, ref[k].Pixels) {
				t.Fatalf("%d workers: batch %d differs from 1 worker's", workers, k)
			}
		}
	}
	order := flat(ref)
	if !slices.Equal(order, Order(23, nil, true, 7, 2)) || slices.IsSorted(order) {
		t.Errorf("training order %v is not the seeded permutation", order)
	}
	// Pixels are Transform.Train with the example's own generator.
	idx := ref[1].Indices[2]
	img, _, _ := ds.Example(idx)
	if want := tf.Train(img, ExampleRNG(7, 2, idx)); !slices.Equal(ref[1].Pixels[2*tf.Len():3*tf.Len()], want) {
		t.Error("training pixels differ from Transform.Train with ExampleRNG(seed, epoch, index)")
	}
	cfg.Epoch = 3
	if next, _ := collect(t, ds, cfg); slices.Equal(flat(next), order) {
		t.Error("epochs 2 and 3 have the same order")
	}
}

func TestOrderIsStable(t *testing.T) {
	// Frozen: the permutation depends only on the PCG sequence, so a Go upgrade must not change it.
	if got := Order(8, nil, true, 1, 0); !slices.Equal(got, []int{7, 1, 3, 6, 2, 5, 0, 4}) {
		t.Errorf("Order(8, seed 1, epoch 0) = %v", got)
	}
	if got := Order(0, []int{9, 4, 6}, false, 1, 0); !slices.Equal(got, []int{9, 4, 6}) {
		t.Errorf("evaluation order over indices = %v", got)
	}
}

func TestSkipsCorruptExamples(t *testing.T) {
	ds := &fakeSet{n: 20, corrupt: map[int]bool{2: true, 5: true}, panics: map[int]bool{7: true},
		badLabel: map[int]bool{9: true}}
	bs, l := collect(t, ds, Config{BatchSize: 4, Transform: tf, Workers: 4})
	got := flat(bs)
	if len(got) != 16 || slices.ContainsFunc(got, func(i int) bool { return i == 2 || i == 5 || i == 7 || i == 9 }) {
		t.Fatalf("delivered %v", got)
	}
	for k, b := range bs {
		if b.N != 4 {
			t.Errorf("batch %d has %d examples; skipped examples must be replaced", k, b.N)
		}
	}
	var skipped []int
	for _, s := range l.Skips() {
		skipped = append(skipped, s.Index)
	}
	if l.Skipped() != 4 || !slices.Equal(skipped, []int{2, 5, 7, 9}) {
		t.Errorf("Skipped %d, skips %v", l.Skipped(), skipped)
	}
	if s := l.Summary(); !strings.Contains(s, "16 of 20 examples delivered, 4 skipped") || !strings.Contains(s, "corrupt file") {
		t.Errorf("summary %q", s)
	}
	if !strings.Contains(l.Skips()[2].Err.Error(), "panic") || !strings.Contains(l.Skips()[3].Err.Error(), "label 3") {
		t.Errorf("skip errors %v", l.Skips())
	}
}

func TestPrefetchBound(t *testing.T) {
	const batch, prefetch = 4, 2
	ds := &fakeSet{n: 200}
	l, err := New(ds, Config{BatchSize: batch, Transform: tf, Workers: 4, Prefetch: prefetch})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for consumed := 1; consumed <= 3; consumed++ {
		if _, ok := l.Next(); !ok {
			t.Fatal("no batch")
		}
		limit := int64(consumed*batch + prefetch*batch)
		// The loader works ahead up to the bound (wait for it), and no further.
		for deadline := time.Now().Add(5 * time.Second); ds.calls.Load() < limit && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if settled := waitSettled(&ds.calls); settled != limit {
			t.Fatalf("after %d batches: %d Example calls, want the bound %d", consumed, settled, limit)
		}
	}
}

// waitSettled waits until the counter stops changing and returns it.
func waitSettled(c interface{ Load() int64 }) int64 {
	last := c.Load()
	for stable := 0; stable < 5; {
		time.Sleep(10 * time.Millisecond)
		if v := c.Load(); v == last {
			stable++
		} else {
			last, stable = v, 0
		}
	}
	return last
}

func TestDropLastIndicesAndRecycle(t *testing.T) {
	ds := &fakeSet{n: 30}
	bs, l := collect(t, ds, Config{BatchSize: 4, Transform: tf, DropLast: true, Indices: []int{3, 1, 4, 1, 5, 9, 2, 6, 5, 3}})
	if got := flat(bs); !slices.Equal(got, []int{3, 1, 4, 1, 5, 9, 2, 6}) || l.NumBatches() != 2 {
		t.Errorf("drop-last order %v", got)
	}
	l2, _ := New(ds, Config{BatchSize: 4, Transform: tf})
	defer l2.Close()
	b, _ := l2.Next()
	l2.Recycle(b)
	if b2, ok := l2.Next(); !ok || b2.Indices[0] != 4 {
		t.Errorf("after Recycle: %v", b2.Indices)
	}
}

func TestCloseEarlyStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 5 {
		l, err := New(&fakeSet{n: 1000}, Config{BatchSize: 8, Transform: tf, Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		l.Next()
		l.Close()
		l.Close()
		if _, ok := l.Next(); ok {
			t.Fatal("Next after Close returned a batch")
		}
	}
	time.Sleep(20 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines: %d before, %d after closing", before, after)
	}
}

func TestConfigErrors(t *testing.T) {
	ds := &fakeSet{n: 3}
	for name, cfg := range map[string]Config{
		"batch":     {BatchSize: 0, Transform: tf},
		"transform": {BatchSize: 2},
		"workers":   {BatchSize: 2, Transform: tf, Workers: -1},
		"index":     {BatchSize: 2, Transform: tf, Indices: []int{3}},
	} {
		if _, err := New(ds, cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := New(nil, Config{BatchSize: 1, Transform: tf}); err == nil {
		t.Error("nil dataset accepted")
	}
	bs, _ := collect(t, &fakeSet{}, Config{BatchSize: 2, Transform: tf})
	if len(bs) != 0 {
		t.Error("batches from an empty dataset")
	}
}

func TestRealFolderWithCorruptFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	writeJPEGs(t, dir, []string{"cat", "dog"}, 3, 40, 30)
	writeFileT(t, filepath.Join(dir, "dog", "1.jpg"), []byte("not a jpeg"))
	ds := openClassFolder(t, dir)
	bs, l := collect(t, ds, Config{BatchSize: 2, Transform: preprocess.New(24), Workers: 2})
	if n := len(flat(bs)); n != 5 || l.Skipped() != 1 || !strings.Contains(l.Summary(), "1.jpg") {
		t.Errorf("%d delivered, %d skipped: %s", n, l.Skipped(), l.Summary())
	}
}
