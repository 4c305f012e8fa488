package trainloop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/internal/atomicfile"
)

// Files of a checkpoint folder besides the model's own (config.json, model.safetensors, and whatever else the
// driver's Save writes).
const (
	OptimizerFile = "optimizer.safetensors"
	StateFile     = "state.json"
)

// State is the content of a checkpoint's state.json: where the run was when the checkpoint was taken, and the
// driver's recipe (what decides the trajectory, compared on resume, plus what the driver records besides).
type State[R any] struct {
	// Epoch is the number of whole epochs done; a resumed run continues in this (0-based) epoch, at step
	// StepInEpoch (0 at the end of an epoch; between 1 and StepsPerEpoch−1 in a mid-epoch checkpoint).
	Epoch       int `json:"epoch"`
	StepInEpoch int `json:"step_in_epoch"`
	// Step is the number of optimizer steps done, Epoch·StepsPerEpoch + StepInEpoch.
	Step          int `json:"step"`
	StepsPerEpoch int `json:"steps_per_epoch"`
	TotalSteps    int `json:"total_steps"`
	// Recipe is the driver's own record.
	Recipe R `json:"recipe"`
}

// Position is a point in a run: StepInEpoch steps done in the (0-based) epoch Epoch.
type Position struct{ Epoch, StepInEpoch int }

// Position returns where a run resumed from this state starts.
func (s *State[R]) Position() Position { return Position{s.Epoch, s.StepInEpoch} }

// check reports an inconsistent state.
func (s *State[R]) check() error {
	if s.StepsPerEpoch <= 0 || s.Epoch < 0 || s.StepInEpoch < 0 || s.StepInEpoch >= s.StepsPerEpoch ||
		s.Step != s.Epoch*s.StepsPerEpoch+s.StepInEpoch || s.TotalSteps < 0 || s.Step > s.TotalSteps {
		return fmt.Errorf("inconsistent %s (epoch %d, step %d, step %d in the epoch, %d steps per epoch, %d in all)",
			StateFile, s.Epoch, s.Step, s.StepInEpoch, s.StepsPerEpoch, s.TotalSteps)
	}
	return nil
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

// pathOf is where the checkpoint of a run at step (stepInEpoch of epoch done) goes in dir.
func pathOf(dir string, epoch, stepInEpoch, step int) string {
	if stepInEpoch > 0 {
		return StepCheckpointPath(dir, step)
	}
	return CheckpointPath(dir, epoch)
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

// ReadState reads dir/state.json.
func ReadState[R any](dir string) (*State[R], error) {
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	var s State[R]
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %s: %w", dir, StateFile, err)
	}
	return &s, nil
}

// VerifyCheckpoint checks that dir is a complete checkpoint and returns its state: state.json reads and agrees
// with itself and with the folder's name, config.json is JSON, and the headers of model.safetensors and
// optimizer.safetensors match their files' sizes (see safetensors.CheckFile; the data are not read); the tensor
// shapes of model.safetensors are returned for the driver's own checks.
func VerifyCheckpoint[R any](dir string) (*State[R], map[string][]int, error) {
	s, err := ReadState[R](dir)
	if err != nil {
		return nil, nil, err
	}
	if err := s.check(); err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if n, step, ok := parseCheckpointName(filepath.Base(filepath.Clean(dir))); ok {
		if (step && (s.StepInEpoch == 0 || s.Step != n)) || (!step && (s.StepInEpoch != 0 || s.Epoch != n)) {
			return nil, nil, fmt.Errorf("checkpoint %s: %s records epoch %d, step %d, which is not what the folder's name says",
				dir, StateFile, s.Epoch, s.Step)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(dir, clipmodel.ConfigFile))
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if !json.Valid(cfg) {
		return nil, nil, fmt.Errorf("checkpoint %s: %s is not valid JSON", dir, clipmodel.ConfigFile)
	}
	shapes, err := safetensors.CheckFile(filepath.Join(dir, clipmodel.WeightsFile))
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if _, err := safetensors.CheckFile(filepath.Join(dir, OptimizerFile)); err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return s, shapes, nil
}

// LatestCheckpoint finds the newest valid checkpoint in dir: the one with the most steps done (between equal
// steps, the end-of-epoch one), among the folders named as CheckpointPath and StepCheckpointPath name them that
// pass VerifyCheckpoint and the driver's verify (nil: none). Folders that fail are returned in skipped, one error
// each, and never chosen; temporary folders of a checkpoint being written are not considered. It returns an error
// wrapping ErrNoCheckpoint when none is valid (including when dir does not exist).
func LatestCheckpoint[R any](dir string, verify func(dir string, s *State[R], shapes map[string][]int) error) (
	path string, state *State[R], skipped []error, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil, err
	}
	for _, e := range entries {
		if _, _, ok := parseCheckpointName(e.Name()); !ok || !e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		s, shapes, verr := VerifyCheckpoint[R](p)
		if verr == nil && verify != nil {
			verr = verify(p, s, shapes)
		}
		if verr != nil {
			skipped = append(skipped, verr)
			continue
		}
		if state == nil || s.Step > state.Step || (s.Step == state.Step && s.StepInEpoch < state.StepInEpoch) {
			path, state = p, s
		}
	}
	if state == nil {
		return "", nil, skipped, fmt.Errorf("%w in %s", ErrNoCheckpoint, dir)
	}
	return path, state, skipped, nil
}

// writeCheckpoint writes the checkpoint of state into dir and returns its folder: save writes the model's files
// and the optimizer state into a temporary folder, state.json is written last (a folder that has it has
// everything), and the folder is renamed into place whole. Temporary folders of checkpoints whose writer died are
// removed first, and mid-epoch checkpoints older than this one after it is in place.
func writeCheckpoint(dir string, save func(tmp string) error, state any, epoch, stepInEpoch, step int) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	atomicfile.RemoveStale(dir, "checkpoint_")
	final := pathOf(dir, epoch, stepInEpoch, step)
	err := atomicfile.WriteDir(final, func(tmp string) error {
		if err := save(tmp); err != nil {
			return err
		}
		data, err := json.MarshalIndent(state, "", "  ")
		if err != nil {
			return err
		}
		return atomicfile.Write(filepath.Join(tmp, StateFile), append(data, '\n'))
	})
	if err != nil {
		return "", err
	}
	removeOlderSteps(dir, step)
	return final, nil
}

// removeOlderSteps removes, in dir, the mid-epoch checkpoint folders with fewer than step steps: a newer
// checkpoint has replaced them.
func removeOlderSteps(dir string, step int) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n, isStep, ok := parseCheckpointName(e.Name()); ok && isStep && e.IsDir() && n < step {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
