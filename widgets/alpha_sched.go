package widgets

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/gowiseft/wiseft/wiseft"
)

// liveAnswer is what the live explorer shows for one slider position: the metrics of every set (final, or an
// estimate from a subsample), or the error of an evaluation.
type liveAnswer struct {
	Index    int
	Estimate bool
	Metrics  []wiseft.Metrics
	Err      error
}

// liveStatus is the status line of the live explorer: always about the latest position (Index).
type liveStatus struct {
	Index int
	// Text is the line shown ("" when the position's final answer is on screen and nothing is pending for it).
	Text string
	// Filled and Total count the slider positions with a final answer.
	Filled, Total int
}

// liveJob is one evaluation in flight.
type liveJob struct {
	id       int
	index    int
	estimate bool
	cancel   context.CancelFunc
}

// liveResult is a finished evaluation.
type liveResult struct {
	job     liveJob
	metrics []wiseft.Metrics
	err     error
}

// liveScheduler decides what the live α explorer evaluates and shows. The latest slider position always wins:
// an evaluation for a position the user has left is cancelled as soon as the new position needs work (and not
// waited for: it stops at its next batch while the new one starts), and its answer, should it still arrive, is
// kept for later but shown only if the slider is back at its position. A position without an answer first gets an
// estimate (Estimate, on a subsample of each set), then its final answer (Final). With nothing to do for the
// latest position it fills the remaining positions in the background, nearest to the thumb first, so that later
// moves are answered from memory. One evaluation runs at a time.
//
// Show and Status are called from the scheduler's goroutine only, and only ever for the latest position.
type liveScheduler struct {
	Positions []float64
	// Known returns the final metrics of α when they are already known (the sweep).
	Known func(alpha float64) ([]wiseft.Metrics, bool)
	// Final evaluates α on the full sets; Estimate (optional) on a subsample. Both must stop early when their
	// context is cancelled.
	Final, Estimate func(ctx context.Context, alpha float64) ([]wiseft.Metrics, error)
	// Record is called with each final answer (the explorer appends it to its sweep result).
	Record func(alpha float64, ms []wiseft.Metrics)
	// Show displays an answer of the latest position; Status sets the status line.
	Show   func(liveAnswer)
	Status func(liveStatus)
	// Trace, when set, is told of every evaluation started ("start"), cancelled ("cancel") or finished
	// ("done") — for tests.
	Trace func(event string, index int, estimate bool)

	target    int
	finals    map[int][]wiseft.Metrics
	estimates map[int][]wiseft.Metrics
	failed    map[int]error
	shown     int  // the position whose answer is on screen (−1 none)
	shownEst  bool // whether that answer is an estimate
	job       *liveJob
	abandoned int // cancelled evaluations not yet returned
	nextID    int
	done      chan liveResult
}

// run serves moves (slider indices; the caller keeps only the latest) until ctx is cancelled or moves is closed,
// starting at position start. It cancels and waits for the evaluation in flight before returning.
func (s *liveScheduler) run(ctx context.Context, start int, moves <-chan int) {
	s.finals = map[int][]wiseft.Metrics{}
	s.estimates = map[int][]wiseft.Metrics{}
	s.failed = map[int]error{}
	s.done = make(chan liveResult)
	s.shown = -1
	for i, a := range s.Positions {
		if ms, ok := s.Known(a); ok {
			s.finals[i] = ms
		}
	}
	s.moveTo(start)
	for {
		s.schedule(ctx)
		select {
		case <-ctx.Done():
			s.stop()
			return
		case v, open := <-moves:
			if !open {
				s.stop()
				return
			}
			if v >= 0 && v < len(s.Positions) && v != s.target { // the page sends "input" and "change" for one move
				s.moveTo(v)
			}
		case r := <-s.done:
			if s.job != nil && r.job.id == s.job.id {
				s.job.cancel()
				s.job = nil
				s.trace("done", r.job.index, r.job.estimate)
			} else {
				s.abandoned--
			}
			s.finish(r)
		}
	}
}

// stop cancels the evaluation in flight and waits for it and for the cancelled ones.
func (s *liveScheduler) stop() {
	if s.job != nil {
		s.job.cancel()
		s.trace("cancel", s.job.index, s.job.estimate)
		s.job = nil
		s.abandoned++
	}
	for ; s.abandoned > 0; s.abandoned-- {
		<-s.done
	}
}

func (s *liveScheduler) trace(event string, i int, est bool) {
	if s.Trace != nil {
		s.Trace(event, i, est)
	}
}

// moveTo makes i the latest position and shows what is known of it at once.
func (s *liveScheduler) moveTo(i int) {
	s.target = i
	switch {
	case s.finals[i] != nil:
		s.show(liveAnswer{Index: i, Metrics: s.finals[i]})
	case s.failed[i] != nil:
		s.show(liveAnswer{Index: i, Err: s.failed[i]})
	case len(s.estimates[i]) > 0:
		s.show(liveAnswer{Index: i, Estimate: true, Metrics: s.estimates[i]})
	}
	s.status()
}

func (s *liveScheduler) show(a liveAnswer) {
	s.shown, s.shownEst = a.Index, a.Estimate
	s.Show(a)
}

// status reports the state of the latest position.
func (s *liveScheduler) status() {
	i := s.target
	a := fmtAlpha(s.Positions[i])
	st := liveStatus{Index: i, Filled: len(s.finals), Total: len(s.Positions)}
	switch {
	case s.failed[i] != nil:
		st.Text = "α = " + a + ": evaluation failed"
	case s.finals[i] != nil:
		if st.Filled < st.Total {
			st.Text = fmt.Sprintf("α = %s · filling the other positions: %d of %d ready", a, st.Filled, st.Total)
		}
	case len(s.estimates[i]) > 0:
		st.Text = "α = " + a + ": estimate from a subsample · evaluating the full sets …"
	default:
		st.Text = "α = " + a + ": evaluating …"
	}
	s.Status(st)
}

// next returns the evaluation the scheduler wants now, or ok = false when every position is answered.
func (s *liveScheduler) next() (i int, estimate, ok bool) {
	t := s.target
	if s.finals[t] == nil && s.failed[t] == nil {
		if _, tried := s.estimates[t]; s.Estimate != nil && !tried {
			return t, true, true
		}
		return t, false, true
	}
	if i := nearestMissing(len(s.Positions), t, func(k int) bool { return s.finals[k] != nil || s.failed[k] != nil }); i >= 0 {
		return i, false, true
	}
	return 0, false, false
}

// nearestMissing returns the position nearest to t (in slider steps; the lower one first on a tie) that has no
// answer, or −1.
func nearestMissing(n, t int, answered func(int) bool) int {
	for d := 0; d < n; d++ {
		for _, k := range []int{t - d, t + d} {
			if k >= 0 && k < n && !answered(k) {
				return k
			}
		}
	}
	return -1
}

// schedule starts the wanted evaluation, cancelling the one in flight when it is not the wanted one and the
// latest position needs work (a background fill for a position the user left keeps running while the latest
// position is answered).
func (s *liveScheduler) schedule(ctx context.Context) {
	i, est, ok := s.next()
	if s.job != nil {
		if !ok || (s.job.index == i && s.job.estimate == est) {
			return
		}
		if s.job.index == s.target || !s.needsWork(s.target) {
			return // the latest position's own job, or a background fill while the latest is answered
		}
		s.job.cancel() // it stops at its next batch; its result comes back through s.done
		s.trace("cancel", s.job.index, s.job.estimate)
		s.job = nil
		s.abandoned++
	}
	if !ok || ctx.Err() != nil {
		return
	}
	jctx, cancel := context.WithCancel(ctx)
	s.nextID++
	job := liveJob{id: s.nextID, index: i, estimate: est, cancel: cancel}
	s.job = &job
	s.trace("start", i, est)
	f := s.Final
	if est {
		f = s.Estimate
	}
	alpha := s.Positions[i]
	go func() {
		ms, err := f(jctx, alpha)
		s.done <- liveResult{job: job, metrics: ms, err: err}
	}()
}

// needsWork reports whether position i lacks its final answer.
func (s *liveScheduler) needsWork(i int) bool { return s.finals[i] == nil && s.failed[i] == nil }

// keep records the answer of a returned evaluation without showing it; it reports whether that told anything new.
func (s *liveScheduler) keep(r liveResult) bool {
	j := r.job
	switch {
	case r.err != nil && (errors.Is(r.err, context.Canceled) || errors.Is(r.err, context.DeadlineExceeded)):
		return false
	case j.estimate:
		if len(s.estimates[j.index]) > 0 {
			return false
		}
		s.estimates[j.index] = r.metrics // nil when it failed: tried, and the final evaluation will say what is wrong
		if r.err != nil {
			s.estimates[j.index] = nil
		}
		return true
	case s.finals[j.index] != nil || s.failed[j.index] != nil:
		return false
	case r.err != nil:
		s.failed[j.index] = r.err
		return true
	default:
		s.finals[j.index] = r.metrics
		if s.Record != nil {
			s.Record(s.Positions[j.index], r.metrics)
		}
		return true
	}
}

// finish handles an evaluation that returned (the current one, or one cancelled earlier).
func (s *liveScheduler) finish(r liveResult) {
	if !s.keep(r) {
		return
	}
	t := s.target
	if r.job.index == t {
		switch {
		case r.job.estimate: // shown unless the final answer is already there
			if s.finals[t] == nil && s.failed[t] == nil && len(s.estimates[t]) > 0 {
				s.show(liveAnswer{Index: t, Estimate: true, Metrics: s.estimates[t]})
			}
		case s.failed[t] != nil:
			s.show(liveAnswer{Index: t, Err: s.failed[t]})
		default:
			s.show(liveAnswer{Index: t, Metrics: s.finals[t]})
		}
	}
	s.status()
}

// subsampleIndices returns n indices spread evenly over [0, total) (all of them when n ≥ total).
func subsampleIndices(total, n int) []int {
	if n >= total {
		out := make([]int, total)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, n)
	for k := range out {
		out[k] = int(math.Floor((float64(k) + 0.5) * float64(total) / float64(n)))
	}
	return out
}
