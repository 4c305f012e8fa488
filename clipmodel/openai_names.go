package clipmodel

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// OpenAI's original checkpoints and open_clip's use other names than Hugging Face: the q, k and v projections are
// fused into one in_proj, the final projections are stored [in, out], and the embeddings have their own names.
// This file maps those state dicts onto the Hugging Face layout.

// openAISkipped are scalar entries of OpenAI's JIT archives and open_clip buffers that carry no parameter.
var openAISkipped = map[string]bool{"input_resolution": true, "context_length": true, "vocab_size": true, "attn_mask": true}

func isOpenAIStateDict(t map[string]*safetensors.Tensor) bool {
	_, a := t["visual.conv1.weight"]
	_, b := t["token_embedding.weight"]
	return a || b
}

var openAIBlock = regexp.MustCompile(`^(visual\.)?transformer\.resblocks\.(\d+)\.(.+)$`)

// openAIRenames maps the names that are a plain rename.
var openAIRenames = map[string]string{
	"logit_scale":                 "logit_scale",
	"visual.class_embedding":      "vision_model.embeddings.class_embedding",
	"visual.positional_embedding": "vision_model.embeddings.position_embedding.weight",
	"visual.conv1.weight":         "vision_model.embeddings.patch_embedding.weight",
	"visual.ln_pre.weight":        "vision_model.pre_layrnorm.weight",
	"visual.ln_pre.bias":          "vision_model.pre_layrnorm.bias",
	"visual.ln_post.weight":       "vision_model.post_layernorm.weight",
	"visual.ln_post.bias":         "vision_model.post_layernorm.bias",
	"token_embedding.weight":      "text_model.embeddings.token_embedding.weight",
	"positional_embedding":        "text_model.embeddings.position_embedding.weight",
	"ln_final.weight":             "text_model.final_layer_norm.weight",
	"ln_final.bias":               "text_model.final_layer_norm.bias",
}

var openAIBlockRenames = map[string]string{
	"ln_1.weight":          "layer_norm1.weight",
	"ln_1.bias":            "layer_norm1.bias",
	"ln_2.weight":          "layer_norm2.weight",
	"ln_2.bias":            "layer_norm2.bias",
	"attn.out_proj.weight": "self_attn.out_proj.weight",
	"attn.out_proj.bias":   "self_attn.out_proj.bias",
	"mlp.c_fc.weight":      "mlp.fc1.weight",
	"mlp.c_fc.bias":        "mlp.fc1.bias",
	"mlp.c_proj.weight":    "mlp.fc2.weight",
	"mlp.c_proj.bias":      "mlp.fc2.bias",
}

func fromOpenAI(in map[string]*safetensors.Tensor) (Weights, error) {
	w := make(Weights, len(in)+64)
	put := func(name string, shape []int, data []float32) error {
		if _, dup := w[name]; dup {
			return fmt.Errorf("tensor %q is given twice", name)
		}
		w[name] = &Tensor{Shape: shape, Data: data}
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(in)) {
		t := in[name]
		if openAISkipped[name] || strings.HasSuffix(name, ".attn_mask") {
			continue
		}
		data, err := floatData(name, t)
		if err != nil {
			return nil, err
		}
		shape := slices.Clone(t.Shape)
		if hf, ok := openAIRenames[name]; ok {
			if err := put(hf, shape, data); err != nil {
				return nil, err
			}
			continue
		}
		switch name {
		case "visual.proj", "text_projection":
			if len(shape) != 2 {
				return nil, fmt.Errorf("tensor %q has shape %s, expected 2 dimensions", name, safetensors.ShapeString(shape))
			}
			hf := map[string]string{"visual.proj": "visual_projection.weight", "text_projection": "text_projection.weight"}[name]
			if err := put(hf, []int{shape[1], shape[0]}, transpose2D(data, shape[0], shape[1])); err != nil {
				return nil, err
			}
			continue
		}
		m := openAIBlock.FindStringSubmatch(name)
		if m == nil {
			if strings.HasPrefix(name, HeadPrefix) {
				if err := put(name, shape, data); err != nil {
					return nil, err
				}
				continue
			}
			return nil, fmt.Errorf("unknown tensor %q (shape %s) in an OpenAI-style checkpoint", name, safetensors.ShapeString(shape))
		}
		tower := "text_model"
		if m[1] != "" {
			tower = "vision_model"
		}
		layer, _ := strconv.Atoi(m[2])
		prefix := fmt.Sprintf("%s.encoder.layers.%d.", tower, layer)
		rest := m[3]
		if hf, ok := openAIBlockRenames[rest]; ok {
			if err := put(prefix+hf, shape, data); err != nil {
				return nil, err
			}
			continue
		}
		if rest != "attn.in_proj_weight" && rest != "attn.in_proj_bias" {
			return nil, fmt.Errorf("unknown tensor %q (shape %s) in an OpenAI-style checkpoint", name, safetensors.ShapeString(shape))
		}
		// Fused [3W, W] weight or [3W] bias: rows 0..W-1 are q, then k, then v.
		if len(shape) == 0 || shape[0]%3 != 0 {
			return nil, fmt.Errorf("tensor %q has shape %s: the first dimension must be 3 × width", name, safetensors.ShapeString(shape))
		}
		part := len(data) / 3
		partShape := slices.Clone(shape)
		partShape[0] /= 3
		suffix := ".weight"
		if rest == "attn.in_proj_bias" {
			suffix = ".bias"
		}
		for i, proj := range []string{"q_proj", "k_proj", "v_proj"} {
			if err := put(prefix+"self_attn."+proj+suffix, partShape, slices.Clone(data[i*part:(i+1)*part])); err != nil {
				return nil, err
			}
		}
	}
	return w, nil
}

func transpose2D(data []float32, rows, cols int) []float32 {
	out := make([]float32, len(data))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = data[r*cols+c]
		}
	}
	return out
}

// ToOpenAINames converts Hugging Face-named weights to the OpenAI state-dict layout (the inverse of the loader's
// mapping), for exporting to tools that expect OpenAI names and for testing the mapping both ways.
func (w Weights) ToOpenAINames(cfg Config) (Weights, error) {
	if err := w.Check(cfg); err != nil {
		return nil, err
	}
	out := make(Weights, len(w))
	for oa, hf := range openAIRenames {
		out[oa] = w[hf].Clone()
	}
	vp, tp := w["visual_projection.weight"], w["text_projection.weight"]
	out["visual.proj"] = &Tensor{Shape: []int{vp.Shape[1], vp.Shape[0]}, Data: transpose2D(vp.Data, vp.Shape[0], vp.Shape[1])}
	out["text_projection"] = &Tensor{Shape: []int{tp.Shape[1], tp.Shape[0]}, Data: transpose2D(tp.Data, tp.Shape[0], tp.Shape[1])}
	for _, tower := range []struct {
		hf, oa string
		t      TowerConfig
	}{{"vision_model", "visual.transformer", cfg.Vision.TowerConfig}, {"text_model", "transformer", cfg.Text.TowerConfig}} {
		for i := 0; i < tower.t.Layers; i++ {
			hp := fmt.Sprintf("%s.encoder.layers.%d.", tower.hf, i)
			op := fmt.Sprintf("%s.resblocks.%d.", tower.oa, i)
			for oaName, hfName := range openAIBlockRenames {
				out[op+oaName] = w[hp+hfName].Clone()
			}
			for _, suffix := range []string{"weight", "bias"} {
				var fused []float32
				for _, proj := range []string{"q_proj", "k_proj", "v_proj"} {
					fused = append(fused, w[hp+"self_attn."+proj+"."+suffix].Data...)
				}
				shape := slices.Clone(w[hp+"self_attn.q_proj."+suffix].Shape)
				shape[0] *= 3
				out[op+"attn.in_proj_"+suffix] = &Tensor{Shape: shape, Data: fused}
			}
		}
	}
	for name, t := range w {
		if strings.HasPrefix(name, HeadPrefix) {
			out[name] = t.Clone()
		}
	}
	return out, nil
}

// ConfigFromWeights infers a config from the shapes of a state dict (Hugging Face names, or OpenAI names after
// conversion), as OpenAI's own loader does: widths from the projections, layer counts from the block names,
// patch size from the patch embedding, image size from the number of positions, 64-wide heads.
func ConfigFromWeights(w Weights) (Config, error) {
	need := func(name string, rank int) ([]int, error) {
		t, ok := w[name]
		if !ok {
			return nil, fmt.Errorf("cannot infer the config: missing tensor %q", name)
		}
		if len(t.Shape) != rank {
			return nil, fmt.Errorf("cannot infer the config: tensor %q has shape %s", name, safetensors.ShapeString(t.Shape))
		}
		return t.Shape, nil
	}
	patch, err := need("vision_model.embeddings.patch_embedding.weight", 4)
	if err != nil {
		return Config{}, err
	}
	pos, err := need("vision_model.embeddings.position_embedding.weight", 2)
	if err != nil {
		return Config{}, err
	}
	tok, err := need("text_model.embeddings.token_embedding.weight", 2)
	if err != nil {
		return Config{}, err
	}
	tpos, err := need("text_model.embeddings.position_embedding.weight", 2)
	if err != nil {
		return Config{}, err
	}
	proj, err := need("visual_projection.weight", 2)
	if err != nil {
		return Config{}, err
	}
	fc1, err := need("vision_model.encoder.layers.0.mlp.fc1.weight", 2)
	if err != nil {
		return Config{}, err
	}
	tfc1, err := need("text_model.encoder.layers.0.mlp.fc1.weight", 2)
	if err != nil {
		return Config{}, err
	}
	countLayers := func(prefix string) int {
		n := 0
		for w[fmt.Sprintf("%s.encoder.layers.%d.mlp.fc1.weight", prefix, n)] != nil {
			n++
		}
		return n
	}
	grid := 1
	for grid*grid < pos[0]-1 {
		grid++
	}
	if grid*grid != pos[0]-1 {
		return Config{}, fmt.Errorf("cannot infer the config: %d image positions is not a square grid plus one", pos[0])
	}
	heads := func(width int) int {
		if width%64 == 0 {
			return width / 64
		}
		return 1
	}
	c := Config{
		Vision: VisionConfig{
			TowerConfig: TowerConfig{Width: patch[0], MLPWidth: fc1[0], Layers: countLayers("vision_model"),
				Heads: heads(patch[0]), Activation: "quick_gelu", LayerNormEps: 1e-5},
			ImageSize: grid * patch[2], PatchSize: patch[2], Channels: patch[1],
		},
		Text: TextConfig{
			TowerConfig: TowerConfig{Width: tok[1], MLPWidth: tfc1[0], Layers: countLayers("text_model"),
				Heads: heads(tok[1]), Activation: "quick_gelu", LayerNormEps: 1e-5},
			VocabSize: tok[0], ContextLength: tpos[0], BOSTokenID: tok[0] - 2, EOSTokenID: tok[0] - 1,
		},
		ProjectionDim:  proj[0],
		LogitScaleInit: 2.6592,
	}
	return c, c.Validate()
}
