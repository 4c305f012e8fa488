package widgets

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gowiseft/wiseft/wiseft"
)

// Progress is a progress bar in a cell's output, redrawn in place (gonbui.UpdateHTML) as work advances; saved
// notebooks keep its last state. Its adapters plug it into the project's long-running calls:
//
//	bar := widgets.NewProgress("fine-tuning")
//	run := wiseft.TrainRun{Progress: bar.FineTune()}
//	ft, err := wiseft.FineTune(ctx, zs, train, cfg, run)
//	bar.Done(err)
//
//	bar = widgets.NewProgress("α sweep")
//	opts := wiseft.SweepOptions{Progress: bar.Sweep(alphas, sets)}
//
// Updates are throttled (MinInterval); the last one always shows. Outside a notebook the bar writes a plain
// line to standard error at most every 10 seconds.
type Progress struct {
	// Title is shown left of the bar.
	Title string
	// MinInterval is the least time between two redraws (default 250ms).
	MinInterval time.Duration

	mu      sync.Mutex
	id      string
	start   time.Time
	last    time.Time
	frac    float64
	status  string
	losses  []float64
	out     io.Writer
	closed  bool
	updated bool
	lastLog time.Time
}

// NewProgress shows an empty bar titled title and returns it.
func NewProgress(title string) *Progress {
	p := &Progress{Title: title, MinInterval: 250 * time.Millisecond, id: "wiseft_progress_" + uniqueID(),
		start: time.Now(), out: os.Stderr}
	if InNotebook() {
		p.draw(true)
	}
	return p
}

// Set moves the bar to frac (in [0, 1]) with a status line.
func (p *Progress) Set(frac float64, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.frac, p.status, p.updated = clamp01(frac), status, true
	p.draw(false)
}

// Done draws the final state: full and "done in <time>" when err is nil, the error otherwise; when no update came
// at all (a cached result was read instead of computed), it says so. Later updates are ignored.
func (p *Progress) Done(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	elapsed := time.Since(p.start).Round(100 * time.Millisecond)
	if err != nil {
		p.status = fmt.Sprintf("failed after %s: %v", elapsed, err)
	} else if !p.updated {
		p.frac = 1
		p.status = "nothing to run: the result of an earlier run was read"
	} else {
		p.frac = 1
		p.status = strings.TrimPrefix(p.status+" · ", " · ") + "done in " + elapsed.String()
	}
	p.draw(true)
	p.closed = true
	Sync()
}

// draw redraws the bar (p.mu held); force ignores MinInterval.
func (p *Progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.last) < p.MinInterval && p.frac < 1 {
		return
	}
	p.last = now
	if InNotebook() {
		updateHTML(p.id, ProgressHTML(p.Title, p.frac, p.status, p.losses))
		return
	}
	if p.out != nil && (force || now.Sub(p.lastLog) >= 10*time.Second) {
		p.lastLog = now
		fmt.Fprintf(p.out, "%s: %3.0f%% %s\n", p.Title, 100*p.frac, p.status)
	}
}

// FineTune returns a wiseft.TrainRun.Progress callback: epoch, step, loss, throughput and time left, with
// a sparkline of the loss. The throughput is the training images of this run over the time since the bar was
// made, on the bar's clock, so that it agrees with "done in": a run that first computes a feature cache (a
// linear head on a frozen encoder) counts that time too, where the training loop's own figure counts only the
// steps.
func (p *Progress) FineTune() func(wiseft.ProgressInfo) {
	return func(info wiseft.ProgressInfo) {
		p.mu.Lock()
		p.losses = append(p.losses, info.Loss)
		elapsed := time.Since(p.start)
		p.mu.Unlock()
		frac := 0.0
		if info.TotalSteps > 0 {
			frac = float64(info.Step) / float64(info.TotalSteps)
		}
		p.Set(frac, fmt.Sprintf("epoch %d/%d · step %d/%d · loss %.4f · %s · ETA %s",
			info.Epoch, info.Epochs, info.Step, info.TotalSteps, info.Loss, throughput(info.ExamplesRun, elapsed),
			info.ETA.Round(time.Second)))
	}
}

// throughput formats n images in d as images per second ("—" before any time has passed).
func throughput(n int, d time.Duration) string {
	if d <= 0 {
		return "— img/s"
	}
	return fmt.Sprintf("%.0f img/s", float64(n)/d.Seconds())
}

// Sweep returns a wiseft.SweepOptions.Progress callback for a sweep of alphas over sets: the bar covers every
// image of every set (a sweep streams each set once and runs every α on each batch).
func (p *Progress) Sweep(alphas []float64, sets []wiseft.EvalSet) func(set string, done, total int) {
	order := make(map[string]int, len(sets))
	before := make([]int, len(sets)+1) // images of the sets before set j
	for j, s := range sets {
		name := s.Name
		if name == "" && s.Dataset != nil {
			name = s.Dataset.Name()
		}
		n := len(s.Indices)
		if s.Indices == nil && s.Dataset != nil {
			n = s.Dataset.Len()
			if s.Limit > 0 {
				n = min(n, s.Limit)
			}
		}
		order[name] = j
		before[j+1] = before[j] + n
	}
	all := before[len(sets)]
	return func(set string, done, total int) {
		j := order[set]
		frac := 0.0
		if all > 0 {
			frac = float64(before[j]+done) / float64(all)
		}
		p.Set(frac, fmt.Sprintf("%s (%d of %d) %d/%d images × %d α", set, j+1, len(sets), done, total, len(alphas)))
	}
}

// Evaluate returns a wiseft.EvalOptions.Progress callback that labels the bar with name.
func (p *Progress) Evaluate(name string) func(done, total int) {
	return func(done, total int) {
		frac := 0.0
		if total > 0 {
			frac = float64(done) / float64(total)
		}
		p.Set(frac, fmt.Sprintf("%s %d/%d", name, done, total))
	}
}

// ProgressHTML draws a progress bar: title, a bar filled to frac, the percentage, a status line and, when
// losses are given, a sparkline of them.
func ProgressHTML(title string, frac float64, status string, losses []float64) HTML {
	frac = clamp01(frac)
	var b strings.Builder
	b.WriteString(`<div class="wiseft-progress" style="font-family:sans-serif;font-size:13px;margin:4px 0">`)
	fmt.Fprintf(&b, `<div style="display:flex;align-items:center;gap:8px">`+
		`<b style="min-width:7em">%s</b>`+
		`<div style="flex:0 0 320px;height:14px;background:#e6e6e6;border-radius:3px;overflow:hidden">`+
		`<div style="width:%.1f%%;height:100%%;background:#1f77b4"></div></div>`+
		`<span style="font-variant-numeric:tabular-nums">%3.0f%%</span>`, html.EscapeString(title), 100*frac, 100*frac)
	if len(losses) > 1 {
		b.WriteString(Sparkline(losses, 160, 28))
	}
	b.WriteString(`</div>`)
	if status != "" {
		fmt.Fprintf(&b, `<div style="color:#555;margin-top:2px;font-variant-numeric:tabular-nums">%s</div>`,
			html.EscapeString(status))
	}
	b.WriteString(`</div>`)
	return HTML(b.String())
}

// Sparkline draws values as a small inline SVG polyline w×h pixels (non-finite values are skipped), labelled
// with the first and last value.
func Sparkline(values []float64, w, h int) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		return ""
	}
	if hi == lo {
		hi = lo + 1
	}
	var pts strings.Builder
	n := len(values)
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		x := float64(w-2)*float64(i)/float64(max(n-1, 1)) + 1
		y := float64(h-2)*(1-(v-lo)/(hi-lo)) + 1
		fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
	}
	return fmt.Sprintf(`<svg width="%d" height="%d" viewBox="0 0 %d %d" style="vertical-align:middle">`+
		`<title>loss %.4g → %.4g</title><polyline fill="none" stroke="#d62728" stroke-width="1.2" points="%s"/></svg>`,
		w, h, w, h, values[0], values[n-1], strings.TrimSpace(pts.String()))
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}
