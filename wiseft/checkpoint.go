package wiseft

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/trainstate"
)

// A fine-tuning checkpoint is a folder CheckpointDir/checkpoint_<epoch> (epoch counted from 1: the number of
// epochs done), written after every epoch, or CheckpointDir/checkpoint_step_<step> (step counted from 1: the
// number of optimizer steps done), written when a run is stopped in the middle of an epoch (FineTuneConfig.Stop),
// holding
//   - the classifier in the Hugging Face layout (config.json, model.safetensors with the head), see Classifier.Save;
//   - OptimizerFile: every training variable that is not a model weight (Adam's moments and step counter, the
//     global step, the learning rate), named "<scope>/<name>" as in the GoMLX context;
//   - StateFile: CheckpointState as JSON.
//
// Each folder is assembled under a hidden temporary name and renamed into place, so a folder under one of these
// names is complete; VerifyCheckpoint and LatestCheckpoint still check every file before one is trusted (a copy
// cut short, a full disk, a file system without atomic renames).
const (
	OptimizerFile = "optimizer.safetensors"
	StateFile     = "state.json"
)

// CheckpointState is the content of a checkpoint's state.json.
type CheckpointState struct {
	// Epoch is the number of epochs done; a resumed run continues in this (0-based) epoch.
	Epoch int `json:"epoch"`
	// Step is the number of optimizer steps done, Epoch·StepsPerEpoch + StepInEpoch.
	Step int `json:"step"`
	// StepInEpoch is the number of steps done in epoch Epoch (0-based): 0 at the end of an epoch; between 1 and
	// StepsPerEpoch−1 in a mid-epoch checkpoint, which a resumed run continues at that step, with the same data
	// order and augmentation as the uninterrupted run (both depend only on the seed, the epoch and the step).
	StepInEpoch   int `json:"step_in_epoch"`
	StepsPerEpoch int `json:"steps_per_epoch"`
	TotalSteps    int `json:"total_steps"`
	// Dataset and DatasetLen identify the training set (a resume checks them).
	Dataset    string   `json:"dataset"`
	DatasetLen int      `json:"dataset_len"`
	ClassNames []string `json:"class_names"`
	// Config holds the fields of FineTuneConfig that decide the training trajectory.
	Config CheckpointConfig `json:"config"`
}

// CheckpointConfig is the serialisable part of FineTuneConfig, with defaults applied.
type CheckpointConfig struct {
	Epochs         int     `json:"epochs"`
	BatchSize      int     `json:"batch_size"`
	LR             float64 `json:"lr"`
	WeightDecay    float64 `json:"weight_decay"`
	WarmupSteps    int     `json:"warmup_steps"`
	LabelSmoothing float64 `json:"label_smoothing"`
	GradClipNorm   float64 `json:"grad_clip_norm"`
	Seed           uint64  `json:"seed"`
	FreezeEncoder  bool    `json:"freeze_encoder"`
}

func checkpointConfig(c FineTuneConfig) CheckpointConfig {
	return CheckpointConfig{Epochs: c.Epochs, BatchSize: c.BatchSize, LR: c.LR, WeightDecay: c.WeightDecay,
		WarmupSteps: c.WarmupSteps, LabelSmoothing: c.LabelSmoothing, GradClipNorm: c.GradClipNorm, Seed: c.Seed,
		FreezeEncoder: c.FreezeEncoder}
}

// CheckpointPath is the folder of the checkpoint written after epoch epochs (1-based) in dir.
func CheckpointPath(dir string, epoch int) string {
	return filepath.Join(dir, fmt.Sprintf("checkpoint_%d", epoch))
}

// StepCheckpointPath is the folder of the mid-epoch checkpoint written after step steps (1-based, counted across
// epochs) in dir.
func StepCheckpointPath(dir string, step int) string {
	return filepath.Join(dir, fmt.Sprintf("checkpoint_step_%d", step))
}

// checkpointPathOf is where state's checkpoint goes in dir.
func checkpointPathOf(dir string, state *CheckpointState) string {
	if state.StepInEpoch > 0 {
		return StepCheckpointPath(dir, state.Step)
	}
	return CheckpointPath(dir, state.Epoch)
}

// parseCheckpointName reads a checkpoint folder's name: checkpoint_<epoch> (step false) or
// checkpoint_step_<step> (step true).
func parseCheckpointName(name string) (n int, step bool, ok bool) {
	rest, found := strings.CutPrefix(name, "checkpoint_")
	if !found {
		return 0, false, false
	}
	rest, step = strings.CutPrefix(rest, "step_")
	v, err := strconv.Atoi(rest)
	if err != nil || v < 0 || strconv.Itoa(v) != rest {
		return 0, false, false
	}
	return v, step, true
}

// ErrNoCheckpoint is returned by LatestCheckpoint when a folder holds no valid checkpoint.
var ErrNoCheckpoint = errors.New("no checkpoint")

// VerifyCheckpoint checks that dir is a complete checkpoint and returns its state: state.json reads and agrees
// with the folder's name and with itself, config.json is JSON, and the headers of model.safetensors and
// optimizer.safetensors match their files' sizes (see safetensors.CheckFile; the data are not read).
func VerifyCheckpoint(dir string) (*CheckpointState, error) {
	s, err := ReadCheckpointState(dir)
	if err != nil {
		return nil, err
	}
	if s.StepsPerEpoch <= 0 || s.Epoch < 0 || s.StepInEpoch < 0 || s.StepInEpoch >= s.StepsPerEpoch ||
		s.Step != s.Epoch*s.StepsPerEpoch+s.StepInEpoch {
		return nil, fmt.Errorf("checkpoint %s: inconsistent %s (epoch %d, step %d, step %d in the epoch, %d steps per epoch)",
			dir, StateFile, s.Epoch, s.Step, s.StepInEpoch, s.StepsPerEpoch)
	}
	if n, step, ok := parseCheckpointName(filepath.Base(filepath.Clean(dir))); ok {
		if (step && (s.StepInEpoch == 0 || s.Step != n)) || (!step && (s.StepInEpoch != 0 || s.Epoch != n)) {
			return nil, fmt.Errorf("checkpoint %s: %s records epoch %d, step %d, which is not what the folder's name says",
				dir, StateFile, s.Epoch, s.Step)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(dir, clipmodel.ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if !json.Valid(cfg) {
		return nil, fmt.Errorf("checkpoint %s: %s is not valid JSON", dir, clipmodel.ConfigFile)
	}
	shapes, err := safetensors.CheckFile(filepath.Join(dir, clipmodel.WeightsFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if _, ok := shapes[HeadWeight]; !ok {
		return nil, fmt.Errorf("checkpoint %s: %s has no classification head", dir, clipmodel.WeightsFile)
	}
	if _, err := safetensors.CheckFile(filepath.Join(dir, OptimizerFile)); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return s, nil
}

// LatestCheckpoint finds the newest valid checkpoint in dir (a CheckpointDir): the one with the most steps done,
// among the folders named as CheckpointPath and StepCheckpointPath name them that pass VerifyCheckpoint. Folders
// that fail it are returned in skipped, one error each, and never chosen; temporary folders of a checkpoint
// being written are not considered. It returns an error wrapping ErrNoCheckpoint when none is valid (including
// when dir does not exist).
func LatestCheckpoint(dir string) (path string, state *CheckpointState, skipped []error, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil, err
	}
	for _, e := range entries {
		if _, _, ok := parseCheckpointName(e.Name()); !ok || !e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		s, verr := VerifyCheckpoint(p)
		if verr != nil {
			skipped = append(skipped, verr)
			continue
		}
		// The most steps wins; between equal steps, the end-of-epoch checkpoint.
		if state == nil || s.Step > state.Step || (s.Step == state.Step && s.StepInEpoch < state.StepInEpoch) {
			path, state = p, s
		}
	}
	if state == nil {
		return "", nil, skipped, fmt.Errorf("%w in %s", ErrNoCheckpoint, dir)
	}
	return path, state, skipped, nil
}

// ReadCheckpointState reads dir/state.json.
func ReadCheckpointState(dir string) (*CheckpointState, error) {
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	var s CheckpointState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %s: %w", dir, StateFile, err)
	}
	return &s, nil
}

// LoadCheckpoint opens the classifier of a checkpoint folder (with the class names its state.json records).
func LoadCheckpoint(dir string) (*Classifier, *CheckpointState, error) {
	s, err := ReadCheckpointState(dir)
	if err != nil {
		return nil, nil, err
	}
	c, err := LoadClassifier(dir, s.ClassNames)
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

// writeCheckpoint writes cls, the non-model variables of ctx and state to the checkpoint folder of state in dir
// (CheckpointPath, or StepCheckpointPath for a mid-epoch state) and returns its path. The folder is assembled
// under a temporary name, every file synced, and renamed into place, so a crash never leaves a half-written
// checkpoint under the final name. Temporary folders left by an earlier crash are removed first, and mid-epoch
// checkpoints older than this one are removed after it is in place.
func writeCheckpoint(dir string, cls *Classifier, ctx *context.Context, state *CheckpointState) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	trainstate.RemoveStale(dir, "checkpoint_")
	final := checkpointPathOf(dir, state)
	tmp, err := trainstate.TempDir(final)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := cls.Save(tmp); err != nil {
		return "", err
	}
	if err := trainstate.Save(filepath.Join(tmp, OptimizerFile), ctx, cls.Model.Weights); err != nil {
		return "", err
	}
	stateJSON, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return "", err
	}
	// state.json last: a folder that has it has everything (each file was synced by its atomic write).
	if err := atomicfile.Write(filepath.Join(tmp, StateFile), append(stateJSON, '\n')); err != nil {
		return "", err
	}
	if err := trainstate.SwapDir(tmp, final); err != nil {
		return "", err
	}
	trainstate.RemoveOlderSteps(dir, "checkpoint_step_", state.Step)
	return final, nil
}
