package wiseft

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// A fine-tuning checkpoint is a folder CheckpointDir/checkpoint_<epoch> (epoch counted from 1: the number of
// epochs done) holding
//   - the classifier in the Hugging Face layout (config.json, model.safetensors with the head), see Classifier.Save;
//   - OptimizerFile: every training variable that is not a model weight (Adam's moments and step counter, the
//     global step, the learning rate), named "<scope>/<name>" as in the GoMLX context;
//   - StateFile: CheckpointState as JSON.
const (
	OptimizerFile = "optimizer.safetensors"
	StateFile     = "state.json"
)

// CheckpointState is the content of a checkpoint's state.json.
type CheckpointState struct {
	// Epoch is the number of epochs done; a resumed run starts at this (0-based) epoch.
	Epoch int `json:"epoch"`
	// Step is the number of optimizer steps done.
	Step          int `json:"step"`
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

// writeCheckpoint writes cls, the non-model variables of ctx and state to CheckpointPath(dir, state.Epoch). The
// folder is assembled under a temporary name and renamed into place, so a crash never leaves a half-written
// checkpoint under the final name.
func writeCheckpoint(dir string, cls *Classifier, ctx *context.Context, state *CheckpointState) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	final := CheckpointPath(dir, state.Epoch)
	tmp, err := os.MkdirTemp(dir, "."+filepath.Base(final)+".partial-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := cls.Save(tmp); err != nil {
		return err
	}
	opt, err := optimizerTensors(ctx, cls.Model.Weights)
	if err != nil {
		return err
	}
	if err := safetensors.WriteFile(filepath.Join(tmp, OptimizerFile), opt,
		map[string]string{"format": "gomlx-context-variables"}); err != nil {
		return err
	}
	stateJSON, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	if err := safetensors.WriteFileAtomic(filepath.Join(tmp, StateFile), append(stateJSON, '\n')); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(final); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}

// variableKey names a context variable in OptimizerFile: "<scope>/<name>" ("/AdamOptimizer/global_step").
func variableKey(scope, name string) string {
	return strings.TrimSuffix(scope, "/") + "/" + name
}

func splitVariableKey(key string) (scope, name string) {
	i := strings.LastIndexByte(key, '/')
	scope, name = key[:i], key[i+1:]
	if scope == "" {
		scope = context.RootScope
	}
	return scope, name
}

// optimizerTensors collects every variable of ctx that is not one of the model's weights.
func optimizerTensors(ctx *context.Context, model clipmodel.Weights) (map[string]*safetensors.Tensor, error) {
	out := map[string]*safetensors.Tensor{}
	for v := range ctx.IterVariables() {
		if _, isWeight := model[clipmodel.ScopeToKey(v.Scope(), v.Name())]; isWeight || v.Trainable {
			continue
		}
		value, err := v.Value()
		if err != nil {
			return nil, err
		}
		dims := value.Shape().Dimensions
		var t *safetensors.Tensor
		switch value.DType() {
		case dtypes.Float32:
			data, err := tensors.CopyFlatData[float32](value)
			if err != nil {
				return nil, err
			}
			t = safetensors.FromFloat32(data, dims...)
		case dtypes.Int64:
			data, err := tensors.CopyFlatData[int64](value)
			if err != nil {
				return nil, err
			}
			t = safetensors.FromInt64(data, dims...)
		default:
			return nil, fmt.Errorf("optimizer variable %s has dtype %s (only float32 and int64 are saved)",
				v.ScopeAndName(), value.DType())
		}
		out[variableKey(v.Scope(), v.Name())] = t
	}
	return out, nil
}

// restoreOptimizer sets (creating where needed) the variables saved by optimizerTensors in ctx. The variables are
// not trainable.
func restoreOptimizer(ctx *context.Context, path string) error {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return err
	}
	for key, t := range f.Tensors {
		if !strings.HasPrefix(key, "/") {
			return fmt.Errorf("%s: tensor %q is not a context variable name", path, key)
		}
		var value *tensors.Tensor
		switch t.DType {
		case safetensors.F32:
			data, err := t.Float32()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, key, err)
			}
			value = tensors.FromFlatDataAndDimensions(data, t.Shape...)
		case safetensors.I64:
			data, err := t.Int64()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, key, err)
			}
			value = tensors.FromFlatDataAndDimensions(data, t.Shape...)
		default:
			return fmt.Errorf("%s: %s has dtype %s", path, key, t.DType)
		}
		scope, name := splitVariableKey(key)
		if v := ctx.GetVariableByScopeAndName(scope, name); v != nil {
			if !v.Shape().Equal(value.Shape()) {
				return fmt.Errorf("%s: %s has shape %s, the training context expects %s", path, key, value.Shape(), v.Shape())
			}
			if v.Trainable {
				return fmt.Errorf("%s: %s is a trainable weight, not optimizer state", path, key)
			}
			if err := v.SetValue(value); err != nil {
				return err
			}
			continue
		}
		ctx.InAbsPath(scope).Checked(false).VariableWithValue(name, value).SetTrainable(false)
	}
	return nil
}
