package trainloop

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gowiseft/wiseft/internal/console"
)

// Progress describes the training step that just finished; Loop.Run passes one to Loop.Progress after every step.
type Progress struct {
	// Epoch is the current epoch, 1-based; Epochs the number of epochs of the run.
	Epoch, Epochs int
	// StepInEpoch counts the steps done in this epoch (1-based), of StepsPerEpoch.
	StepInEpoch, StepsPerEpoch int
	// Step counts the steps done so far (1-based, across epochs, resumed steps included); TotalSteps is the
	// number the whole run takes.
	Step, TotalSteps int
	// Loss is the training loss of this step's batch (before the update); EpochMeanLoss the mean of the losses of
	// this epoch's steps run by this process.
	Loss, EpochMeanLoss float64
	// LR is the learning rate the step used; GradNorm the global gradient norm before clipping.
	LR, GradNorm float64
	// ImagesPerSec is the throughput since the first step of this process (the first step, which compiles the
	// program, is left out once there are others).
	ImagesPerSec float64
	// ETA estimates the time left for the remaining steps at that throughput.
	ETA time.Duration
	// Elapsed is the time since Run started; StepsRun and ExamplesRun count what this process did.
	Elapsed               time.Duration
	StepsRun, ExamplesRun int
}

// TerminalProgress returns a Progress function that renders training progress on w: a one-line bar rewritten in
// place with \r when w is a terminal, and plain lines (no control characters; at the first and last step and at
// most every `every` in between, every ≤ 0: after every step) otherwise, as in CI logs.
func TerminalProgress(w io.Writer, every time.Duration) func(Progress) {
	return newProgressPrinter(w, console.IsTerminal(w), every, time.Now)
}

func newProgressPrinter(w io.Writer, tty bool, every time.Duration, now func() time.Time) func(Progress) {
	var (
		mu      sync.Mutex
		last    time.Time
		lastLen int
	)
	return func(p Progress) {
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

func progressBar(p Progress, width int) string {
	done := 0
	if p.TotalSteps > 0 {
		done = min(width, width*p.Step/p.TotalSteps)
	}
	return "[" + strings.Repeat("=", done) + strings.Repeat(" ", width-done) + "]"
}

func progressText(p Progress) string {
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
