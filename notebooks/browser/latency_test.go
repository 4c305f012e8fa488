package browser

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/proto"
)

// recorderJS records, with the page's clock, every input event of the explorer's slider (with the α its own
// readout shows), every frame the explorer draws (its α and whether it is an estimate) and every status line.
const recorderJS = `() => {
	const rec = {inputs: [], frames: [], statuses: []};
	window.__wiseftLatency = rec;
	const slider = document.querySelector('.wiseft-alpha-controls input[type=range]');
	const num = document.querySelector('.wiseft-alpha-number');
	const ps = num.dataset.positions.split(',');
	slider.addEventListener('input', () => rec.inputs.push({t: performance.now(), v: +slider.value, a: ps[+slider.value]}));
	let frame = null, fa = '', fe = '', st = null, sa = '', stext = '';
	const look = () => {
		const t = performance.now();
		const f = document.querySelector('.wiseft-alpha-frame');
		if (f && (f !== frame || f.dataset.alpha !== fa || f.dataset.estimate !== fe)) {
			frame = f; fa = f.dataset.alpha; fe = f.dataset.estimate;
			rec.frames.push({t: t, a: fa, e: fe === '1'});
		}
		const s = document.querySelector('.wiseft-alpha-status span');
		if (s && (s !== st || s.dataset.alpha !== sa || s.textContent !== stext)) {
			st = s; sa = s.dataset.alpha; stext = s.textContent;
			rec.statuses.push({t: t, a: sa, text: stext});
		}
	};
	new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
	look();
}`

// record is what recorderJS kept.
type record struct {
	Inputs []struct {
		T float64 `json:"t"`
		V int     `json:"v"`
		A string  `json:"a"`
	} `json:"inputs"`
	Frames []struct {
		T float64 `json:"t"`
		A string  `json:"a"`
		E bool    `json:"e"`
	} `json:"frames"`
	Statuses []struct {
		T    float64 `json:"t"`
		A    string  `json:"a"`
		Text string  `json:"text"`
	} `json:"statuses"`
}

func readRecord(t *testing.T, page *rod.Page) record {
	t.Helper()
	res, err := page.Eval(`() => JSON.stringify(window.__wiseftLatency)`)
	if err != nil {
		t.Fatal(err)
	}
	var r record
	if err := json.Unmarshal([]byte(res.Value.Str()), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// latencies gathers the figures of the phases of the browser test.
type latencies struct {
	phases        []string
	first, final  map[string][]float64 // phase → milliseconds from a move to the first / final frame of its α
	superseded    map[string]int       // phase → moves left before their α was drawn
	fromMemory    map[string]int       // phase → moves whose first frame was already the final one
	StaleStatuses int                  // status lines naming an α other than the slider's, 100 ms or more after the move
	FillWait      time.Duration
	counted       int // inputs counted by earlier phases
}

// mark returns the number of inputs recorded so far: add(..., mark) looks only at later ones.
func (l *latencies) mark(t *testing.T, page *rod.Page) int { return len(readRecord(t, page).Inputs) }

// add computes the figures of the moves recorded since mark under the name phase.
func (l *latencies) add(t *testing.T, page *rod.Page, phase string, mark int) {
	t.Helper()
	if l.first == nil {
		l.first, l.final = map[string][]float64{}, map[string][]float64{}
		l.superseded, l.fromMemory = map[string]int{}, map[string]int{}
	}
	r := readRecord(t, page)
	l.phases = append(l.phases, phase)
	for i := range r.Inputs {
		in := r.Inputs[i]
		next := math.Inf(1)
		if i+1 < len(r.Inputs) {
			next = r.Inputs[i+1].T
		}
		if i < mark || i < l.counted {
			continue
		}
		first, final := -1.0, -1.0
		for _, f := range r.Frames {
			if f.T < in.T || f.T > next || f.A != in.A {
				continue
			}
			if first < 0 {
				first = f.T - in.T
				if !f.E {
					l.fromMemory[phase]++
				}
			}
			if !f.E {
				final = f.T - in.T
				break
			}
		}
		if first < 0 {
			l.superseded[phase]++
			continue
		}
		l.first[phase] = append(l.first[phase], first)
		if final >= 0 {
			l.final[phase] = append(l.final[phase], final)
		}
	}
	l.counted = len(r.Inputs)
	// Status lines naming another α than the slider's latest, well after the move.
	l.StaleStatuses = 0
	for _, s := range r.Statuses {
		k := sort.Search(len(r.Inputs), func(i int) bool { return r.Inputs[i].T > s.T }) - 1
		if k >= 0 && s.A != r.Inputs[k].A && s.T-r.Inputs[k].T >= 100 {
			l.StaleStatuses++
		}
	}
}

// report is the figures as text, one phase a line.
func (l *latencies) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "α explorer latency in the browser (ms from the slider's input event to the frame of its α in the page)\n")
	for _, p := range l.phases {
		fmt.Fprintf(&b, "%-7s moves answered %d (first frame already final: %d), left before their frame came %d\n",
			p+":", len(l.first[p]), l.fromMemory[p], l.superseded[p])
		fmt.Fprintf(&b, "        first answer: %s\n", stats(l.first[p]))
		fmt.Fprintf(&b, "        final answer: %s\n", stats(l.final[p]))
	}
	fmt.Fprintf(&b, "grid filled %.1f s after the drag ended\n", l.FillWait.Seconds())
	fmt.Fprintf(&b, "status lines naming a stale α (100 ms or more after the move): %d\n", l.StaleStatuses)
	return b.String()
}

func stats(ms []float64) string {
	if len(ms) == 0 {
		return "none"
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return fmt.Sprintf("median %.0f, max %.0f, min %.0f (n = %d)", med, s[len(s)-1], s[0], len(s))
}

// positions returns the number of slider positions.
func positions(t *testing.T, page *rod.Page) int {
	t.Helper()
	res, err := page.Eval(`() => document.querySelector('.wiseft-alpha-number').dataset.positions.split(',').length`)
	if err != nil {
		t.Fatal(err)
	}
	return res.Value.Int()
}

// positionAlpha returns the α of slider position v, as the explorer writes it.
func positionAlpha(t *testing.T, page *rod.Page, v int) string {
	t.Helper()
	res, err := page.Eval(`(v) => document.querySelector('.wiseft-alpha-number').dataset.positions.split(',')[v]`, v)
	if err != nil {
		t.Fatal(err)
	}
	return res.Value.Str()
}

// setSlider jumps the slider to position v as a click on the track does (value set, input and change events)
// and returns its α.
func setSlider(t *testing.T, page *rod.Page, v int) string {
	t.Helper()
	if _, err := page.Eval(`(v) => { const s = document.querySelector('.wiseft-alpha-controls input[type=range]'); `+
		`s.value = v; s.dispatchEvent(new Event('input', {bubbles: true})); s.dispatchEvent(new Event('change', {bubbles: true})); }`, v); err != nil {
		t.Fatal(err)
	}
	return positionAlpha(t, page, v)
}

// waitFrame waits until the explorer's frame is of α (and final, when final is set).
func waitFrame(page *rod.Page, alpha string, final bool, d time.Duration) error {
	return page.Timeout(d).Wait(rod.Eval(`(a, fin) => { const f = document.querySelector('.wiseft-alpha-frame'); `+
		`return !!f && f.dataset.alpha === a && (!fin || f.dataset.estimate !== '1') }`, alpha, final))
}

// status is the explorer's status line.
type status struct{ Alpha, Text string }

func statusState(t *testing.T, page *rod.Page) status {
	t.Helper()
	res, err := page.Eval(`() => { const s = document.querySelector('.wiseft-alpha-status span'); ` +
		`return s ? [s.dataset.alpha, s.textContent] : ['', ''] }`)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Value.Arr()
	return status{a[0].Str(), a[1].Str()}
}

// geometry is the slider's box in the page.
type geometry struct{ X, Y, W, H float64 }

func sliderGeometry(t *testing.T, page *rod.Page) geometry {
	t.Helper()
	res, err := page.Eval(`() => { const r = document.querySelector('.wiseft-alpha-controls input[type=range]').getBoundingClientRect(); ` +
		`return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height] }`)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Value.Arr()
	return geometry{a[0].Num(), a[1].Num(), a[2].Num(), a[3].Num()}
}

// thumbPoint is where the thumb of a range input of n positions sits at position v (Chromium's thumb is 16 px wide
// and travels the track less its width).
func thumbPoint(r *proto.DOMRect, n, v int) proto.Point {
	const thumb = 16.0
	return proto.Point{X: r.X + thumb/2 + (r.Width-thumb)*float64(v)/float64(n-1), Y: r.Y + r.Height/2}
}

// drag moves the slider's thumb with the mouse from position from to position to, passing over every position
// in between with a few pointer moves each, about 40 ms apart (a brisk drag).
func drag(page *rod.Page, slider *rod.Element, from, to int) error {
	shape, err := slider.Shape()
	if err != nil {
		return err
	}
	q := shape.Box()
	if q == nil {
		return fmt.Errorf("the slider has no box")
	}
	res, err := page.Eval(`() => document.querySelector('.wiseft-alpha-number').dataset.positions.split(',').length`)
	if err != nil {
		return err
	}
	n := res.Value.Int()
	start := thumbPoint(q, n, from)
	if err := page.Mouse.MoveTo(start); err != nil {
		return err
	}
	if err := page.Mouse.Down(proto.InputMouseButtonLeft, 1); err != nil {
		return err
	}
	step := 1
	if to < from {
		step = -1
	}
	for v := from; v != to; v += step {
		a, b := thumbPoint(q, n, v), thumbPoint(q, n, v+step)
		for k := 1; k <= 3; k++ {
			p := proto.Point{X: a.X + (b.X-a.X)*float64(k)/3, Y: a.Y}
			if err := page.Mouse.MoveTo(p); err != nil {
				return err
			}
			time.Sleep(13 * time.Millisecond)
		}
	}
	return page.Mouse.Up(proto.InputMouseButtonLeft, 1)
}

// stepTo moves the slider one position with the arrow keys to v and waits for the frame of v.
func stepTo(page *rod.Page, slider *rod.Element, v int) error {
	res, err := page.Eval(`() => +document.querySelector('.wiseft-alpha-controls input[type=range]').value`)
	if err != nil {
		return err
	}
	cur := res.Value.Int()
	if cur == v {
		return nil
	}
	if err := slider.Focus(); err != nil {
		return err
	}
	key := input.ArrowRight
	if v < cur {
		key = input.ArrowLeft
	}
	if err := page.Keyboard.Press(key); err != nil {
		return err
	}
	a, err := page.Eval(`(v) => document.querySelector('.wiseft-alpha-number').dataset.positions.split(',')[v]`, v)
	if err != nil {
		return err
	}
	return waitFrame(page, a.Value.Str(), true, time.Minute)
}
