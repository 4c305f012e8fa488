package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
)

// TinyArch is the --arch of the CI configuration: ViT-B/32's structure (quick GELU, context 77, CLIP's
// 49,408-token vocabulary) at tiny widths, 64×64 images in 16×16 patches.
const TinyArch = "tiny"

// tinyConfig is the config of TinyArch.
func tinyConfig() clipmodel.Config {
	cfg, _ := clipmodel.ConfigByName("ViT-B/32")
	cfg.Name = ""
	cfg.Vision.TowerConfig = clipmodel.TowerConfig{Width: 64, MLPWidth: 256, Layers: 2, Heads: 2,
		Activation: "quick_gelu", LayerNormEps: 1e-5}
	cfg.Vision.ImageSize, cfg.Vision.PatchSize = 64, 16
	cfg.Text.TowerConfig = clipmodel.TowerConfig{Width: 64, MLPWidth: 256, Layers: 2, Heads: 2,
		Activation: "quick_gelu", LayerNormEps: 1e-5}
	cfg.ProjectionDim = 64
	return cfg
}

// runModel writes a randomly initialised CLIP (clipmodel.RandomWeights) of an architecture in the Hugging Face
// layout, with the tokenizer built from OpenAI's BPE merge list (CLIP's real 49,408-token vocabulary).
func runModel(args []string) error {
	fs := flag.NewFlagSet("model", flag.ContinueOnError)
	arch := fs.String("arch", "ViT-B/32", "architecture: a registered name (ViT-B/32, ViT-L/14, ...) or "+TinyArch)
	out := fs.String("out", "", "model folder to write (must not exist)")
	bpe := fs.String("bpe", "clipmodel/tokenizer/testdata/bpe_simple_vocab_16e6.txt.gz", "OpenAI's BPE merge list")
	seed := fs.Uint64("seed", 1, "seed of the random weights")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("model: --out is required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("model: %s exists", *out)
	}
	cfg := tinyConfig()
	if *arch != TinyArch {
		var err error
		if cfg, err = clipmodel.ConfigByName(*arch); err != nil {
			return err
		}
	}
	tok, err := tokenizer.LoadOpenAIBPE(*bpe)
	if err != nil {
		return err
	}
	if tok.VocabSize() != cfg.Text.VocabSize {
		return fmt.Errorf("model: the tokenizer has %d entries, %s's vocabulary %d", tok.VocabSize(), *arch, cfg.Text.VocabSize)
	}
	m := &clipmodel.Model{Config: cfg, Weights: clipmodel.RandomWeights(cfg, *seed), Tokenizer: tok,
		Transform: preprocess.New(cfg.Vision.ImageSize)}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Printf("model: %s, %d parameters, written to %s\n", *arch, m.Weights.NumParameters(), *out)
	return nil
}
