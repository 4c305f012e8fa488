package world

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/trainstate"
)

// A pretraining checkpoint is a folder of PretrainConfig.CheckpointDir: epoch_<k> after k epochs, or step_<n>
// when a run is stopped after n steps in the middle of an epoch. It holds the model in the Hugging Face layout
// (with its tokenizer), OptimizerFile (AdamW's state: every non-weight variable of the training context) and
// StateFile (PretrainState as JSON, written last). Each folder is assembled under a hidden name and renamed into
// place whole, so a kill never leaves a torn checkpoint; a resumed run continues bit for bit.
const (
	OptimizerFile = "optimizer.safetensors"
	StateFile     = "state.json"
)

// PretrainState is the content of a pretraining checkpoint's state.json.
type PretrainState struct {
	// Epoch is the number of whole epochs done; a resumed run continues in this (0-based) epoch, at step
	// StepInEpoch (0 after a whole epoch).
	Epoch         int `json:"epoch"`
	StepInEpoch   int `json:"step_in_epoch"`
	Step          int `json:"step"` // optimizer steps done: Epoch·StepsPerEpoch + StepInEpoch
	StepsPerEpoch int `json:"steps_per_epoch"`
	TotalSteps    int `json:"total_steps"`
	// Recipe holds the settings that decide the run's trajectory; a resume must ask for the same.
	Recipe PretrainRecipe `json:"recipe"`
}

// PretrainRecipe is the part of PretrainConfig that decides the weights a run ends with.
type PretrainRecipe struct {
	Pairs             int     `json:"pairs"`
	CorpusSeed        uint64  `json:"corpus_seed"`
	HandwritingWeight float64 `json:"handwriting_weight"`
	Epochs            int     `json:"epochs"`
	BatchSize         int     `json:"batch_size"`
	LR                float64 `json:"lr"`
	WeightDecay       float64 `json:"weight_decay"`
	WarmupSteps       int     `json:"warmup_steps"`
	Merges            int     `json:"merges"`
	Seed              uint64  `json:"seed"`
}

// Recipe returns the trajectory-deciding settings of c.
func (c PretrainConfig) Recipe() PretrainRecipe {
	return PretrainRecipe{
		Pairs: c.Corpus.Pairs, CorpusSeed: c.Corpus.Seed, HandwritingWeight: c.Corpus.HandwritingWeight,
		Epochs: c.Epochs, BatchSize: c.BatchSize, LR: c.LR, WeightDecay: c.WeightDecay, WarmupSteps: c.WarmupSteps,
		Merges: c.Merges, Seed: c.Seed,
	}
}

// PretrainCheckpointPath is the folder of the checkpoint after state's steps in dir.
func PretrainCheckpointPath(dir string, state PretrainState) string {
	if state.StepInEpoch == 0 {
		return filepath.Join(dir, "epoch_"+strconv.Itoa(state.Epoch))
	}
	return filepath.Join(dir, "step_"+strconv.Itoa(state.Step))
}

// ErrNoPretrainCheckpoint is returned by LatestPretrainCheckpoint when a folder holds no complete checkpoint.
var ErrNoPretrainCheckpoint = errors.New("no pretraining checkpoint")

// ReadPretrainCheckpoint checks that dir is a complete pretraining checkpoint and returns its state.
func ReadPretrainCheckpoint(dir string) (*PretrainState, error) {
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return nil, err
	}
	var st PretrainState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, StateFile), err)
	}
	if st.StepsPerEpoch <= 0 || st.Step != st.Epoch*st.StepsPerEpoch+st.StepInEpoch || st.StepInEpoch < 0 ||
		st.StepInEpoch >= st.StepsPerEpoch || st.Step > st.TotalSteps {
		return nil, fmt.Errorf("%s: inconsistent state %+v", filepath.Join(dir, StateFile), st)
	}
	for _, f := range []string{clipmodel.ConfigFile, clipmodel.WeightsFile, OptimizerFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
	}
	return &st, nil
}

// LatestPretrainCheckpoint returns the complete checkpoint of dir with the most steps done, or
// ErrNoPretrainCheckpoint.
func LatestPretrainCheckpoint(dir string) (string, *PretrainState, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return "", nil, err
	}
	var (
		best      string
		bestState *PretrainState
	)
	for _, e := range entries {
		if !e.IsDir() || !(strings.HasPrefix(e.Name(), "epoch_") || strings.HasPrefix(e.Name(), "step_")) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		st, err := ReadPretrainCheckpoint(path)
		if err != nil {
			continue // a damaged folder is never resumed from
		}
		if bestState == nil || st.Step > bestState.Step {
			best, bestState = path, st
		}
	}
	if bestState == nil {
		return "", nil, fmt.Errorf("%s: %w", dir, ErrNoPretrainCheckpoint)
	}
	return best, bestState, nil
}

// writePretrainCheckpoint writes model, the optimizer state of the training context and state into dir and
// returns the folder. Older mid-epoch checkpoints are removed once it is in place.
func writePretrainCheckpoint(dir string, model *clipmodel.Model, st *stepper, state PretrainState) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	trainstate.RemoveStale(dir, "epoch_")
	trainstate.RemoveStale(dir, "step_")
	final := PretrainCheckpointPath(dir, state)
	tmp, err := trainstate.TempDir(final)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := model.Save(tmp); err != nil {
		return "", err
	}
	if err := trainstate.Save(filepath.Join(tmp, OptimizerFile), st.ctx, model.Weights); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(tmp, StateFile), append(data, '\n')); err != nil {
		return "", err
	}
	if err := trainstate.SwapDir(tmp, final); err != nil {
		return "", err
	}
	trainstate.RemoveOlderSteps(dir, "step_", state.Step)
	return final, nil
}

// checkModelFolder returns an error when dir exists and holds anything but a model's files: the folder is
// replaced whole at the end of a run, and must not take anything else with it.
func checkModelFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		switch e.Name() {
		case clipmodel.ConfigFile, clipmodel.WeightsFile, "vocab.json", "merges.txt":
		default:
			return fmt.Errorf("refusing to write the model to %s: the folder is replaced whole and it holds %s, "+
				"which is not part of a model; choose an empty or new folder", dir, e.Name())
		}
	}
	return nil
}

// saveModelWhole writes model to dir as one unit: assembled under a hidden name beside dir and swapped in, so a
// kill leaves either the folder that was there before or the whole new model.
func saveModelWhole(model *clipmodel.Model, dir string) error {
	if err := checkModelFolder(dir); err != nil {
		return err
	}
	return atomicfile.WriteDir(dir, model.Save)
}
