package clipmodel

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// Tensor is one float32 weight array on the host, row-major, in the PyTorch layout of the Hugging Face checkpoint
// (Linear weights are [out, in]).
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor allocates a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int{}, shape...), Data: make([]float32, n)}
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: slices.Clone(t.Shape), Data: slices.Clone(t.Data)}
}

// Weights maps Hugging Face CLIP parameter names ("vision_model.encoder.layers.0.self_attn.q_proj.weight", ...)
// to their values. It is the unit that is loaded, saved, interpolated and fed to the compiled model.
type Weights map[string]*Tensor

// Names returns the parameter names, sorted.
func (w Weights) Names() []string { return slices.Sorted(maps.Keys(w)) }

// Clone returns a deep copy.
func (w Weights) Clone() Weights {
	out := make(Weights, len(w))
	for k, t := range w {
		out[k] = t.Clone()
	}
	return out
}

// NumParameters counts the scalar parameters.
func (w Weights) NumParameters() int {
	n := 0
	for _, t := range w {
		n += len(t.Data)
	}
	return n
}

// HeadPrefix starts the names of a classification head stored beside the CLIP weights
// ("classification_head.weight" [classes, dim], "classification_head.bias" [classes]); the loader keeps such
// tensors instead of refusing them, so a fine-tuned classifier saves and reopens as one folder.
const HeadPrefix = "classification_head."

// ExpectedShapes lists every parameter of a CLIP model with the config's sizes, in the Hugging Face layout.
func (c Config) ExpectedShapes() map[string][]int {
	s := map[string][]int{
		"logit_scale":                                       {},
		"visual_projection.weight":                          {c.ProjectionDim, c.Vision.Width},
		"text_projection.weight":                            {c.ProjectionDim, c.Text.Width},
		"vision_model.embeddings.class_embedding":           {c.Vision.Width},
		"vision_model.embeddings.patch_embedding.weight":    {c.Vision.Width, c.Vision.Channels, c.Vision.PatchSize, c.Vision.PatchSize},
		"vision_model.embeddings.position_embedding.weight": {c.Vision.NumPatches() + 1, c.Vision.Width},
		"vision_model.pre_layrnorm.weight":                  {c.Vision.Width},
		"vision_model.pre_layrnorm.bias":                    {c.Vision.Width},
		"vision_model.post_layernorm.weight":                {c.Vision.Width},
		"vision_model.post_layernorm.bias":                  {c.Vision.Width},
		"text_model.embeddings.token_embedding.weight":      {c.Text.VocabSize, c.Text.Width},
		"text_model.embeddings.position_embedding.weight":   {c.Text.ContextLength, c.Text.Width},
		"text_model.final_layer_norm.weight":                {c.Text.Width},
		"text_model.final_layer_norm.bias":                  {c.Text.Width},
	}
	addLayers := func(prefix string, t TowerConfig) {
		for i := 0; i < t.Layers; i++ {
			p := fmt.Sprintf("%s.encoder.layers.%d.", prefix, i)
			for _, proj := range []string{"q_proj", "k_proj", "v_proj", "out_proj"} {
				s[p+"self_attn."+proj+".weight"] = []int{t.Width, t.Width}
				s[p+"self_attn."+proj+".bias"] = []int{t.Width}
			}
			for _, ln := range []string{"layer_norm1", "layer_norm2"} {
				s[p+ln+".weight"] = []int{t.Width}
				s[p+ln+".bias"] = []int{t.Width}
			}
			s[p+"mlp.fc1.weight"] = []int{t.MLPWidth, t.Width}
			s[p+"mlp.fc1.bias"] = []int{t.MLPWidth}
			s[p+"mlp.fc2.weight"] = []int{t.Width, t.MLPWidth}
			s[p+"mlp.fc2.bias"] = []int{t.Width}
		}
	}
	addLayers("vision_model", c.Vision.TowerConfig)
	addLayers("text_model", c.Text.TowerConfig)
	return s
}

// ignoredBuffers are non-parameter entries some checkpoints carry; they are skipped on load.
var ignoredBuffers = map[string]bool{
	"text_model.embeddings.position_ids":   true,
	"vision_model.embeddings.position_ids": true,
}

// Check verifies that w holds exactly the parameters of cfg with the right shapes (plus an optional
// classification head). The error names the first offending tensor and both shapes.
func (w Weights) Check(cfg Config) error {
	want := cfg.ExpectedShapes()
	for _, name := range slices.Sorted(maps.Keys(want)) {
		t, ok := w[name]
		if !ok {
			return fmt.Errorf("missing tensor %q (expected shape %s)", name, safetensors.ShapeString(want[name]))
		}
		if !slices.Equal(t.Shape, want[name]) {
			return fmt.Errorf("tensor %q has shape %s, the config expects %s",
				name, safetensors.ShapeString(t.Shape), safetensors.ShapeString(want[name]))
		}
		if n := shapeSize(t.Shape); n != len(t.Data) {
			return fmt.Errorf("tensor %q: shape %s needs %d values, holds %d", name, safetensors.ShapeString(t.Shape), n, len(t.Data))
		}
	}
	for _, name := range w.Names() {
		if _, ok := want[name]; ok {
			continue
		}
		if !strings.HasPrefix(name, HeadPrefix) {
			return fmt.Errorf("unknown tensor %q (shape %s) is not part of a CLIP model", name, safetensors.ShapeString(w[name].Shape))
		}
	}
	return checkHead(w, cfg)
}

func checkHead(w Weights, cfg Config) error {
	hw, hb := w[HeadPrefix+"weight"], w[HeadPrefix+"bias"]
	for name := range w {
		if strings.HasPrefix(name, HeadPrefix) && name != HeadPrefix+"weight" && name != HeadPrefix+"bias" {
			return fmt.Errorf("unknown tensor %q: a classification head has only weight and bias", name)
		}
	}
	if hw == nil && hb == nil {
		return nil
	}
	if hw == nil || hb == nil {
		return fmt.Errorf("classification head is incomplete: it needs both %q and %q", HeadPrefix+"weight", HeadPrefix+"bias")
	}
	if len(hw.Shape) != 2 || hw.Shape[1] != cfg.ProjectionDim {
		return fmt.Errorf("tensor %q has shape %s, expected [classes %d]", HeadPrefix+"weight",
			safetensors.ShapeString(hw.Shape), cfg.ProjectionDim)
	}
	if len(hb.Shape) != 1 || hb.Shape[0] != hw.Shape[0] {
		return fmt.Errorf("tensor %q has shape %s, expected [%d]", HeadPrefix+"bias", safetensors.ShapeString(hb.Shape), hw.Shape[0])
	}
	return nil
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// WeightsFromSafetensors converts a safetensors file's tensors to float32 weights, recognising both the Hugging
// Face names and the OpenAI / open_clip names (the latter are renamed, q/k/v split and projections transposed).
// Known non-parameter buffers are dropped.
func WeightsFromSafetensors(f *safetensors.File) (Weights, error) {
	if isOpenAIStateDict(f.Tensors) {
		return fromOpenAI(f.Tensors)
	}
	w := make(Weights, len(f.Tensors))
	for name, t := range f.Tensors {
		if ignoredBuffers[name] {
			continue
		}
		data, err := floatData(name, t)
		if err != nil {
			return nil, err
		}
		w[name] = &Tensor{Shape: slices.Clone(t.Shape), Data: data}
	}
	return w, nil
}

// floatData converts a weight of a float dtype to float32. A weight stored with an integer or boolean dtype is
// refused: converting it would load numbers of another meaning (a quantised or damaged file) as if they were
// the weights.
func floatData(name string, t *safetensors.Tensor) ([]float32, error) {
	switch t.DType {
	case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
	default:
		return nil, fmt.Errorf("tensor %q has dtype %s; a weight must be F32, F16, BF16 or F64", name, t.DType)
	}
	data, err := t.Float32()
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return data, nil
}

// MaxAbsLogitScale bounds |logit_scale|, the log of the multiplier of CLIP's cosine similarities. Training clamps
// it to [0, ln 100 ≈ 4.61]; beyond ±10 (a multiplier above 22026 or below 1/22026) the logits overflow or
// vanish, so such a value is taken for a damaged file.
const MaxAbsLogitScale = 10

// CheckValues verifies that every value of w is a finite number (NaN and ±Inf propagate through every layer
// and make every prediction the same class) and that logit_scale lies within ±MaxAbsLogitScale. The error names
// the first offending tensor (in name order), the index and the value, and how many values are not finite.
func (w Weights) CheckValues() error {
	for _, name := range w.Names() {
		if err := w[name].CheckFinite(name); err != nil {
			return err
		}
	}
	if t := w["logit_scale"]; t != nil && len(t.Data) == 1 && math.Abs(float64(t.Data[0])) > MaxAbsLogitScale {
		return fmt.Errorf("tensor \"logit_scale\" is %g, outside [-%d, %d] (CLIP keeps it in [0, ln 100 = 4.61])",
			t.Data[0], MaxAbsLogitScale, MaxAbsLogitScale)
	}
	return nil
}

// CheckFinite returns an error naming the tensor (as name), the first index and value, and the count, when t holds
// a value that is not a finite number.
func (t *Tensor) CheckFinite(name string) error {
	first, count := -1, 0
	for i, v := range t.Data {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			if first < 0 {
				first = i
			}
			count++
		}
	}
	if first < 0 {
		return nil
	}
	return fmt.Errorf("tensor %q holds %g at index %d (%d of its %d values are not finite numbers)",
		name, t.Data[first], first, count, len(t.Data))
}

// ToSafetensors converts the weights to F32 safetensors tensors in the Hugging Face layout.
func (w Weights) ToSafetensors() map[string]*safetensors.Tensor {
	out := make(map[string]*safetensors.Tensor, len(w))
	for name, t := range w {
		out[name] = safetensors.FromFloat32(t.Data, t.Shape...)
	}
	return out
}
