package widgets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/wiseft"
)

// evalCall is one evaluation the scheduler asked for; the test answers it (or sees it cancelled).
type evalCall struct {
	alpha    float64
	estimate bool
	ctx      context.Context
	reply    chan []wiseft.Metrics
}

// schedHarness runs a liveScheduler over positions 0, 0.1, ..., 1 with hand-driven evaluations and records
// what it showed, said and asked for.
type schedHarness struct {
	t      *testing.T
	s      *liveScheduler
	calls  chan evalCall
	moves  chan int
	cancel context.CancelFunc
	ended  chan struct{}

	// stubborn evaluations ignore cancellation and return only when answered.
	stubborn bool

	mu       sync.Mutex
	target   int      // the latest move the test sent
	shows    []string // "i:final" or "i:estimate"
	statuses []liveStatus
	records  []float64
	errs     []string
}

func tenths() []float64 {
	var ps []float64
	for k := 0; k <= 10; k++ {
		ps = append(ps, float64(k)/10)
	}
	return ps
}

// metricsFor marks an answer with its α and kind, so that a shown answer can be told apart.
func metricsFor(alpha float64, estimate bool) []wiseft.Metrics {
	n := 1000
	if estimate {
		n = 32
	}
	return []wiseft.Metrics{{Dataset: fmtAlpha(alpha), Top1: alpha, N: n}}
}

func newHarness(t *testing.T, known []int, estimates bool, start int) *schedHarness {
	return newHarnessWith(t, known, estimates, start, false)
}

func newHarnessWith(t *testing.T, known []int, estimates bool, start int, stubborn bool) *schedHarness {
	h := &schedHarness{t: t, calls: make(chan evalCall), moves: make(chan int), ended: make(chan struct{}), target: start,
		stubborn: stubborn}
	ps := tenths()
	eval := func(estimate bool) func(ctx context.Context, a float64) ([]wiseft.Metrics, error) {
		return func(ctx context.Context, a float64) ([]wiseft.Metrics, error) {
			c := evalCall{alpha: a, estimate: estimate, ctx: ctx, reply: make(chan []wiseft.Metrics, 1)}
			select {
			case h.calls <- c:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			h.mu.Lock()
			stubborn := h.stubborn
			h.mu.Unlock()
			if stubborn {
				return <-c.reply, nil
			}
			select {
			case ms := <-c.reply:
				return ms, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	h.s = &liveScheduler{
		Positions: ps,
		Known: func(a float64) ([]wiseft.Metrics, bool) {
			for _, k := range known {
				if ps[k] == a {
					return metricsFor(a, false), true
				}
			}
			return nil, false
		},
		Final:  eval(false),
		Record: func(a float64, _ []wiseft.Metrics) { h.mu.Lock(); h.records = append(h.records, a); h.mu.Unlock() },
		Show: func(a liveAnswer) {
			h.mu.Lock()
			defer h.mu.Unlock()
			kind := "final"
			if a.Estimate {
				kind = "estimate"
			}
			if a.Index != h.target {
				h.errs = append(h.errs, fmt.Sprintf("showed position %d while the slider was at %d", a.Index, h.target))
			}
			if len(a.Metrics) != 1 || a.Metrics[0].Dataset != fmtAlpha(ps[a.Index]) || (a.Metrics[0].N == 32) != a.Estimate {
				h.errs = append(h.errs, fmt.Sprintf("position %d shown with the answer %+v", a.Index, a.Metrics))
			}
			h.shows = append(h.shows, fmt.Sprintf("%d:%s", a.Index, kind))
		},
		Status: func(st liveStatus) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if st.Index != h.target {
				h.errs = append(h.errs, fmt.Sprintf("status of position %d while the slider was at %d", st.Index, h.target))
			}
			if st.Text != "" && !strings.HasPrefix(st.Text, "α = "+fmtAlpha(ps[h.target])) {
				h.errs = append(h.errs, fmt.Sprintf("status %q with the slider at α = %s", st.Text, fmtAlpha(ps[h.target])))
			}
			h.statuses = append(h.statuses, st)
		},
	}
	if estimates {
		h.s.Estimate = eval(true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		defer close(h.ended)
		h.s.run(ctx, start, h.moves)
	}()
	return h
}

// move sends the slider to position i and waits until the scheduler has said so in its status line.
func (h *schedHarness) move(i int) {
	h.t.Helper()
	h.mu.Lock()
	h.target = i
	n := len(h.statuses)
	h.mu.Unlock()
	select {
	case h.moves <- i:
	case <-time.After(5 * time.Second):
		h.t.Fatalf("the scheduler did not take the move to %d", i)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		ok := slices.ContainsFunc(h.statuses[n:], func(st liveStatus) bool { return st.Index == i })
		h.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no status for position %d after the move", i)
		}
		time.Sleep(time.Millisecond)
	}
}

// next returns the next evaluation asked for, which must be of position i and the given kind.
func (h *schedHarness) next(i int, estimate bool) evalCall {
	h.t.Helper()
	select {
	case c := <-h.calls:
		if want := tenths()[i]; c.alpha != want || c.estimate != estimate {
			h.t.Fatalf("evaluation of α = %v (estimate %v), want α = %v (estimate %v)", c.alpha, c.estimate, want, estimate)
		}
		return c
	case <-time.After(5 * time.Second):
		h.t.Fatalf("no evaluation of position %d (estimate %v) was asked for", i, estimate)
	}
	return evalCall{}
}

func (c evalCall) answer() { c.reply <- metricsFor(c.alpha, c.estimate) }

// cancelled waits until the evaluation's context is cancelled.
func (h *schedHarness) cancelled(c evalCall) {
	h.t.Helper()
	select {
	case <-c.ctx.Done():
	case <-time.After(5 * time.Second):
		h.t.Fatalf("the evaluation of α = %v was not cancelled", c.alpha)
	}
}

// waitShows waits until n answers have been shown.
func (h *schedHarness) waitShows(n int) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		got := len(h.shows)
		h.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d answers shown, want %d: %v", got, n, h.shows)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitRecords waits until n final answers have been recorded.
func (h *schedHarness) waitRecords(n int) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		got := len(h.records)
		h.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d answers recorded, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// stop ends the scheduler and checks that it never showed or said anything of a position the slider had left.
func (h *schedHarness) stop() {
	h.t.Helper()
	h.cancel()
	select {
	case <-h.ended:
	case <-time.After(5 * time.Second):
		h.t.Fatal("the scheduler did not stop")
	}
	for _, e := range h.errs {
		h.t.Error(e)
	}
}

// A drag over positions the sweep lacks: each evaluation for a position left behind is cancelled, nothing of it
// is shown, and the final position gets its estimate, then its final answer.
func TestLiveSchedulerLatestWins(t *testing.T) {
	h := newHarness(t, []int{0, 5, 10}, true, 5)
	h.waitShows(1) // α = 0.5 from the sweep, at once
	bg := h.next(4, false)
	h.move(2) // needs work: the background fill of 0.4 gives way
	h.cancelled(bg)
	e2 := h.next(2, true)
	h.move(1)
	h.cancelled(e2)
	e1 := h.next(1, true)
	h.move(8)
	h.cancelled(e1)
	e8 := h.next(8, true)
	e8.answer()
	f8 := h.next(8, false)
	f8.answer()
	h.waitShows(3)
	h.next(7, false) // then the background fill, nearest to the thumb first
	h.stop()
	if want := []string{"5:final", "8:estimate", "8:final"}; !slices.Equal(h.shows, want) {
		t.Errorf("shown %v, want %v", h.shows, want)
	}
	if !slices.Equal(h.records, []float64{0.8}) {
		t.Errorf("recorded %v, want only 0.8", h.records)
	}
	last := h.statuses[len(h.statuses)-1]
	if last.Index != 8 || last.Filled != 4 || !strings.Contains(last.Text, "4 of 11 ready") {
		t.Errorf("last status %+v", last)
	}
}

// A position already known is shown at once, even while another one is being evaluated in the background, and
// that evaluation is not cancelled.
func TestLiveSchedulerKnownPositionKeepsBackgroundWork(t *testing.T) {
	h := newHarness(t, []int{0, 5, 10}, true, 5)
	h.waitShows(1)
	bg := h.next(4, false)
	h.move(10)
	h.waitShows(2)
	h.move(0)
	h.waitShows(3)
	select {
	case <-bg.ctx.Done():
		t.Fatal("the background evaluation of 0.4 was cancelled by a move to a known position")
	case <-time.After(20 * time.Millisecond):
	}
	bg.answer()
	h.next(1, false) // nearest to the thumb at 0 now
	h.stop()
	if want := []string{"5:final", "10:final", "0:final"}; !slices.Equal(h.shows, want) {
		t.Errorf("shown %v, want %v", h.shows, want)
	}
	if !slices.Equal(h.records, []float64{0.4}) {
		t.Errorf("recorded %v, want [0.4]", h.records)
	}
}

// The background fill goes nearest to the thumb first, and once every position is answered, moves are answered
// from memory with no evaluation.
func TestLiveSchedulerFillsNearestFirst(t *testing.T) {
	h := newHarness(t, []int{6}, false, 6)
	var order []int
	for _, i := range []int{5, 7, 4, 8, 3, 9, 2, 10, 1, 0} {
		h.next(i, false).answer()
		order = append(order, i)
	}
	for _, i := range []int{0, 3, 10, 7} {
		h.move(i)
	}
	h.waitShows(5)
	select {
	case c := <-h.calls:
		t.Fatalf("an evaluation of α = %v after every position was answered", c.alpha)
	case <-time.After(20 * time.Millisecond):
	}
	h.stop()
	if want := []string{"6:final", "0:final", "3:final", "10:final", "7:final"}; !slices.Equal(h.shows, want) {
		t.Errorf("shown %v, want %v", h.shows, want)
	}
	if len(h.records) != 10 {
		t.Errorf("recorded %v, want the 10 evaluated positions", h.records)
	}
	last := h.statuses[len(h.statuses)-1]
	if last.Index != 7 || last.Filled != 11 || last.Text != "" {
		t.Errorf("last status %+v, want position 7, all 11 filled, nothing to say", last)
	}
}

// Leaving a position after its estimate and coming back shows the estimate from memory and goes on to the final
// answer; the estimate is never shown after the final one.
func TestLiveSchedulerEstimateThenFinal(t *testing.T) {
	h := newHarness(t, []int{0, 10}, true, 3)
	h.next(3, true).answer()
	h.waitShows(1)
	f3 := h.next(3, false)
	h.move(6)
	h.cancelled(f3)
	h.next(6, true).answer()
	h.waitShows(2)
	f6 := h.next(6, false)
	h.move(3) // back: its estimate at once, then the final evaluation again
	h.cancelled(f6)
	h.waitShows(3)
	h.next(3, false).answer()
	h.waitShows(4)
	h.next(2, false)
	h.stop()
	if want := []string{"3:estimate", "6:estimate", "3:estimate", "3:final"}; !slices.Equal(h.shows, want) {
		t.Errorf("shown %v, want %v", h.shows, want)
	}
	for _, st := range h.statuses {
		if strings.Contains(st.Text, "estimate") && st.Index == 3 && st.Filled == 3 {
			t.Errorf("status %+v speaks of an estimate after the final answer", st)
		}
	}
}

// A cancelled evaluation is not waited for: the latest position's evaluation starts while the old one is still
// running, and the old one's answer, when it comes, is kept (shown later from memory) but not shown then.
func TestLiveSchedulerDoesNotWaitForCancelled(t *testing.T) {
	h := newHarnessWith(t, []int{0, 5, 10}, false, 5, true)
	h.waitShows(1)
	bg := h.next(4, false)
	h.move(2)
	h.cancelled(bg)
	f2 := h.next(2, false) // while 0.4's evaluation has not returned
	bg.answer()
	h.waitRecords(1)
	f2.answer()
	h.waitShows(2)
	f1 := h.next(1, false) // the background fill, from the thumb at 2 (the lower side first)
	h.move(4)              // known since 0.4's late answer: shown at once, and 0.1's fill goes on
	h.waitShows(3)
	f1.answer()
	h.next(3, false).answer() // then nearest to the thumb at 4
	f6 := h.next(6, false)
	h.mu.Lock()
	h.stubborn = false // what starts after 0.6 stops when told
	h.mu.Unlock()
	f6.answer()
	h.stop()
	if want := []string{"5:final", "2:final", "4:final"}; !slices.Equal(h.shows, want) {
		t.Errorf("shown %v, want %v", h.shows, want)
	}
	if want := []float64{0.4, 0.2, 0.1, 0.3}; !slices.Equal(h.records[:min(4, len(h.records))], want) {
		t.Errorf("recorded %v, want %v", h.records, want)
	}
}

func TestSubsampleIndices(t *testing.T) {
	for _, c := range []struct {
		total, n int
		want     []int
	}{
		{10, 5, []int{1, 3, 5, 7, 9}},
		{100, 4, []int{12, 37, 62, 87}},
		{3, 8, []int{0, 1, 2}},
		{0, 4, []int{}},
	} {
		if got := subsampleIndices(c.total, c.n); !slices.Equal(got, c.want) {
			t.Errorf("subsampleIndices(%d, %d) = %v, want %v", c.total, c.n, got, c.want)
		}
	}
	sets := SubsampleSets([]wiseft.EvalSet{
		{Dataset: fakeDataset(100), Limit: 40},
		{Name: "picked", Dataset: fakeDataset(100), Indices: []int{90, 80, 70, 60}},
	}, 4)
	if !slices.Equal(sets[0].Indices, []int{5, 15, 25, 35}) || sets[0].Limit != 0 || sets[0].Name == "" {
		t.Errorf("first set %+v", sets[0])
	}
	if !slices.Equal(sets[1].Indices, []int{90, 80, 70, 60}) || sets[1].Name != "picked" {
		t.Errorf("second set %+v", sets[1])
	}
}

func TestParseMove(t *testing.T) {
	for _, c := range []struct {
		msg      string
		seq, pos int
		ok       bool
	}{
		{"1:0", 1, 0, true}, {"17:20", 17, 20, true},
		{"0:3", 0, 3, false}, {"3", 0, 0, false}, {"a:1", 0, 1, false}, {"2:x", 2, 0, false}, {"", 0, 0, false},
	} {
		seq, pos, ok := parseMove(c.msg)
		if ok != c.ok || (ok && (seq != c.seq || pos != c.pos)) {
			t.Errorf("parseMove(%q) = %d, %d, %v; want %d, %d, %v", c.msg, seq, pos, ok, c.seq, c.pos, c.ok)
		}
	}
}

// An estimate's frame says so (its readout names the subsample's size) and leaves the sweep result as it was; an
// α already answered has no estimate frame.
func TestEstimateFrame(t *testing.T) {
	res := synthSweep()
	res.Alphas, res.Metrics = res.Alphas[:3], res.Metrics[:3] // α = 0, 0.1, 0.2
	ex := NewAlphaExplorer(res, "ID", []string{"ShiftA", "ShiftB"})
	ms := []wiseft.Metrics{{Dataset: "ID", Top1: 0.7, N: 32}, {Dataset: "ShiftA", Top1: 0.5, N: 32}, {Dataset: "ShiftB", Top1: 0.4, N: 32}}
	h, err := ex.estimateFrame(0.35, ms)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-alpha="0.35"`, `data-estimate="1"`, "α = 0.35 (estimate, 32 images)", "70.00"} {
		if !strings.Contains(string(h), want) {
			t.Errorf("the estimate frame lacks %q", want)
		}
	}
	wellFormed(t, "estimate frame", string(h))
	if len(res.Alphas) != 3 || res.Index(0.35) >= 0 {
		t.Errorf("the estimate frame changed the sweep result: α %v", res.Alphas)
	}
	if _, err := ex.estimateFrame(0.1, ms); err == nil {
		t.Errorf("an estimate frame of a swept α: want an error")
	}
	f, err := ex.Frame(0.1)
	if err != nil || !strings.Contains(string(f), `data-estimate="0"`) {
		t.Errorf("a final frame: %v, marked %v", err, strings.Contains(string(f), `data-estimate="0"`))
	}
}
