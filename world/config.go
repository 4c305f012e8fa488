// Package world is the small offline world shipped with wiseft, in which zero-shot robustness, its loss under
// fine-tuning and its recovery by WiSE-FT can be reproduced on a CPU in minutes: a small CLIP ("wiseft-tiny")
// pretrained contrastively on generated image-caption pairs (digits in many fonts, letters, clothing, in many
// styles), the digit task (fine-tune on MNIST handwriting; evaluate on MNIST and on shifts of several kinds), and
// the pretraining that reproduces the shipped checkpoint from a seed.
package world

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
)

// TinyConfigName is the registry name of the world's CLIP config.
const TinyConfigName = "wiseft-tiny"

// TinyConfig is the world's CLIP: 28x28 RGB images in 7x7 patches (16 patches and a class token), a 3-layer
// 64-wide image tower, a 2-layer 64-wide text tower over a small BPE vocabulary, a 64-dimensional shared space.
func TinyConfig(vocabSize int) clipmodel.Config {
	return clipmodel.Config{
		Name: TinyConfigName,
		Vision: clipmodel.VisionConfig{
			TowerConfig: clipmodel.TowerConfig{Width: 64, MLPWidth: 256, Layers: 3, Heads: 4,
				Activation: "quick_gelu", LayerNormEps: 1e-5},
			ImageSize: 28, PatchSize: 7, Channels: 3,
		},
		Text: clipmodel.TextConfig{
			TowerConfig: clipmodel.TowerConfig{Width: 64, MLPWidth: 256, Layers: 2, Heads: 4,
				Activation: "quick_gelu", LayerNormEps: 1e-5},
			VocabSize: vocabSize, ContextLength: 16, BOSTokenID: vocabSize - 2, EOSTokenID: vocabSize - 1,
		},
		ProjectionDim:  64,
		LogitScaleInit: 2.6592,
	}
}

// DefaultWidth is the width of both towers of the shipped model.
const DefaultWidth = 64

// WidthConfig is TinyConfig with both towers width wide (MLPs 4 × width, still 4 heads, the shared space still
// 64-dimensional); width 0 or DefaultWidth is TinyConfig itself. It is the architecture `wiseft pretrain --width`
// trains, for trials of whether a wider world model keeps more of its robustness under fine-tuning.
func WidthConfig(vocabSize, width int) clipmodel.Config {
	c := TinyConfig(vocabSize)
	if width == 0 || width == DefaultWidth {
		return c
	}
	c.Name = fmt.Sprintf("%s-w%d", TinyConfigName, width)
	for _, t := range []*clipmodel.TowerConfig{&c.Vision.TowerConfig, &c.Text.TowerConfig} {
		t.Width, t.MLPWidth = width, 4*width
	}
	return c
}

// ShippedModelDir is where the pretrained world model lives in the repository (Hugging Face layout, with its
// tokenizer), relative to the repository root.
const ShippedModelDir = "world/model"

// ModelsEnv names a folder of models by name: $WISEFT_MODELS/wiseft-tiny is looked up before the repository's
// world/model.
const ModelsEnv = "WISEFT_MODELS"

// FindShippedModel returns the folder of the shipped model "wiseft-tiny": $WISEFT_MODELS/wiseft-tiny when it
// holds one, else <root>/world/model for the first of roots that holds one (the command line passes the working
// directory and the folder above its binary; the notebooks the repository's root). The error lists every place
// looked at.
func FindShippedModel(roots ...string) (string, error) {
	var candidates []string
	if dir := os.Getenv(ModelsEnv); dir != "" {
		candidates = append(candidates, filepath.Join(dir, TinyConfigName))
	}
	for _, r := range roots {
		candidates = append(candidates, filepath.Join(r, ShippedModelDir))
	}
	for _, c := range candidates {
		if st, err := os.Stat(filepath.Join(c, clipmodel.WeightsFile)); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("the shipped model %q was not found in %s", TinyConfigName, strings.Join(candidates, ", "))
}
