package trainloop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gowiseft/wiseft/internal/parallel"
)

// Loop runs the steps of a training run. B is the driver's batch type. The zero values of the optional fields
// turn their feature off.
type Loop[B any] struct {
	// Epochs and StepsPerEpoch shape the run; Epochs·StepsPerEpoch is its number of steps.
	Epochs, StepsPerEpoch int
	// StopAfterEpoch, when positive, ends the run after that epoch (counted from 1) and its checkpoint, as a stop
	// would (Run returns a *StoppedError); resuming continues it. The run's length still counts Epochs.
	StopAfterEpoch int

	// Batch makes the batch of step stepInEpoch of epoch (both 0-based). It runs on a goroutine of its own, in
	// step order, one batch ahead of the step that runs, and must depend only on its arguments (and the run's
	// settings) so a resumed run sees the same batches. A panic in it is returned as an error.
	Batch func(epoch, stepInEpoch int) (B, error)
	// Release, when set, frees a batch made but never stepped (the run stopped or failed).
	Release func(B)
	// Step runs one optimizer step on b. It owns b.
	Step func(epoch, stepInEpoch int, b B) (StepStats, error)

	// Dir, when set, receives a checkpoint after every epoch and one of the step under way when the run stops
	// mid-epoch. Save writes the checkpoint's files other than state.json into the folder it is given (the model
	// and SaveOptimizer's file); Recipe is recorded in state.json.
	Dir    string
	Save   func(dir string) error
	Recipe any
	// ResumedFrom is the checkpoint the run starts from, if any: when the run stops before its first step, that
	// checkpoint is the one to resume from.
	ResumedFrom string

	// AfterEpoch, when set, is called after each epoch (1-based count of epochs done) and its checkpoint.
	AfterEpoch func(epoch int) error
	// Progress, when set, is called after every step.
	Progress func(Progress)
}

// StepStats is what a step reports.
type StepStats struct {
	// Loss of the step's batch (before the update); LR the learning rate it used; GradNorm the global gradient
	// norm before clipping (0 when the driver does not compute it).
	Loss, LR, GradNorm float64
	// Examples is the number of real (unpadded) examples of the batch.
	Examples int
}

// StoppedError is Run's error when the run's context was cancelled (or StopAfterEpoch ended it): where it stopped
// and the checkpoint to resume from. errors.Is(err, ErrStopped) matches it.
type StoppedError struct {
	// Epoch is the epoch under way (1-based) of Epochs; StepInEpoch steps of it were done, of StepsPerEpoch.
	Epoch, Epochs, StepInEpoch, StepsPerEpoch int
	// Step is the number of steps done (across epochs) of TotalSteps.
	Step, TotalSteps int
	// Checkpoint is the folder holding the state after Step steps, or "" when none exists (no Dir, and no
	// checkpoint to start from).
	Checkpoint string
	// What names the kind of run in the message ("fine-tuning", "pretraining").
	What string
}

// ErrStopped is matched by a *StoppedError.
var ErrStopped = errors.New("training stopped")

func (e *StoppedError) Error() string {
	what := e.What
	if what == "" {
		what = "training"
	}
	where := fmt.Sprintf("%s stopped after step %d of %d (epoch %d/%d, step %d of %d in the epoch)",
		what, e.Step, e.TotalSteps, e.Epoch, e.Epochs, e.StepInEpoch, e.StepsPerEpoch)
	if e.StepInEpoch == 0 && e.Step > 0 {
		where = fmt.Sprintf("%s stopped after step %d of %d (at the end of epoch %d/%d)",
			what, e.Step, e.TotalSteps, e.Epoch-1, e.Epochs)
	}
	if e.Checkpoint == "" {
		return where + "; no checkpoint was written"
	}
	return where + "; checkpoint in " + e.Checkpoint
}

// Is makes errors.Is(err, ErrStopped) true.
func (e *StoppedError) Is(target error) bool { return target == ErrStopped }

// made is one batch from the producer goroutine.
type made[B any] struct {
	b   B
	err error
}

// Run trains from position from (a fresh run: Position{}) to the end of the run, or until ctx is cancelled: then
// the step under way finishes, a checkpoint of it is written to Dir (at an epoch boundary the epoch's own
// checkpoint serves), and Run returns a *StoppedError naming it.
func (l *Loop[B]) Run(ctx context.Context, from Position) error {
	if l.Epochs < 0 || l.StepsPerEpoch <= 0 || l.Batch == nil || l.Step == nil {
		return fmt.Errorf("trainloop: %d epochs of %d steps, Batch and Step set: %v, %v",
			l.Epochs, l.StepsPerEpoch, l.Batch != nil, l.Step != nil)
	}
	if l.Dir != "" && l.Save == nil {
		return fmt.Errorf("trainloop: a checkpoint folder without a Save function")
	}
	last := l.Epochs
	if l.StopAfterEpoch > 0 {
		last = min(last, l.StopAfterEpoch)
	}
	if from.Epoch >= last {
		return nil
	}
	quit := make(chan struct{})
	defer close(quit)
	batches := l.produce(quit, from, last)
	start := time.Now()
	var (
		firstEnd                 time.Time
		run, examples, firstSeen int
		epochLoss                float64
	)
	for epoch := from.Epoch; epoch < last; epoch++ {
		first := 0
		if epoch == from.Epoch {
			first = from.StepInEpoch
		}
		epochLoss = 0
		for step := first; step < l.StepsPerEpoch; step++ {
			if ctx.Err() != nil {
				return l.stop(epoch, step, run)
			}
			m, ok := <-batches
			if !ok {
				return fmt.Errorf("the data loader stopped early")
			}
			if m.err != nil {
				return m.err
			}
			global := epoch*l.StepsPerEpoch + step
			st, err := l.Step(epoch, step, m.b)
			if err != nil {
				return err
			}
			run++
			examples += st.Examples
			epochLoss += st.Loss
			if l.Progress == nil {
				continue
			}
			now := time.Now()
			var rate float64
			if run == 1 {
				firstEnd, firstSeen = now, examples
				rate = float64(examples) / now.Sub(start).Seconds()
			} else {
				rate = float64(examples-firstSeen) / now.Sub(firstEnd).Seconds()
			}
			var eta time.Duration
			if left := l.Epochs*l.StepsPerEpoch - (global + 1); rate > 0 && run > 0 {
				eta = time.Duration(float64(left) * float64(examples) / float64(run) / rate * float64(time.Second))
			}
			l.Progress(Progress{Epoch: epoch + 1, Epochs: l.Epochs, StepInEpoch: step + 1,
				StepsPerEpoch: l.StepsPerEpoch, Step: global + 1, TotalSteps: l.Epochs * l.StepsPerEpoch,
				Loss: st.Loss, LR: st.LR, GradNorm: st.GradNorm, EpochMeanLoss: epochLoss / float64(step+1-first),
				ImagesPerSec: rate, ETA: eta, Elapsed: now.Sub(start), StepsRun: run, ExamplesRun: examples})
		}
		if l.Dir != "" {
			if _, err := l.checkpoint(epoch+1, 0); err != nil {
				return fmt.Errorf("checkpoint after epoch %d: %w", epoch+1, err)
			}
		}
		if l.AfterEpoch != nil {
			if err := l.AfterEpoch(epoch + 1); err != nil {
				return err
			}
		}
	}
	if last < l.Epochs {
		return l.stop(last, 0, run)
	}
	return nil
}

// produce makes the batches from from to the end of epoch last−1 on a goroutine, one ahead of the consumer: the
// channel is unbuffered, so at most one finished batch waits while a step runs. Closing quit stops it; after a
// batch with an error the channel is closed.
func (l *Loop[B]) produce(quit <-chan struct{}, from Position, last int) <-chan made[B] {
	out := make(chan made[B])
	go func() {
		defer close(out)
		for epoch := from.Epoch; epoch < last; epoch++ {
			first := 0
			if epoch == from.Epoch {
				first = from.StepInEpoch
			}
			for step := first; step < l.StepsPerEpoch; step++ {
				var m made[B]
				if err := parallel.Recovered(func() error {
					var err error
					m.b, err = l.Batch(epoch, step)
					return err
				}); err != nil {
					m.err = err
				}
				select {
				case out <- m:
				case <-quit:
					if m.err == nil && l.Release != nil {
						l.Release(m.b)
					}
					return
				}
				if m.err != nil {
					return
				}
			}
		}
	}()
	return out
}

// stop ends a run stopped before step stepInEpoch of epoch (0-based), after run steps in this process: it writes
// a mid-epoch checkpoint when the steps done since the last checkpoint would otherwise be lost.
func (l *Loop[B]) stop(epoch, stepInEpoch, run int) error {
	e := &StoppedError{Epoch: epoch + 1, Epochs: l.Epochs, StepInEpoch: stepInEpoch, StepsPerEpoch: l.StepsPerEpoch,
		Step: epoch*l.StepsPerEpoch + stepInEpoch, TotalSteps: l.Epochs * l.StepsPerEpoch}
	switch {
	case run == 0:
		e.Checkpoint = l.ResumedFrom // nothing new since the checkpoint this run started from
	case l.Dir == "":
	case stepInEpoch == 0:
		e.Checkpoint = CheckpointPath(l.Dir, epoch) // written at the end of the previous epoch
	default:
		path, err := l.checkpoint(epoch, stepInEpoch)
		if err != nil {
			return fmt.Errorf("stopped at step %d, but writing its checkpoint failed: %w", e.Step, err)
		}
		e.Checkpoint = path
	}
	return e
}

// checkpoint writes the checkpoint after stepInEpoch steps of epoch (0-based; stepInEpoch 0: the end of epoch−1).
func (l *Loop[B]) checkpoint(epoch, stepInEpoch int) (string, error) {
	step := epoch*l.StepsPerEpoch + stepInEpoch
	state := State[any]{Epoch: epoch, StepInEpoch: stepInEpoch, Step: step, StepsPerEpoch: l.StepsPerEpoch,
		TotalSteps: l.Epochs * l.StepsPerEpoch, Recipe: l.Recipe}
	return writeCheckpoint(l.Dir, l.Save, state, epoch, stepInEpoch, step)
}
