// Package trainloop is the project's one training loop: fine-tuning and linear probing (package wiseft) and the
// shipped world's contrastive pretraining (package world) each bring their own batches and step function, and
// share everything around them:
//
//   - the loop itself (Loop.Run): epochs of steps, the next batch made on a goroutine while the current step runs,
//     progress after every step (Progress, TerminalProgress);
//   - stopping: when the run's context is cancelled (Ctrl-C in the command line), the step under way finishes,
//     a checkpoint of it is written and Run returns a *StoppedError naming it;
//   - checkpoints: one folder per checkpoint, named checkpoint_<epochs done> after an epoch or
//     checkpoint_step_<steps done> when a run stops mid-epoch, holding the model's files (written by the driver),
//     the optimizer state (SaveOptimizer: every non-trainable variable of the GoMLX context, for a bit-exact
//     resume) and state.json (State, written last); each folder is assembled beside and renamed into place whole
//     (atomicfile.WriteDir); VerifyCheckpoint and LatestCheckpoint check one before it is trusted;
//   - the learning-rate schedule of the paper's code (CosineLR) and gradient-norm clipping (ClipByGlobalNorm,
//     ClipToMaxNorm).
//
// A resumed run sees the batches the uninterrupted run would have seen, as long as the driver's batches depend
// only on (epoch, step), which both drivers guarantee; it then ends with the same weights, bit for bit.
package trainloop
