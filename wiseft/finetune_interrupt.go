package wiseft

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrInterrupted is matched (errors.Is) by the error FineTune returns when FineTuneConfig.Stop fired.
var ErrInterrupted = errors.New("fine-tuning interrupted")

// InterruptedError is FineTune's error when FineTuneConfig.Stop fired: where the run stopped and the checkpoint
// to resume from (FineTuneConfig.ResumeFrom).
type InterruptedError struct {
	// Epoch is the epoch under way (1-based) of Epochs; StepInEpoch steps of it were done, of StepsPerEpoch.
	Epoch, Epochs, StepInEpoch, StepsPerEpoch int
	// Step is the number of steps done (across epochs) of TotalSteps.
	Step, TotalSteps int
	// Checkpoint is the folder holding the state after Step steps, or "" when none was written (no
	// CheckpointDir, and no checkpoint to start from).
	Checkpoint string
}

func (e *InterruptedError) Error() string {
	where := fmt.Sprintf("fine-tuning stopped after step %d of %d (epoch %d/%d, step %d of %d in the epoch)",
		e.Step, e.TotalSteps, e.Epoch, e.Epochs, e.StepInEpoch, e.StepsPerEpoch)
	if e.StepInEpoch == 0 && e.Step > 0 {
		where = fmt.Sprintf("fine-tuning stopped after step %d of %d (at the end of epoch %d/%d)",
			e.Step, e.TotalSteps, e.Epoch-1, e.Epochs)
	}
	if e.Checkpoint == "" {
		return where + "; no checkpoint was written"
	}
	return where + "; checkpoint in " + e.Checkpoint
}

// Is makes errors.Is(err, ErrInterrupted) true.
func (e *InterruptedError) Is(target error) bool { return target == ErrInterrupted }

// TerminalProgressEvery is TerminalProgress with another interval between the plain lines written when w is not
// a terminal (every ≤ 0: a line after every step).
func TerminalProgressEvery(w io.Writer, every time.Duration) func(ProgressInfo) {
	return newProgressPrinter(w, isTerminal(w), every, time.Now)
}
