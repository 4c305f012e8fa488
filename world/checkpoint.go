package world

import (
	"fmt"
	"os"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/trainloop"
)

// PretrainState is the content of a pretraining checkpoint's state.json: the run's position and its recipe. A
// pretraining checkpoint is a folder named and written as a fine-tuning one (internal/trainloop serves both),
// holding the model with its tokenizer.
type PretrainState = trainloop.State[PretrainRecipe]

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
	InitFrom          string  `json:"init_from,omitempty"`
	StyledHandwriting float64 `json:"styled_handwriting,omitempty"`
	Width             int     `json:"width,omitempty"`
}

// Recipe returns the trajectory-deciding settings of c.
func (c PretrainConfig) Recipe() PretrainRecipe {
	return PretrainRecipe{
		Pairs: c.Corpus.Pairs, CorpusSeed: c.Corpus.Seed, HandwritingWeight: c.Corpus.HandwritingWeight,
		Epochs: c.Epochs, BatchSize: c.BatchSize, LR: c.LR, WeightDecay: c.WeightDecay, WarmupSteps: c.WarmupSteps,
		Merges: c.Merges, Seed: c.Seed, InitFrom: c.InitFrom, StyledHandwriting: c.Corpus.StyledHandwriting,
		Width: c.recipeWidth(),
	}
}

// recipeWidth is the width as recipes record it: 0 for the shipped width, as in the recipes of the checkpoints
// made before the width could be chosen.
func (c PretrainConfig) recipeWidth() int {
	if c.Width == DefaultWidth {
		return 0
	}
	return c.Width
}

// ErrNoPretrainCheckpoint is returned by LatestPretrainCheckpoint when a folder holds no complete checkpoint.
var ErrNoPretrainCheckpoint = trainloop.ErrNoCheckpoint

// ReadPretrainCheckpoint checks that dir is a complete pretraining checkpoint and returns its state.
func ReadPretrainCheckpoint(dir string) (*PretrainState, error) {
	s, _, err := trainloop.VerifyCheckpoint[PretrainRecipe](dir)
	return s, err
}

// LatestPretrainCheckpoint returns the complete checkpoint of dir with the most steps done, or an error wrapping
// ErrNoPretrainCheckpoint; damaged folders are never chosen.
func LatestPretrainCheckpoint(dir string) (string, *PretrainState, error) {
	path, state, _, err := trainloop.LatestCheckpoint[PretrainRecipe](dir, nil)
	return path, state, err
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
