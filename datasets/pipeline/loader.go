package pipeline

import (
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/gowiseft/wiseft/datasets"
)

// Batch is a batch of preprocessed examples.
type Batch struct {
	// Pixels holds N images of 3×Size×Size floats each, NCHW, ready to be the model's pixel values.
	Pixels []float32
	// Labels are the examples' labels.
	Labels []int
	// Indices are the examples' dataset indices.
	Indices []int
	// N is the number of examples in the batch: BatchSize, except perhaps for the last batch.
	N int
	// Number counts the batches of the loader from 0.
	Number int
}

// Skip records an example left out, and why.
type Skip struct {
	// Index is the dataset index of the example.
	Index int
	// Err is the error of its Example call, or of its label.
	Err error
}

// maxSkipsKept bounds the Skip records a loader keeps; Skipped still counts them all.
const maxSkipsKept = 1000

// Loader iterates a dataset in batches; see the package documentation. Next is safe for concurrent use; each
// batch is returned once.
type Loader struct {
	ds    datasets.Dataset
	cfg   Config
	order []int

	tokens   chan struct{} // one per example decoded ahead of the consumer; capacity Prefetch*BatchSize
	inflight chan *result  // the dispatched examples, in order, for the assembler
	tasks    chan *result  // the same examples, for the workers
	out      chan Batch    // assembled batches
	free     chan []float32
	done     chan struct{}
	stop     sync.Once
	wg       sync.WaitGroup

	mu       sync.Mutex // guards skips and next
	skips    []Skip
	next     int
	skipped  atomic.Int64
	returned atomic.Int64
}

// result is one dispatched example: filled by a worker, consumed by the assembler.
type result struct {
	index  int
	pixels []float32
	label  int
	err    error
	ready  chan struct{}
}

// New starts a loader over ds (see Config). Call Close when done, or read every batch.
func New(ds datasets.Dataset, cfg Config) (*Loader, error) {
	if ds == nil {
		return nil, fmt.Errorf("pipeline: no dataset")
	}
	cfg, err := cfg.withDefaults(ds.Len())
	if err != nil {
		return nil, err
	}
	window := cfg.Prefetch * cfg.BatchSize
	l := &Loader{
		ds:       ds,
		cfg:      cfg,
		order:    Order(ds.Len(), cfg.Indices, cfg.Train, cfg.Seed, cfg.Epoch),
		tokens:   make(chan struct{}, window),
		inflight: make(chan *result, window),
		tasks:    make(chan *result, window),
		out:      make(chan Batch, cfg.Prefetch),
		free:     make(chan []float32, cfg.Prefetch+1),
		done:     make(chan struct{}),
	}
	l.wg.Add(2 + cfg.Workers)
	go l.dispatch()
	for range cfg.Workers {
		go l.work()
	}
	go l.assemble()
	return l, nil
}

// Len is the number of examples the loader visits, skipped ones included.
func (l *Loader) Len() int { return len(l.order) }

// NumBatches is the number of batches when no example is skipped.
func (l *Loader) NumBatches() int {
	n, b := len(l.order), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// dispatch hands out the examples in order, each once a token is free.
func (l *Loader) dispatch() {
	defer l.wg.Done()
	defer close(l.tasks)
	defer close(l.inflight)
	for _, idx := range l.order {
		select {
		case l.tokens <- struct{}{}:
		case <-l.done:
			return
		}
		r := &result{index: idx, ready: make(chan struct{})}
		l.inflight <- r // never blocks: at most cap(tokens) results are in flight
		l.tasks <- r
	}
}

// work decodes and transforms examples until the tasks run out or the loader closes.
func (l *Loader) work() {
	defer l.wg.Done()
	nClasses := len(l.ds.ClassNames())
	for {
		select {
		case r, ok := <-l.tasks:
			if !ok {
				return
			}
			l.process(r, nClasses)
			close(r.ready)
		case <-l.done:
			return
		}
	}
}

// process fills r; a panic of the dataset or the transform becomes r.err.
func (l *Loader) process(r *result, nClasses int) {
	defer func() {
		if p := recover(); p != nil {
			r.pixels, r.err = nil, fmt.Errorf("pipeline: %s: example %d: panic: %v", l.ds.Name(), r.index, p)
		}
	}()
	img, label, err := l.ds.Example(r.index)
	if err != nil {
		r.err = err
		return
	}
	if label < 0 || label >= nClasses {
		r.err = fmt.Errorf("pipeline: %s: example %d has label %d outside [0, %d)", l.ds.Name(), r.index, label, nClasses)
		return
	}
	r.label = label
	if l.cfg.Train {
		r.pixels = l.cfg.Transform.Train(img, ExampleRNG(l.cfg.Seed, l.cfg.Epoch, r.index))
	} else {
		r.pixels = l.cfg.Transform.Eval(img)
	}
}

// assemble collects the results in order into batches, skipping failed examples.
func (l *Loader) assemble() {
	defer l.wg.Done()
	defer close(l.out)
	size, per := l.cfg.BatchSize, l.cfg.Transform.Len()
	var b Batch
	for r := range l.inflight {
		select {
		case <-r.ready:
		case <-l.done:
			return
		}
		if r.err != nil {
			l.skip(Skip{Index: r.index, Err: r.err})
			<-l.tokens
			continue
		}
		if b.Pixels == nil {
			b = l.newBatch(size, per)
		}
		copy(b.Pixels[b.N*per:(b.N+1)*per], r.pixels)
		b.Labels = append(b.Labels, r.label)
		b.Indices = append(b.Indices, r.index)
		b.N++
		if b.N == size {
			if !l.send(b) {
				return
			}
			b = Batch{}
		}
	}
	if b.N > 0 {
		if l.cfg.DropLast {
			for range b.N {
				<-l.tokens
			}
			return
		}
		b.Pixels = b.Pixels[:b.N*per]
		l.send(b)
	}
}

// newBatch returns an empty batch with room for size examples, reusing a recycled buffer when there is one.
func (l *Loader) newBatch(size, per int) Batch {
	var pix []float32
	select {
	case pix = <-l.free:
	default:
	}
	if cap(pix) < size*per {
		pix = make([]float32, size*per)
	}
	return Batch{Pixels: pix[:size*per], Labels: make([]int, 0, size), Indices: make([]int, 0, size)}
}

// send numbers b and queues it for Next; false when the loader closed.
func (l *Loader) send(b Batch) bool {
	l.mu.Lock()
	b.Number = l.next
	l.next++
	l.mu.Unlock()
	select {
	case l.out <- b:
		return true
	case <-l.done:
		return false
	}
}

// skip records a skipped example.
func (l *Loader) skip(s Skip) {
	l.skipped.Add(1)
	l.mu.Lock()
	if len(l.skips) < maxSkipsKept {
		l.skips = append(l.skips, s)
	}
	l.mu.Unlock()
}

// Next returns the next batch, or false when there is none left or the loader is closed.
func (l *Loader) Next() (Batch, bool) {
	select {
	case <-l.done:
		return Batch{}, false
	default:
	}
	select {
	case b, ok := <-l.out:
		if !ok {
			return Batch{}, false
		}
		for range b.N {
			<-l.tokens
		}
		l.returned.Add(int64(b.N))
		return b, true
	case <-l.done:
		return Batch{}, false
	}
}

// All iterates the remaining batches (for b := range l.All()).
func (l *Loader) All() iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		for {
			b, ok := l.Next()
			if !ok || !yield(b) {
				return
			}
		}
	}
}

// Recycle gives a batch's pixel buffer back for reuse by a later batch; b must not be used afterwards.
func (l *Loader) Recycle(b Batch) {
	select {
	case l.free <- b.Pixels[:cap(b.Pixels)]:
	default:
	}
}

// Returned is the number of examples in the batches Next has returned so far.
func (l *Loader) Returned() int { return int(l.returned.Load()) }

// Skipped is the number of examples skipped so far (all of them once the last batch is read).
func (l *Loader) Skipped() int { return int(l.skipped.Load()) }

// Skips lists the skipped examples in order (the first 1000), with their errors.
func (l *Loader) Skips() []Skip {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Skip(nil), l.skips...)
}

// Summary reports the examples delivered and skipped, with the first skip's error.
func (l *Loader) Summary() string {
	s := fmt.Sprintf("pipeline: %s: %d of %d examples delivered, %d skipped", l.ds.Name(), l.returned.Load(),
		len(l.order), l.Skipped())
	if skips := l.Skips(); len(skips) > 0 {
		s += fmt.Sprintf(" (first: example %d: %v)", skips[0].Index, skips[0].Err)
	}
	return s
}

// Close stops the workers and waits for them; Next then returns false. It is safe to call more than once.
func (l *Loader) Close() {
	l.stop.Do(func() { close(l.done) })
	l.wg.Wait()
}
