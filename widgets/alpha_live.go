package widgets

import (
	"context"
	"fmt"
	"html"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gowiseft/wiseft/wiseft"

	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	gwidgets "github.com/janpfeifer/gonb/gonbui/widgets"
)

// Show displays the explorer. In a notebook open in a browser it is interactive (see AlphaExplorer) and returns
// when Done is pressed or the slider was idle for IdleTimeout. Without a front end (headless execution, or
// WISEFT_NOTEBOOK_STATIC=1) it renders the frames of StaticAlphas and returns; it never waits longer than
// FrontEndTimeout for a browser. Outside a notebook it prints the readout of each static α as text.
func (e *AlphaExplorer) Show() error {
	if err := e.check(); err != nil {
		return err
	}
	ps := e.positions()
	if len(ps) == 0 {
		return fmt.Errorf("widgets: the α explorer has no slider positions")
	}
	if !InNotebook() {
		for _, a := range e.staticAlphas(ps) {
			if _, err := e.Metrics(a); err != nil {
				return err
			}
			fmt.Println(ReadoutText(e.Result, e.ID, e.Shifts, a))
		}
		return nil
	}
	timeout, err := e.frontEndTimeout()
	if err != nil {
		return err
	}
	if Headless() {
		return e.showStatic(ps, "headless execution")
	}

	return e.showLive(ps, timeout)
}

// showLive runs the interactive explorer (see Show): the controls, the frame, and the scheduler that answers
// the latest slider position (liveScheduler).
func (e *AlphaExplorer) showLive(ps []float64, timeout time.Duration) error {
	// The controls live in a transient block: nothing of them is saved with the notebook. Their layout never
	// moves: the slider has a fixed width, its number a fixed-width box, and the status a line of its own with
	// a fixed height that never wraps.
	uid := uniqueID()
	ctrlBlock, ctrlDiv := "wiseft_alpha_ctrl_"+uid, "wiseft-alpha-ctrl-"+uid
	numSpan, statusDiv := "wiseft-alpha-num-"+uid, "wiseft-alpha-status-"+uid
	updateHTML(ctrlBlock, HTML(fmt.Sprintf(`<style>#%[1]s input[type=range]{width:%[2]s;flex:0 0 auto;margin:0}</style>`+
		`<div class="wiseft-alpha-live" style="font-family:sans-serif;font-size:13px">`+
		`<div id="%[1]s" class="wiseft-alpha-controls" style="display:flex;flex-wrap:nowrap;align-items:center;gap:10px;white-space:nowrap">`+
		`<b>mixing coefficient α</b> <span style="color:#777">0 = zero-shot</span></div>`+
		`<div id="%[3]s" class="wiseft-alpha-status" style="height:18px;line-height:18px;margin-top:2px;white-space:nowrap;`+
		`overflow:hidden;text-overflow:ellipsis;color:#a05a00;font-size:12px"></div></div>`,
		ctrlDiv, sliderWidth, statusDiv)))
	Sync()
	idx := nearest(ps, e.Initial)
	slider, ok := withTimeout(timeout, func() *gwidgets.SliderBuilder {
		return gwidgets.Slider(0, len(ps)-1, idx).AppendTo(ctrlDiv).Done()
	})
	if !ok {
		// No front end answered: headless execution. Drop the controls and render statically.
		updateHTML(ctrlBlock, "")
		return e.showStatic(ps, fmt.Sprintf("no front end answered within %s; %s raises the wait", timeout, FrontEndTimeoutEnv))
	}
	labels := make([]string, len(ps))
	for i, p := range ps {
		labels[i] = fmtAlpha(p)
	}
	dom.Append(ctrlDiv, fmt.Sprintf(`<span id="%s" class="wiseft-alpha-number" data-positions="%s" style="display:inline-block;`+
		`width:5.5em;font-variant-numeric:tabular-nums">α = %s</span><span style="color:#777">1 = fine-tuned</span>`,
		numSpan, strings.Join(labels, ","), labels[idx]))
	button, ok := withTimeout(timeout, func() *gwidgets.ButtonBuilder {
		return gwidgets.Button("Done").AppendTo(ctrlDiv).Done()
	})
	if !ok {
		updateHTML(ctrlBlock, "")
		return e.showStatic(ps, fmt.Sprintf("the Done button got no answer within %s", timeout))
	}
	// The slider's own number follows the thumb in the page, before the Go program hears of the move. Moves reach
	// the program numbered: GoNB delivers each message from the page on a goroutine of its own, so two quick
	// moves may arrive in either order (its slider's own channel can end on a position the user has left); the
	// program keeps the highest number seen.
	movesAddr := "/wiseft/alpha-explorer/" + uid
	moves := comms.Listen[string](movesAddr)
	defer moves.Close()
	dom.TransientJavascript(fmt.Sprintf(`(() => { const s = document.getElementById(%q), o = document.getElementById(%q); `+
		`if (!s || !o) return; const ps = o.dataset.positions.split(','); let seq = 0; `+
		`const f = () => { o.textContent = 'α = ' + ps[+s.value]; }; `+
		`const send = () => { f(); if (globalThis.gonb_comm) globalThis.gonb_comm.send(%q, (++seq) + ':' + s.value); }; `+
		`s.addEventListener('input', send); s.addEventListener('change', send); f(); })();`,
		slider.HtmlId(), numSpan, movesAddr))

	figBlock := "wiseft_alpha_frame_" + uid
	current := idx
	var lastErr error
	frames := map[int]HTML{} // final frames of the current sweep result, by position
	generation := len(e.Result.Alphas)
	sched := &liveScheduler{
		Positions: ps,
		Known: func(a float64) ([]wiseft.Metrics, bool) {
			e.mu.Lock()
			defer e.mu.Unlock()
			if i := e.Result.Index(a); i >= 0 {
				return e.Result.Metrics[i], true
			}
			return nil, false
		},
		Final:    e.evaluate,
		Estimate: e.Estimate,
		Record: func(a float64, ms []wiseft.Metrics) {
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.Result.Index(a) < 0 {
				e.Result.Alphas = append(e.Result.Alphas, a)
				e.Result.Metrics = append(e.Result.Metrics, ms)
			}
		},
		Show: func(a liveAnswer) {
			current, lastErr = a.Index, a.Err
			var f HTML
			var err error
			switch {
			case a.Err != nil:
				err = a.Err
			case a.Estimate:
				f, err = e.estimateFrame(ps[a.Index], a.Metrics)
			default:
				e.mu.Lock()
				if len(e.Result.Alphas) != generation { // the curves gained points: redraw every frame
					clear(frames)
					generation = len(e.Result.Alphas)
				}
				e.mu.Unlock()
				if f = frames[a.Index]; f == "" {
					if f, err = e.Frame(ps[a.Index]); err == nil {
						frames[a.Index] = f
					}
				}
			}
			if err != nil {
				f = HTML(fmt.Sprintf(`<div class="wiseft-alpha-frame wiseft-alpha-error" data-alpha="%s" `+
					`style="color:#c0392b;font-family:sans-serif">α = %s: %s</div>`,
					fmtAlpha(ps[a.Index]), fmtAlpha(ps[a.Index]), html.EscapeString(err.Error())))
			}
			updateHTML(figBlock, f)
		},
		Status: func(st liveStatus) {
			dom.SetInnerHtml(statusDiv, fmt.Sprintf(`<span data-alpha="%s" data-filled="%d" data-total="%d">%s</span>`,
				fmtAlpha(ps[st.Index]), st.Filled, st.Total, html.EscapeString(st.Text)))
		},
	}
	if sched.Estimate != nil && e.Evaluate == nil {
		sched.Estimate = nil
	}

	idle := e.IdleTimeout
	if idle <= 0 {
		idle = 15 * time.Minute
	}
	clicks := button.Listen()
	defer clicks.Close()
	ctx, cancel := context.WithCancel(context.Background())
	toSched := make(chan int, 1) // the latest move only
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		sched.run(ctx, idx, toSched)
	}()
	timer := time.NewTimer(idle)
	defer timer.Stop()
	reason := "Done pressed"
	lastSeq := 0
loop:
	for {
		select {
		case msg, open := <-moves.C:
			if !open {
				break loop
			}
			seq, v, ok := parseMove(msg)
			if !ok || seq <= lastSeq {
				continue // malformed, or older than a move already taken
			}
			lastSeq = seq
			select { // drop a move the scheduler has not taken yet: the latest wins
			case <-toSched:
			default:
			}
			toSched <- v
			timer.Reset(idle)
		case <-clicks.C:
			break loop
		case <-timer.C:
			reason = fmt.Sprintf("idle for %s", idle)
			break loop
		}
	}
	cancel()
	<-schedDone
	updateHTML(ctrlBlock, HTML(fmt.Sprintf(`<div style="color:#777;font-family:sans-serif;font-size:12px">`+
		`α explorer closed (%s) at α = %s; run the cell again to explore.</div>`, reason, fmtAlpha(ps[current]))))
	Sync()
	return lastErr
}

// parseMove reads a numbered move "seq:position" sent by the explorer's script in the page.
func parseMove(msg string) (seq, pos int, ok bool) {
	a, b, found := strings.Cut(msg, ":")
	if !found {
		return 0, 0, false
	}
	seq, err1 := strconv.Atoi(a)
	pos, err2 := strconv.Atoi(b)
	return seq, pos, err1 == nil && err2 == nil && seq > 0
}

// sliderWidth is the CSS width of the live explorer's slider.
const sliderWidth = "360px"

// evaluate is Evaluate with its answer checked (Final of the live explorer).
func (e *AlphaExplorer) evaluate(ctx context.Context, alpha float64) ([]wiseft.Metrics, error) {
	if e.Evaluate == nil {
		return nil, fmt.Errorf("widgets: α = %g was not swept (swept: %v) and the explorer has no Evaluate", alpha, e.Result.Alphas)
	}
	ms, err := e.Evaluate(ctx, alpha)
	if err != nil {
		return nil, err
	}
	if len(ms) != len(e.Result.Sets) {
		return nil, fmt.Errorf("widgets: Evaluate(%g) returned %d metrics for %d sets", alpha, len(ms), len(e.Result.Sets))
	}
	return ms, nil
}

// frontEndTimeout is FrontEndTimeout, else WISEFT_FRONTEND_TIMEOUT, else DefaultFrontEndTimeout.
func (e *AlphaExplorer) frontEndTimeout() (time.Duration, error) {
	if e.FrontEndTimeout > 0 {
		return e.FrontEndTimeout, nil
	}
	if v := os.Getenv(FrontEndTimeoutEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("widgets: %s=%q is not a positive duration such as 90s or 2m", FrontEndTimeoutEnv, v)
		}
		return d, nil
	}
	return DefaultFrontEndTimeout, nil
}

// showStatic displays the frames of the static α list, saying why there is no slider.
func (e *AlphaExplorer) showStatic(ps []float64, why string) error {
	alphas := e.staticAlphas(ps)
	h, err := e.StaticHTML(alphas)
	if err != nil {
		return err
	}
	note := fmt.Sprintf(`<div class="wiseft-alpha-static" style="color:#777;font-family:sans-serif;font-size:12px">`+
		`No interactive front end (%s): the α explorer at α = %v (open the notebook in Jupyter and run the cell `+
		`for the slider).</div>`, html.EscapeString(why), fmtAlphas(alphas))
	(HTML(note) + h).Display()
	return nil
}

func fmtAlphas(as []float64) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += ", "
		}
		s += fmtAlpha(a)
	}
	return s
}

// withTimeout runs f on a goroutine and returns its result, or false when it has not returned after d (the
// goroutine is then left blocked: GoNB's widgets wait forever for a front end that never answers).
func withTimeout[T any](d time.Duration, f func() T) (T, bool) {
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v, true
	case <-time.After(d):
		var zero T
		if envTrue("WISEFT_NOTEBOOK_DEBUG") {
			fmt.Fprintf(os.Stderr, "widgets: no front end answered within %s\n", d)
		}
		return zero, false
	}
}
