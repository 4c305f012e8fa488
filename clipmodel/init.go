package clipmodel

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// RandomWeights initialises a model of config cfg as CLIP is initialised before pretraining: Linear, patch and
// token embeddings from a normal distribution (std 0.02, attention output and MLP projections scaled down with
// depth as in OpenAI's code), position and class embeddings with std 0.01 and width^-0.5, LayerNorm gains one and
// biases zero, logit_scale = cfg.LogitScaleInit. Deterministic for a seed.
func RandomWeights(cfg Config, seed uint64) Weights {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	shapes := cfg.ExpectedShapes()
	w := make(Weights, len(shapes))
	for _, name := range sortedKeys(shapes) {
		t := NewTensor(shapes[name]...)
		w[name] = t
		std := 0.02
		switch {
		case name == "logit_scale":
			t.Data[0] = float32(cfg.LogitScaleInit)
			continue
		case strings.HasSuffix(name, ".bias"):
			continue
		case strings.Contains(name, "layer_norm") || strings.Contains(name, "layrnorm") || strings.Contains(name, "layernorm"):
			for i := range t.Data {
				t.Data[i] = 1
			}
			continue
		case name == "vision_model.embeddings.class_embedding" || name == "vision_model.embeddings.position_embedding.weight":
			std = 1 / math.Sqrt(float64(cfg.Vision.Width))
		case name == "text_model.embeddings.position_embedding.weight":
			std = 0.01
		case strings.HasSuffix(name, "projection.weight"):
			std = 1 / math.Sqrt(float64(t.Shape[1]))
		case strings.Contains(name, ".encoder.layers."):
			tower := cfg.Vision.TowerConfig
			if strings.HasPrefix(name, "text_model") {
				tower = cfg.Text.TowerConfig
			}
			width, layers := float64(tower.Width), float64(max(tower.Layers, 1))
			switch {
			case strings.Contains(name, "out_proj") || strings.Contains(name, "fc2"):
				std = math.Pow(width, -0.5) * math.Pow(2*layers, -0.5)
			case strings.Contains(name, "fc1"):
				std = math.Pow(2*width, -0.5)
			default:
				std = math.Pow(width, -0.5)
			}
		}
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64() * std)
		}
	}
	return w
}

func sortedKeys(m map[string][]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// VisionFLOPs estimates the floating-point operations (2 per multiply-add) of one image through the vision tower
// and its projection: patch embedding, attention projections, attention itself and the MLPs.
func VisionFLOPs(cfg Config) float64 {
	v := cfg.Vision
	tokens := float64(v.NumPatches() + 1)
	d, m := float64(v.Width), float64(v.MLPWidth)
	patch := float64(v.NumPatches()) * float64(v.Channels*v.PatchSize*v.PatchSize) * d
	perLayer := tokens*4*d*d + 2*tokens*d*m + 2*tokens*tokens*d
	return 2 * (patch + float64(v.Layers)*perLayer + d*float64(cfg.ProjectionDim))
}

// TextFLOPs is the number of floating-point operations (a multiply-add counts 2) of the text tower and its
// projection for one text run at tokens positions: per layer the four attention projections, the MLP and the
// two attention products, as VisionFLOPs counts them. Embedding look-ups, LayerNorms and softmax are left out.
func TextFLOPs(cfg Config, tokens int) float64 {
	t := cfg.Text
	n, d, m := float64(tokens), float64(t.Width), float64(t.MLPWidth)
	perLayer := n*4*d*d + 2*n*d*m + 2*n*n*d
	return 2 * (float64(t.Layers)*perLayer + d*float64(cfg.ProjectionDim))
}
