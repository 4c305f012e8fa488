package wiseft

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// ProgressInfo describes the training step that just finished; FineTune passes one to FineTuneConfig.Progress
// after every step.
type ProgressInfo struct {
	// Epoch is the current epoch, 1-based; Epochs the number of epochs of the run.
	Epoch, Epochs int
	// Step counts the steps done so far (1-based, across epochs, resumed steps included); TotalSteps is the
	// number the whole run takes.
	Step, TotalSteps int
	// Loss is the training loss of this step's batch (before the update).
	Loss float64
	// LR is the learning rate the step used.
	LR float64
	// GradNorm is the global gradient norm before clipping.
	GradNorm float64
	// ImagesPerSec is the throughput since the first step of this run (the first step, which compiles the
	// program, is left out once there are others).
	ImagesPerSec float64
	// ETA estimates the time left for the remaining steps at that throughput.
	ETA time.Duration
}

// TerminalProgress returns a FineTuneConfig.Progress that renders training progress on w: a one-line bar
// rewritten in place with \r when w is a terminal, and plain lines (no control characters; at the first and last
// step and at most every 10 seconds in between) otherwise, as in CI logs.
func TerminalProgress(w io.Writer) func(ProgressInfo) {
	return newProgressPrinter(w, isTerminal(w), 10*time.Second, time.Now)
}

// isTerminal reports whether w is a character device (a terminal), without extra dependencies.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func newProgressPrinter(w io.Writer, tty bool, every time.Duration, now func() time.Time) func(ProgressInfo) {
	var (
		mu      sync.Mutex
		last    time.Time
		lastLen int
	)
	return func(p ProgressInfo) {
		mu.Lock()
		defer mu.Unlock()
		final := p.Step >= p.TotalSteps
		if tty {
			line := "\r" + progressBar(p, 24) + " " + progressText(p)
			if pad := lastLen - len(line); pad > 0 {
				line += strings.Repeat(" ", pad) // erase the tail of a longer previous line
			}
			lastLen = len(line)
			if final {
				line += "\n"
			}
			fmt.Fprint(w, line)
			return
		}
		t := now()
		if !final && !last.IsZero() && t.Sub(last) < every {
			return
		}
		last = t
		fmt.Fprintln(w, progressText(p))
	}
}

func progressBar(p ProgressInfo, width int) string {
	done := 0
	if p.TotalSteps > 0 {
		done = min(width, width*p.Step/p.TotalSteps)
	}
	return "[" + strings.Repeat("=", done) + strings.Repeat(" ", width-done) + "]"
}

func progressText(p ProgressInfo) string {
	pct := 0.0
	if p.TotalSteps > 0 {
		pct = 100 * float64(p.Step) / float64(p.TotalSteps)
	}
	return fmt.Sprintf("epoch %d/%d step %d/%d (%3.0f%%) loss %.4f lr %.3g %.1f img/s ETA %s",
		p.Epoch, p.Epochs, p.Step, p.TotalSteps, pct, p.Loss, p.LR, p.ImagesPerSec, formatETA(p.ETA))
}

func formatETA(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return d.Round(time.Second).String()
}
