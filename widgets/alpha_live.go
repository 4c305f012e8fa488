package widgets

import (
	"fmt"
	"html"
	"os"
	"time"

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

	// The controls live in a transient block: nothing of them is saved with the notebook.
	uid := uniqueID()
	ctrlBlock, ctrlDiv, statusSpan := "wiseft_alpha_ctrl_"+uid, "wiseft-alpha-ctrl-"+uid, "wiseft-alpha-status-"+uid
	updateHTML(ctrlBlock, HTML(fmt.Sprintf(`<div id="%s" class="wiseft-alpha-controls" `+
		`style="display:flex;align-items:center;gap:10px;font-family:sans-serif;font-size:13px">`+
		`<b style="white-space:nowrap">mixing coefficient α</b> <span style="color:#777;white-space:nowrap">0 = zero-shot</span></div>`,
		ctrlDiv)))
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
	dom.Append(ctrlDiv, `<span style="color:#777;white-space:nowrap">1 = fine-tuned</span>`)
	button, ok := withTimeout(timeout, func() *gwidgets.ButtonBuilder {
		return gwidgets.Button("Done").AppendTo(ctrlDiv).Done()
	})
	if !ok {
		updateHTML(ctrlBlock, "")
		return e.showStatic(ps, fmt.Sprintf("the Done button got no answer within %s", timeout))
	}
	dom.Append(ctrlDiv, fmt.Sprintf(`<span id="%s" style="color:#a05a00"></span>`, statusSpan))

	figBlock := "wiseft_alpha_frame_" + uid
	current := ps[idx]
	draw := func(a float64) error {
		if e.Result.Index(a) < 0 {
			dom.SetInnerText(statusSpan, "evaluating α = "+fmtAlpha(a)+" …")
		}
		f, err := e.Frame(a)
		if err != nil {
			return err
		}
		updateHTML(figBlock, f)
		dom.SetInnerText(statusSpan, "")
		current = a
		return nil
	}
	if err := draw(current); err != nil {
		updateHTML(ctrlBlock, "")
		return err
	}
	Sync()

	idle := e.IdleTimeout
	if idle <= 0 {
		idle = 15 * time.Minute
	}
	moves := slider.Listen().LatestOnly()
	defer moves.Close()
	clicks := button.Listen()
	defer clicks.Close()
	timer := time.NewTimer(idle)
	defer timer.Stop()
	reason := "Done pressed"
loop:
	for {
		select {
		case v, open := <-moves.C:
			if !open {
				break loop
			}
			if v < 0 || v >= len(ps) {
				continue
			}
			if err := draw(ps[v]); err != nil {
				updateHTML(ctrlBlock, "")
				return err
			}
			timer.Reset(idle)
		case <-clicks.C:
			break loop
		case <-timer.C:
			reason = fmt.Sprintf("idle for %s", idle)
			break loop
		}
	}
	updateHTML(ctrlBlock, HTML(fmt.Sprintf(`<div style="color:#777;font-family:sans-serif;font-size:12px">`+
		`α explorer closed (%s) at α = %s; run the cell again to explore.</div>`, reason, fmtAlpha(current))))
	Sync()
	return nil
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
