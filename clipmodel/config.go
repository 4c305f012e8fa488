package clipmodel

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/internal/fileio"
)

// TowerConfig holds the transformer sizes shared by the image and the text towers.
type TowerConfig struct {
	// Width is the residual stream's size (Hugging Face: hidden_size).
	Width int
	// MLPWidth is the hidden size of each block's MLP (Hugging Face: intermediate_size).
	MLPWidth int
	// Layers is the number of residual attention blocks.
	Layers int
	// Heads is the number of attention heads; Width must be a multiple of it.
	Heads int
	// Activation is the MLP's non-linearity: "quick_gelu" (OpenAI CLIP) or "gelu" (exact, erf-based).
	Activation string
	// LayerNormEps is the epsilon of every LayerNorm (1e-5 in CLIP).
	LayerNormEps float64
}

// VisionConfig describes the ViT image tower.
type VisionConfig struct {
	TowerConfig
	// ImageSize is the side of the square input image in pixels.
	ImageSize int
	// PatchSize is the side of each square patch; ImageSize must be a multiple of it.
	PatchSize int
	// Channels is the number of input channels (3).
	Channels int
}

// NumPatches is the number of patches of an image ((ImageSize/PatchSize)²).
func (v VisionConfig) NumPatches() int { g := v.ImageSize / v.PatchSize; return g * g }

// TextConfig describes the causal transformer text tower.
type TextConfig struct {
	TowerConfig
	// VocabSize is the number of token ids.
	VocabSize int
	// ContextLength is the number of token positions (77 in CLIP).
	ContextLength int
	// BOSTokenID and EOSTokenID are the start- and end-of-text ids (49406 and 49407 for CLIP's vocabulary).
	BOSTokenID, EOSTokenID int
}

// Config describes a whole CLIP model: both towers and the shared embedding space.
//
//	cfg, _ := clipmodel.ConfigByName("ViT-B/32")
//	fmt.Println(cfg.Vision.Width, cfg.ProjectionDim) // 768 512
type Config struct {
	// Name is a registry name such as "ViT-B/32", or empty for a config read from a file.
	Name   string
	Vision VisionConfig
	Text   TextConfig
	// ProjectionDim is the size of the shared image-text embedding space.
	ProjectionDim int
	// LogitScaleInit is the initial value of the log of the logit scale (ln(1/0.07) = 2.6592).
	LogitScaleInit float64
}

// Limits of the sizes a config may give, far above any CLIP (ViT-bigG/14: width 1664, 48 layers, MLP 8192):
// a config.json that asks for more is refused, naming the field, before anything of that size is allocated.
const (
	MaxWidth       = 1 << 16 // hidden_size, projection_dim
	MaxMLPWidth    = 1 << 18 // intermediate_size
	MaxLayers      = 1024    // num_hidden_layers
	MaxImageSize   = 4096    // image_size
	MaxChannels    = 64      // num_channels
	MaxVocabSize   = 1 << 24 // vocab_size
	MaxContextLen  = 1 << 14 // max_position_embeddings
	MaxLayerNormEp = 0.5     // layer_norm_eps (CLIP: 1e-5)
)

// Validate reports the first inconsistency of the config, or nil. Fields are named as in a Hugging Face
// config.json.
func (c Config) Validate() error {
	for _, t := range []struct {
		name string
		cfg  TowerConfig
	}{{"vision_config", c.Vision.TowerConfig}, {"text_config", c.Text.TowerConfig}} {
		if err := t.cfg.validate(t.name); err != nil {
			return err
		}
	}
	v := c.Vision
	switch {
	case v.ImageSize <= 0 || v.ImageSize > MaxImageSize:
		return fmt.Errorf("vision_config.image_size %d is outside [1, %d]", v.ImageSize, MaxImageSize)
	case v.PatchSize <= 0 || v.ImageSize%v.PatchSize != 0:
		return fmt.Errorf("vision_config: image_size %d is not a positive multiple of patch_size %d", v.ImageSize, v.PatchSize)
	case v.Channels <= 0 || v.Channels > MaxChannels:
		return fmt.Errorf("vision_config.num_channels %d is outside [1, %d]", v.Channels, MaxChannels)
	case c.Text.VocabSize <= 0 || c.Text.VocabSize > MaxVocabSize:
		return fmt.Errorf("text_config.vocab_size %d is outside [1, %d]", c.Text.VocabSize, MaxVocabSize)
	case c.Text.ContextLength <= 0 || c.Text.ContextLength > MaxContextLen:
		return fmt.Errorf("text_config.max_position_embeddings %d is outside [1, %d]", c.Text.ContextLength, MaxContextLen)
	case c.ProjectionDim <= 0 || c.ProjectionDim > MaxWidth:
		return fmt.Errorf("projection_dim %d is outside [1, %d]", c.ProjectionDim, MaxWidth)
	case math.IsNaN(c.LogitScaleInit) || math.IsInf(c.LogitScaleInit, 0):
		return fmt.Errorf("logit_scale_init_value %v is not a finite number", c.LogitScaleInit)
	}
	return nil
}

// validate checks one tower's sizes; tower is "vision_config" or "text_config".
func (t TowerConfig) validate(tower string) error {
	for _, f := range []struct {
		field     string
		v, lo, hi int
	}{
		{"hidden_size", t.Width, 1, MaxWidth},
		{"intermediate_size", t.MLPWidth, 1, MaxMLPWidth},
		{"num_hidden_layers", t.Layers, 0, MaxLayers},
		{"num_attention_heads", t.Heads, 1, MaxWidth},
	} {
		if f.v < f.lo || f.v > f.hi {
			return fmt.Errorf("%s.%s %d is outside [%d, %d]", tower, f.field, f.v, f.lo, f.hi)
		}
	}
	switch {
	case t.Width%t.Heads != 0:
		return fmt.Errorf("%s: hidden_size %d is not a multiple of num_attention_heads %d", tower, t.Width, t.Heads)
	case t.Activation != "quick_gelu" && t.Activation != "gelu":
		return fmt.Errorf("%s.hidden_act %s is not supported (quick_gelu or gelu)", tower, quote(t.Activation))
	case !(t.LayerNormEps > 0 && t.LayerNormEps <= MaxLayerNormEp):
		// eps ≤ 0 divides by zero on a constant row (NaN); NaN never compares.
		return fmt.Errorf("%s.layer_norm_eps %v is outside (0, %v] (CLIP uses 1e-05)", tower, t.LayerNormEps, MaxLayerNormEp)
	}
	return nil
}

// quote quotes a value from a file for an error, cut to 60 bytes (with its length) when longer.
func quote(s string) string {
	const max = 60
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}

// openAIConfig builds the config of one of OpenAI's released ViT CLIP models.
func openAIConfig(name string, visionWidth, visionLayers, patch, image, textWidth, projection int) Config {
	return Config{
		Name: name,
		Vision: VisionConfig{
			TowerConfig: TowerConfig{Width: visionWidth, MLPWidth: 4 * visionWidth, Layers: visionLayers,
				Heads: visionWidth / 64, Activation: "quick_gelu", LayerNormEps: 1e-5},
			ImageSize: image, PatchSize: patch, Channels: 3,
		},
		Text: TextConfig{
			TowerConfig: TowerConfig{Width: textWidth, MLPWidth: 4 * textWidth, Layers: 12,
				Heads: textWidth / 64, Activation: "quick_gelu", LayerNormEps: 1e-5},
			VocabSize: 49408, ContextLength: 77, BOSTokenID: 49406, EOSTokenID: 49407,
		},
		ProjectionDim:  projection,
		LogitScaleInit: 2.6592,
	}
}

var namedConfigs = map[string]Config{
	"ViT-B/32":       openAIConfig("ViT-B/32", 768, 12, 32, 224, 512, 512),
	"ViT-B/16":       openAIConfig("ViT-B/16", 768, 12, 16, 224, 512, 512),
	"ViT-L/14":       openAIConfig("ViT-L/14", 1024, 24, 14, 224, 768, 768),
	"ViT-L/14@336px": openAIConfig("ViT-L/14@336px", 1024, 24, 14, 336, 768, 768),
}

// RegisterConfig adds a named config (for example a project's own small model) to the registry.
func RegisterConfig(cfg Config) error {
	if cfg.Name == "" {
		return fmt.Errorf("a registered config needs a name")
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config %q: %w", cfg.Name, err)
	}
	namedConfigs[cfg.Name] = cfg
	return nil
}

// ConfigNames lists the registered config names, sorted.
func ConfigNames() []string {
	names := make([]string, 0, len(namedConfigs))
	for n := range namedConfigs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ConfigByName returns a registered config: OpenAI's "ViT-B/32", "ViT-B/16", "ViT-L/14", "ViT-L/14@336px", and
// any added by RegisterConfig. The dashed spellings of open_clip ("ViT-B-32", "ViT-L-14-336") work too.
func ConfigByName(name string) (Config, error) {
	if c, ok := namedConfigs[name]; ok {
		return c, nil
	}
	for n, c := range namedConfigs {
		dashed := strings.NewReplacer("/", "-", "@", "-", "px", "").Replace(n)
		if strings.EqualFold(name, dashed) {
			return c, nil
		}
	}
	return Config{}, fmt.Errorf("unknown model config %q; known: %s", name, strings.Join(ConfigNames(), ", "))
}

// hfTower is the part of a Hugging Face CLIP{Vision,Text}Config this project reads and writes.
type hfTower struct {
	ModelType        string   `json:"model_type,omitempty"`
	HiddenSize       int      `json:"hidden_size"`
	IntermediateSize int      `json:"intermediate_size"`
	NumLayers        int      `json:"num_hidden_layers"`
	NumHeads         int      `json:"num_attention_heads"`
	HiddenAct        string   `json:"hidden_act"`
	LayerNormEps     float64  `json:"layer_norm_eps"`
	ProjectionDim    int      `json:"projection_dim,omitempty"`
	ImageSize        int      `json:"image_size,omitempty"`
	PatchSize        int      `json:"patch_size,omitempty"`
	NumChannels      int      `json:"num_channels,omitempty"`
	VocabSize        int      `json:"vocab_size,omitempty"`
	MaxPositions     int      `json:"max_position_embeddings,omitempty"`
	BOSTokenID       *int     `json:"bos_token_id,omitempty"`
	EOSTokenID       *int     `json:"eos_token_id,omitempty"`
	PadTokenID       *int     `json:"pad_token_id,omitempty"`
	Architectures    []string `json:"architectures,omitempty"`
}

type hfConfig struct {
	Architectures  []string `json:"architectures,omitempty"`
	ModelType      string   `json:"model_type"`
	ProjectionDim  int      `json:"projection_dim"`
	LogitScaleInit float64  `json:"logit_scale_init_value"`
	TextConfig     hfTower  `json:"text_config"`
	VisionConfig   hfTower  `json:"vision_config"`
	Name           string   `json:"wiseft_config_name,omitempty"`
	Transformers   string   `json:"transformers_version,omitempty"`
}

// MaxConfigFileSize bounds the config.json ReadHFConfig reads (real ones are a few KB).
const MaxConfigFileSize = 16 << 20

// ReadHFConfig reads a Hugging Face CLIP config.json. Fields it leaves out take the Hugging Face defaults (those
// of ViT-B/32).
func ReadHFConfig(path string) (Config, error) {
	data, err := fileio.ReadFile(path, MaxConfigFileSize)
	if err != nil {
		return Config{}, err
	}
	return ParseHFConfig(data)
}

// ParseHFConfig parses the bytes of a Hugging Face CLIP config.json.
func ParseHFConfig(data []byte) (Config, error) {
	def := namedConfigs["ViT-B/32"]
	hc := hfConfig{ProjectionDim: def.ProjectionDim, LogitScaleInit: def.LogitScaleInit}
	hc.VisionConfig = towerToHF(def.Vision.TowerConfig)
	hc.VisionConfig.ImageSize, hc.VisionConfig.PatchSize, hc.VisionConfig.NumChannels = 224, 32, 3
	hc.TextConfig = towerToHF(def.Text.TowerConfig)
	hc.TextConfig.VocabSize, hc.TextConfig.MaxPositions = 49408, 77
	if err := json.Unmarshal(data, &hc); err != nil {
		return Config{}, fmt.Errorf("config.json: %w", err)
	}
	if hc.ModelType != "" && hc.ModelType != "clip" {
		return Config{}, fmt.Errorf("config.json: model_type %s is not a CLIP model (\"clip\")", quote(hc.ModelType))
	}
	c := Config{
		Name:           hc.Name,
		ProjectionDim:  hc.ProjectionDim,
		LogitScaleInit: hc.LogitScaleInit,
		Vision: VisionConfig{TowerConfig: towerFromHF(hc.VisionConfig), ImageSize: hc.VisionConfig.ImageSize,
			PatchSize: hc.VisionConfig.PatchSize, Channels: hc.VisionConfig.NumChannels},
		Text: TextConfig{TowerConfig: towerFromHF(hc.TextConfig), VocabSize: hc.TextConfig.VocabSize,
			ContextLength: hc.TextConfig.MaxPositions, BOSTokenID: 49406, EOSTokenID: 49407},
	}
	// Old Hugging Face configs say eos_token_id 2 (and pool with argmax); only trust ids inside the vocabulary
	// that are not the legacy placeholders.
	if id := hc.TextConfig.BOSTokenID; id != nil && *id > 2 && *id < c.Text.VocabSize {
		c.Text.BOSTokenID = *id
	}
	if id := hc.TextConfig.EOSTokenID; id != nil && *id > 2 && *id < c.Text.VocabSize {
		c.Text.EOSTokenID = *id
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("config.json: %w", err)
	}
	return c, nil
}

func towerToHF(t TowerConfig) hfTower {
	return hfTower{HiddenSize: t.Width, IntermediateSize: t.MLPWidth, NumLayers: t.Layers, NumHeads: t.Heads,
		HiddenAct: t.Activation, LayerNormEps: t.LayerNormEps}
}

func towerFromHF(h hfTower) TowerConfig {
	act := h.HiddenAct
	if act == "gelu_new" || act == "gelu_pytorch_tanh" {
		act = "gelu" // tanh approximations of GELU; differences are below 1e-3
	}
	return TowerConfig{Width: h.HiddenSize, MLPWidth: h.IntermediateSize, Layers: h.NumLayers, Heads: h.NumHeads,
		Activation: act, LayerNormEps: h.LayerNormEps}
}

// HFConfigJSON renders the config as a Hugging Face CLIP config.json that transformers' CLIPModel reads.
func (c Config) HFConfigJSON() ([]byte, error) {
	vision := towerToHF(c.Vision.TowerConfig)
	vision.ModelType = "clip_vision_model"
	vision.ImageSize, vision.PatchSize, vision.NumChannels = c.Vision.ImageSize, c.Vision.PatchSize, c.Vision.Channels
	vision.ProjectionDim = c.ProjectionDim
	text := towerToHF(c.Text.TowerConfig)
	text.ModelType = "clip_text_model"
	text.VocabSize, text.MaxPositions, text.ProjectionDim = c.Text.VocabSize, c.Text.ContextLength, c.ProjectionDim
	bos, eos, pad := c.Text.BOSTokenID, c.Text.EOSTokenID, 1
	text.BOSTokenID, text.EOSTokenID, text.PadTokenID = &bos, &eos, &pad
	hc := hfConfig{
		Architectures: []string{"CLIPModel"}, ModelType: "clip", ProjectionDim: c.ProjectionDim,
		LogitScaleInit: c.LogitScaleInit, TextConfig: text, VisionConfig: vision, Name: c.Name,
	}
	return json.MarshalIndent(hc, "", "  ")
}
