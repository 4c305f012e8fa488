package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// TestEmbedImagesInBatches: --images is decoded and embedded --batch-size images at a time; the embeddings do
// not depend on the batch size.
func TestEmbedImagesInBatches(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"gradient_rgb_50x37.png", "gray_41x64.png", "photo_64x48.jpg", "tall_24x40.png", "palette_20x15.png"} {
		data, err := os.ReadFile(filepath.Join("../../clipmodel/preprocess/testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	embeds := func(batch string) []float32 {
		out := filepath.Join(t.TempDir(), "e.safetensors")
		if _, stderr, code := run(t, "embed", "--model", fixture, "--images", dir, "--batch-size", batch, "--out", out); code != 0 {
			t.Fatalf("--batch-size %s: exit %d: %s", batch, code, stderr)
		}
		f, err := safetensors.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		e := f.Tensors["image_embeds"]
		if e == nil || safetensors.ShapeString(e.Shape) != "[5 32]" {
			t.Fatalf("--batch-size %s: image_embeds %v", batch, e)
		}
		v, _ := e.Float32()
		return v
	}
	one, two, all := embeds("1"), embeds("2"), embeds("32")
	for i := range all {
		if math.Abs(float64(one[i]-all[i])) > 1e-5 || math.Abs(float64(two[i]-all[i])) > 1e-5 {
			t.Fatalf("value %d: %g (batch 1), %g (batch 2), %g (batch 32)", i, one[i], two[i], all[i])
		}
	}
}
