package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/gowiseft/wiseft/wiseft"
)

// exitError is an error with its own exit status (an interrupted run exits 128 + the signal's number, as a shell
// reports a process killed by that signal).
type exitError struct {
	msg  string
	code int
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }

// signalWatch turns the first SIGINT or SIGTERM into the cancellation of a context, so training ends after the
// step under way with a checkpoint; a second one quits at once (the checkpoints already written are complete:
// they are renamed into place whole).
type signalWatch struct {
	ctx      context.Context
	cancel   context.CancelFunc
	ch       chan os.Signal
	done     chan struct{}
	mu       sync.Mutex
	received os.Signal
}

func watchSignals(command string) *signalWatch {
	watching.Add(1)
	ctx, cancel := context.WithCancel(context.Background())
	w := &signalWatch{ctx: ctx, cancel: cancel, ch: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(w.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for {
			select {
			case <-w.done:
				return
			case sig := <-w.ch:
				w.mu.Lock()
				first := w.received == nil
				if first {
					w.received = sig
				}
				w.mu.Unlock()
				if first {
					fmt.Fprintf(os.Stderr, "\nwiseft %s: %s: stopping after the current step and saving a checkpoint (send it again to quit at once)\n", command, signalName(sig))
					w.cancel()
					continue
				}
				fmt.Fprintf(os.Stderr, "wiseft %s: second %s: quitting now; the checkpoints already written are kept, run the same command with --resume to continue\n", command, signalName(sig))
				runBeforeExit()
				os.Exit(signalExitCode(sig))
			}
		}
	}()
	return w
}

// watching counts the signal watches in force: while one is, a SIGINT or SIGTERM is theirs to handle.
var watching atomic.Int32

// beforeExit holds what must be done before the process ends through os.Exit, which skips deferred calls: writing
// out the CPU profile, which would otherwise be left empty.
var beforeExit struct {
	mu  sync.Mutex
	fns []func()
}

// atExit adds f to what runBeforeExit does.
func atExit(f func()) {
	beforeExit.mu.Lock()
	defer beforeExit.mu.Unlock()
	beforeExit.fns = append(beforeExit.fns, f)
}

// runBeforeExit does, once each, what atExit was given.
func runBeforeExit() {
	beforeExit.mu.Lock()
	fns := beforeExit.fns
	beforeExit.fns = nil
	beforeExit.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// signal returns the first signal received, or nil.
func (w *signalWatch) signal() os.Signal {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.received
}

// release restores the default handling of the signals.
func (w *signalWatch) release() {
	watching.Add(-1)
	signal.Stop(w.ch)
	close(w.done)
	w.cancel()
}

func signalName(sig os.Signal) string {
	if sig == nil {
		return "a stop request"
	}
	if s, ok := sig.(syscall.Signal); ok {
		switch s {
		case syscall.SIGINT:
			return "SIGINT"
		case syscall.SIGTERM:
			return "SIGTERM"
		}
	}
	return sig.String()
}

func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// fineTuneInterruptible runs wiseft.FineTune with cfg and run, and turns SIGINT/SIGTERM into a checkpoint and a
// one-line error that says how to continue.
func fineTuneInterruptible(train func(context.Context) (*wiseft.Classifier, error), cfg wiseft.FineTuneConfig, run wiseft.TrainRun, f runFlags) (*wiseft.Classifier, error) {
	w := watchSignals("run")
	ft, err := train(w.ctx)
	w.release()
	sig := w.signal()
	var stopped *wiseft.StoppedError
	switch {
	case errors.As(err, &stopped):
		return nil, &exitError{code: signalExitCode(sig), msg: fmt.Sprintf("interrupted by %s: %s; %s",
			signalName(sig), stopped.Error(), resumeHint(f, stopped.Checkpoint))}
	case err != nil:
		return nil, err
	case sig != nil:
		// The signal came during the last step: the run is complete, so keep it, then stop as asked.
		if err := saveClassifier(ft, filepath.Join(f.save, "finetuned")); err != nil {
			return nil, err
		}
		return nil, &exitError{code: signalExitCode(sig), msg: fmt.Sprintf("interrupted by %s after the last step: "+
			"the fine-tuned classifier is saved in %s; %s", signalName(sig), filepath.Join(f.save, "finetuned"),
			resumeHint(f, wiseft.CheckpointPath(run.CheckpointDir, cfg.Epochs)))}
	}
	return ft, nil
}

// resumeHint says how to continue from checkpoint.
func resumeHint(f runFlags, checkpoint string) string {
	if checkpoint == "" {
		return "nothing was saved: run the same command again to start over"
	}
	if filepath.Dir(checkpoint) == filepath.Join(f.save, "checkpoints") {
		return "to continue, run the same command with --resume"
	}
	return "to continue, run the same command with --resume " + checkpoint
}

// resumeCheckpoint returns the checkpoint a fine-tuning run starts from ("" for a fresh start), from --resume:
// absent, a fresh start, refused when <save>/checkpoints already holds a checkpoint (it would be overwritten);
// "--resume", the newest valid checkpoint under <save>/checkpoints, or a fresh start when there is none;
// "--resume DIR", DIR itself when it is a checkpoint, else the newest valid checkpoint under DIR. Damaged
// checkpoint folders are reported on standard error and never used.
func resumeCheckpoint(f runFlags) (string, error) {
	own := filepath.Join(f.save, "checkpoints")
	if !f.resumeSet {
		if path, _, _, err := wiseft.LatestCheckpoint(own); err == nil {
			return "", usagef("%s holds the checkpoints of an earlier run (newest: %s): pass --resume to continue it, "+
				"or choose another --save (or remove that folder) to start over", own, filepath.Base(path))
		}
		return "", nil
	}
	dir := f.resume
	if dir == "" {
		dir = own
	}
	if _, err := os.Stat(filepath.Join(dir, wiseft.StateFile)); err == nil {
		state, err := wiseft.VerifyCheckpoint(dir)
		if err != nil {
			return "", fmt.Errorf("--resume: %w", err)
		}
		if err := checkResumeRecipe(f, dir, state.Recipe); err != nil {
			return "", err
		}
		reportResume(dir, state)
		return dir, nil
	}
	if f.resume != "" {
		if _, err := os.Stat(dir); err != nil {
			return "", fmt.Errorf("--resume: %w", err)
		}
	}
	path, state, skipped, err := wiseft.LatestCheckpoint(dir)
	for _, s := range skipped {
		fmt.Fprintf(os.Stderr, "wiseft run: warning: not resuming from a damaged checkpoint: %s\n", oneLine(s.Error()))
	}
	if errors.Is(err, wiseft.ErrNoCheckpoint) {
		if f.resume == "" {
			fmt.Fprintf(os.Stderr, "wiseft run: --resume: no checkpoint in %s yet; starting from the first step\n", dir)
			return "", nil
		}
		return "", fmt.Errorf("--resume: no valid checkpoint in %s", dir)
	}
	if err != nil {
		return "", fmt.Errorf("--resume: %w", err)
	}
	if err := checkResumeRecipe(f, path, state.Recipe); err != nil {
		return "", err
	}
	reportResume(path, state)
	return path, nil
}

func reportResume(path string, s *wiseft.CheckpointState) {
	fmt.Fprintf(os.Stderr, "resuming from %s: %d of %d steps done (epoch %d, step %d of %d in it)\n",
		path, s.Step, s.TotalSteps, s.Epoch+1, s.StepInEpoch, s.StepsPerEpoch)
}

// takeOptionalValueFlag removes the flag name from args, with its value when it has one ("--name=V", or
// "--name V" where V does not start with "-"); set reports whether it was there at all. The flag package cannot
// parse a flag whose value is optional.
func takeOptionalValueFlag(args []string, name string) (rest []string, value string, set bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		trimmed := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if !strings.HasPrefix(a, "-") || (trimmed != name && !strings.HasPrefix(trimmed, name+"=")) {
			rest = append(rest, a)
			continue
		}
		set = true
		if v, ok := strings.CutPrefix(trimmed, name+"="); ok {
			value = v
		} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			value = args[i]
		}
	}
	return rest, value, set
}

// checkResumeRecipe refuses, before any work, a --resume from a checkpoint written with other settings than the
// flags ask for: another method, another fine-tuning setting (--epochs aside) or, for LP-FT, another linear probe.
// It names each differing setting by its flag, with this run's value and the checkpoint's.
func checkResumeRecipe(f runFlags, path string, r wiseft.FineTuneRecipe) error {
	cfg, probe := fineTuneConfigs(f)
	cfg.FLYP = f.method == methodFLYP
	var diffs []string
	if got := r.RecipeMethod(); got != f.method {
		diffs = append(diffs, fmt.Sprintf("method %s, the checkpoint's %s", f.method, got))
	}
	diffs = append(diffs, configDiffs("", cfg, r.Config)...)
	if f.method == methodLPFT && r.Probe != nil {
		diffs = append(diffs, configDiffs("probe-", probe, *r.Probe)...)
	}
	if len(diffs) == 0 {
		return nil
	}
	return usagef("--resume: %s was trained with other settings than this run asks for: %s (start over with "+
		"another --save, or resume with the checkpoint's settings)", path, strings.Join(diffs, "; "))
}

// configDiffs lists the settings (Epochs aside, which a resume may change) in which want differs from saved, as
// "--flag WANT, the checkpoint's SAVED"; prefix is put before the flag names of the settings that have one
// (LP-FT's probe: only --probe-epochs and --probe-lr are its own flags, the rest follow the fine-tuning's).
func configDiffs(prefix string, want, saved wiseft.FineTuneConfig) []string {
	var out []string
	add := func(name string, w, s any) {
		if w != s {
			out = append(out, fmt.Sprintf("%s %v, the checkpoint's %v", name, w, s))
		}
	}
	if prefix != "" {
		add("--probe-epochs", want.Epochs, saved.Epochs)
		add("--probe-lr", want.LR, saved.LR)
		want.Epochs, want.LR = saved.Epochs, saved.LR
		if want != saved {
			out = append(out, "the linear probe's other settings")
		}
		return out
	}
	add("--batch-size", want.BatchSize, saved.BatchSize)
	add("--lr", want.LR, saved.LR)
	add("--wd", want.WeightDecay, saved.WeightDecay)
	add("--warmup_length", want.WarmupSteps, saved.WarmupSteps)
	add("--ls", want.LabelSmoothing, saved.LabelSmoothing)
	add("gradient clipping", want.GradClipNorm, saved.GradClipNorm)
	add("--seed", want.Seed, saved.Seed)
	add("--freeze-encoder", want.FreezeEncoder, saved.FreezeEncoder)
	add("--bf16", want.BF16, saved.BF16)
	add("--shards", want.Shards, saved.Shards)
	return out
}
