package clipmodel

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// copyFile copies src to dst for building model folders in tests.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hfFolder lays the fixture out as a Hugging Face model folder with the fixture tokenizer.
func hfFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join(fixtureDir, "config.json"), filepath.Join(dir, ConfigFile))
	copyFile(t, filepath.Join(fixtureDir, "model.safetensors"), filepath.Join(dir, WeightsFile))
	copyFile(t, "tokenizer/testdata/vocab.json", filepath.Join(dir, VocabFile))
	copyFile(t, "tokenizer/testdata/merges.txt", filepath.Join(dir, MergesFile))
	return dir
}

// goldenLogitsDiff embeds the golden inputs with m and returns the largest difference to the golden logits.
func goldenLogitsDiff(t *testing.T, m *Model) float64 {
	t.Helper()
	enc, err := NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	got := encodeGolden(t, enc)
	want, _ := loadGolden(t).Tensors["logits_per_image"].Float32()
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
	}
	return worst
}

func TestLoadHFFolder(t *testing.T) {
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	if m.Tokenizer == nil {
		t.Fatal("tokenizer not loaded from the folder")
	}
	if d := goldenLogitsDiff(t, m); d > goldenTolerance {
		t.Fatalf("logits differ from the reference by %g", d)
	}
}

func TestEncoderBatchingAndPadding(t *testing.T) {
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t)
	pixels, _ := g.Tensors["pixel_values"].Float32()
	all, err := enc.EncodeImages(pixels, 4)
	if err != nil {
		t.Fatal(err)
	}
	enc.BatchSize = 3 // chunks of 3, the second padded
	chunked, err := enc.EncodeImages(pixels, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range all {
		if math.Abs(float64(all[i]-chunked[i])) > 1e-6 {
			t.Fatalf("value %d: %g unbatched, %g in chunks", i, all[i], chunked[i])
		}
	}
}

func TestLoadOpenAINames(t *testing.T) {
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	oa, err := m.Weights.ToOpenAINames(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := oa["visual.transformer.resblocks.1.attn.in_proj_weight"]; !ok {
		t.Fatal("OpenAI names missing the fused projection")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ViT-tiny.safetensors")
	st := oa.ToSafetensors()
	st["attn_mask"] = safetensors.FromFloat32(make([]float32, 4), 2, 2) // an open_clip buffer, ignored
	if err := safetensors.WriteFile(path, st, nil); err != nil {
		t.Fatal(err)
	}
	// Without a config.json beside it the config is inferred from the shapes (heads = width/64 differs from the
	// fixture's 4 heads, so pin the heads from the fixture config for parity).
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Config.Vision.ImageSize != 32 || loaded.Config.Vision.PatchSize != 8 || loaded.Config.Vision.Layers != 2 ||
		loaded.Config.Text.Layers != 2 || loaded.Config.ProjectionDim != 32 || loaded.Config.Text.VocabSize != 49408 {
		t.Fatalf("inferred config %+v", loaded.Config)
	}
	for name, want := range m.Weights {
		got := loaded.Weights[name]
		if got == nil {
			t.Fatalf("tensor %q lost in the OpenAI round trip", name)
		}
		for i := range want.Data {
			if got.Data[i] != want.Data[i] {
				t.Fatalf("tensor %q differs at %d after the OpenAI round trip", name, i)
			}
		}
	}
	// With the config beside it, the OpenAI-named file gives the reference logits.
	copyFile(t, filepath.Join(fixtureDir, "config.json"), filepath.Join(dir, ConfigFile))
	withCfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := goldenLogitsDiff(t, withCfg); d > goldenTolerance {
		t.Fatalf("OpenAI-named weights: logits differ from the reference by %g", d)
	}
}

func TestSaveReopens(t *testing.T) {
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "saved")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	again, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if again.Config.Vision != m.Config.Vision || again.Config.Text != m.Config.Text || again.Config.ProjectionDim != m.Config.ProjectionDim {
		t.Fatalf("config changed in the round trip:\n%+v\n%+v", again.Config, m.Config)
	}
	if d := goldenLogitsDiff(t, again); d > goldenTolerance {
		t.Fatalf("saved model: logits differ from the reference by %g", d)
	}
	// The config is one transformers reads: model_type clip with both sub-configs.
	var raw map[string]any
	data, _ := os.ReadFile(filepath.Join(out, ConfigFile))
	if err := json.Unmarshal(data, &raw); err != nil || raw["model_type"] != "clip" || raw["vision_config"] == nil {
		t.Fatalf("config.json not in the Hugging Face form: %v %s", err, data)
	}
	ids := again.Tokenizer.Encode("a photo of a cat.")
	if len(ids) != 8 || ids[0] != again.Tokenizer.StartID() {
		t.Fatalf("tokenizer not saved with the model: %v", ids)
	}
}

func TestLoadErrors(t *testing.T) {
	base := hfFolder(t)
	f, err := safetensors.ReadFile(filepath.Join(base, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	variant := func(edit func(map[string]*safetensors.Tensor)) string {
		dir := t.TempDir()
		copyFile(t, filepath.Join(base, ConfigFile), filepath.Join(dir, ConfigFile))
		tensors := make(map[string]*safetensors.Tensor, len(f.Tensors))
		for k, v := range f.Tensors {
			tensors[k] = v
		}
		edit(tensors)
		if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), tensors, nil); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := []struct {
		name, path string
		want       []string
	}{
		{"missing folder", filepath.Join(base, "nope"), []string{"no such file"}},
		{"missing tensor", variant(func(m map[string]*safetensors.Tensor) { delete(m, "vision_model.post_layernorm.bias") }),
			[]string{"missing tensor", "vision_model.post_layernorm.bias", "[64]"}},
		{"unknown tensor", variant(func(m map[string]*safetensors.Tensor) {
			m["vision_model.extra.weight"] = safetensors.FromFloat32([]float32{1}, 1)
		}), []string{"unknown tensor", "vision_model.extra.weight"}},
		{"wrong shape", variant(func(m map[string]*safetensors.Tensor) {
			m["visual_projection.weight"] = safetensors.FromFloat32(make([]float32, 64*16), 16, 64)
		}), []string{"visual_projection.weight", "[16 64]", "[32 64]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.path)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("pickle refused", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, filepath.Join(base, ConfigFile), filepath.Join(dir, ConfigFile))
		if err := os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("PK"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "pickled") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestConfigs(t *testing.T) {
	b32, err := ConfigByName("ViT-B/32")
	if err != nil {
		t.Fatal(err)
	}
	if b32.Vision.Width != 768 || b32.Vision.NumPatches() != 49 || b32.Text.Heads != 8 || b32.ProjectionDim != 512 {
		t.Errorf("ViT-B/32 = %+v", b32)
	}
	l336, err := ConfigByName("ViT-L-14-336")
	if err != nil || l336.Vision.ImageSize != 336 || l336.Vision.Layers != 24 || l336.ProjectionDim != 768 {
		t.Errorf("ViT-L-14-336 = %+v, %v", l336, err)
	}
	if _, err := ConfigByName("ViT-H/99"); err == nil || !strings.Contains(err.Error(), "ViT-B/16") {
		t.Errorf("unknown name error does not list known configs: %v", err)
	}
	shapes := b32.ExpectedShapes()
	n := 0
	for _, s := range shapes {
		n += shapeSize(s)
	}
	// OpenAI's ViT-B/32 CLIP has 151,277,313 parameters.
	if n != 151277313 {
		t.Errorf("ViT-B/32 has %d parameters, want 151277313", n)
	}
	data, err := b32.HFConfigJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseHFConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Vision != b32.Vision || back.Text != b32.Text || back.ProjectionDim != b32.ProjectionDim {
		t.Errorf("HF config round trip changed the config:\n%+v\n%+v", back, b32)
	}
	if _, err := ParseHFConfig([]byte(`{"model_type":"bert"}`)); err == nil {
		t.Error("a non-CLIP config was accepted")
	}
}
