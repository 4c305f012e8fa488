package wiseft

import (
	"fmt"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/trainloop"
)

// A fine-tuning checkpoint is a folder of TrainRun.CheckpointDir: checkpoint_<epoch> (epochs done, counted from 1)
// after every epoch, or checkpoint_step_<step> (optimizer steps done) when a run is stopped in the middle of an
// epoch, holding
//   - the classifier in the Hugging Face layout (config.json, model.safetensors with the head), see Classifier.Save;
//   - OptimizerFile: every training variable that is not a model weight (Adam's moments and step counter, the
//     global step, the learning rate), named "<scope>/<name>" as in the GoMLX context;
//   - StateFile: CheckpointState as JSON, written last.
//
// Each folder is assembled under a hidden temporary name and renamed into place whole, so a folder under one of
// these names is complete; VerifyCheckpoint and LatestCheckpoint still check every file before one is trusted (a
// copy cut short, a full disk, a file system without atomic renames). The world's pretraining writes its
// checkpoints the same way (package world).
const (
	OptimizerFile = trainloop.OptimizerFile
	StateFile     = trainloop.StateFile
)

// CheckpointState is the content of a fine-tuning checkpoint's state.json: the position of the run (Epoch, Step,
// StepInEpoch, StepsPerEpoch, TotalSteps) and its FineTuneRecipe.
type CheckpointState = trainloop.State[FineTuneRecipe]

// FineTuneRecipe is what a fine-tuning checkpoint records of its run: the settings (a resume must ask for the same,
// Epochs aside) and the training set it was trained on, identified by name and size, with the class names.
type FineTuneRecipe struct {
	Config     FineTuneConfig `json:"config"`
	Dataset    string         `json:"dataset"`
	DatasetLen int            `json:"dataset_len"`
	ClassNames []string       `json:"class_names"`
	// Templates are FLYP's prompt templates (none for cross-entropy fine-tuning).
	Templates []string `json:"templates,omitempty"`
	// Method is what wrote the checkpoint: "ft" (FineTune), "lp-ft" (LPFT's second stage) or "flyp" (FLYP).
	// Checkpoints written before it was recorded have none; see RecipeMethod.
	Method string `json:"method,omitempty"`
	// Probe is LP-FT's linear-probe settings (LP-FT only): the head the fine-tuning stage started from.
	Probe *FineTuneConfig `json:"probe,omitempty"`
}

// The methods a FineTuneRecipe records.
const (
	MethodFT   = "ft"
	MethodLPFT = "lp-ft"
	MethodFLYP = "flyp"
)

// RecipeMethod is the method that wrote a checkpoint: its recorded Method, or for a checkpoint written before
// methods were recorded, "flyp" when its Config says FLYP and "ft" otherwise (LP-FT did not exist then).
func (r FineTuneRecipe) RecipeMethod() string {
	switch {
	case r.Method != "":
		return r.Method
	case r.Config.FLYP:
		return MethodFLYP
	}
	return MethodFT
}

// CheckpointPath is the folder of the checkpoint written after epoch epochs (1-based) in dir.
//
//	dir := wiseft.CheckpointPath("out/run/checkpoints", 1) // out/run/checkpoints/checkpoint_1
func CheckpointPath(dir string, epoch int) string { return trainloop.CheckpointPath(dir, epoch) }

// StepCheckpointPath is the folder of the mid-epoch checkpoint written after step steps (1-based, counted across
// epochs) in dir.
func StepCheckpointPath(dir string, step int) string { return trainloop.StepCheckpointPath(dir, step) }

// ErrNoCheckpoint is returned by LatestCheckpoint when a folder holds no valid checkpoint.
var ErrNoCheckpoint = trainloop.ErrNoCheckpoint

// VerifyCheckpoint checks that dir is a complete fine-tuning checkpoint and returns its state: state.json reads
// and agrees with the folder's name and with itself, config.json is JSON, the headers of model.safetensors and
// optimizer.safetensors match their files' sizes (the data are not read), and the model has a classification head.
func VerifyCheckpoint(dir string) (*CheckpointState, error) {
	s, shapes, err := trainloop.VerifyCheckpoint[FineTuneRecipe](dir)
	if err != nil {
		return nil, err
	}
	if err := verifyHead(dir, s, shapes); err != nil {
		return nil, err
	}
	return s, nil
}

func verifyHead(dir string, _ *CheckpointState, shapes map[string][]int) error {
	if _, ok := shapes[HeadWeight]; !ok {
		return fmt.Errorf("checkpoint %s: %s has no classification head", dir, clipmodel.WeightsFile)
	}
	return nil
}

// LatestCheckpoint finds the newest valid checkpoint in dir (a TrainRun.CheckpointDir): the one with the most
// steps done among the folders that pass VerifyCheckpoint. Folders that fail it are returned in skipped, one error
// each, and never chosen; temporary folders of a checkpoint being written are not considered. It returns an error
// wrapping ErrNoCheckpoint when none is valid (including when dir does not exist).
func LatestCheckpoint(dir string) (path string, state *CheckpointState, skipped []error, err error) {
	return trainloop.LatestCheckpoint[FineTuneRecipe](dir, verifyHead)
}

// ReadCheckpointState reads dir/state.json.
func ReadCheckpointState(dir string) (*CheckpointState, error) {
	return trainloop.ReadState[FineTuneRecipe](dir)
}

// LoadCheckpoint opens the classifier of a checkpoint folder (with the class names its state.json records).
//
//	ft, state, err := wiseft.LoadCheckpoint(wiseft.CheckpointPath("out/run/checkpoints", 1))
func LoadCheckpoint(dir string) (*Classifier, *CheckpointState, error) {
	s, err := ReadCheckpointState(dir)
	if err != nil {
		return nil, nil, err
	}
	c, err := LoadClassifier(dir, s.Recipe.ClassNames)
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}
