package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
)

func TestPaperSpelling(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	for _, n := range []string{"train-dataset", "warmup_length", "alpha", "model", "exp_name", "data-location"} {
		fs.String(n, "", "")
	}
	fs.Bool("freeze-encoder", false, "")
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{"underscore for hyphen", []string{"--train_dataset=ImageNet", "--freeze_encoder"},
			[]string{"--train-dataset=ImageNet", "--freeze-encoder"}},
		{"hyphen for underscore", []string{"--warmup-length", "500", "-exp-name", "x"}, []string{"--warmup_length", "500", "-exp_name", "x"}},
		{"alpha space-separated", []string{"--alpha", "0", "0.1", "0.2", "1.0", "--model", "ViT-B/32"},
			[]string{"--alpha=0,0.1,0.2,1.0", "--model", "ViT-B/32"}},
		{"alpha with commas", []string{"--alpha", "0,0.5,1", "--model=m"}, []string{"--alpha=0,0.5,1", "--model=m"}},
		{"negative alphas", []string{"--alpha", "-0.5", "0", "1.5"}, []string{"--alpha=-0.5,0,1.5"}},
		{"alpha with =", []string{"--alpha=0.3", "--data_location=~/data"}, []string{"--alpha=0.3", "--data-location=~/data"}},
		{"alpha last, then a positional", []string{"--alpha", "0.5", "extra"}, []string{"--alpha=0.5", "extra"}},
		{"unknown flags and -- left alone", []string{"--no_such", "--", "--train_dataset"}, []string{"--no_such", "--", "--train_dataset"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := paperSpelling(fs, c.in, "alpha"); !slices.Equal(got, c.want) {
				t.Errorf("paperSpelling(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestExpandHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for in, want := range map[string]string{
		"~/data":             filepath.Join(home, "data"),
		"~":                  home,
		"models/a.pt,~/b":    "models/a.pt," + filepath.Join(home, "b"),
		"/abs/~x":            "/abs/~x",
		"":                   "",
		"~user/not-expanded": "~user/not-expanded",
	} {
		if got := expandHome(in); got != want {
			t.Errorf("expandHome(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestResolveNamedModel resolves --model by architecture name under a models folder: a registered small
// architecture finds the fixture model in its dashed-name folder; a folder of another architecture, a missing
// folder and a missing models folder are clear errors.
func TestResolveNamedModel(t *testing.T) {
	fixtureModel, err := clipmodel.Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fixtureModel.Config
	cfg.Name = "Fixture-T/4"
	if err := clipmodel.RegisterConfig(cfg); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyModel := func(to string) {
		for _, f := range []string{"config.json", "model.safetensors"} {
			data, err := os.ReadFile(filepath.Join(fixture, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(to, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(to, f), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyModel(filepath.Join(dir, "Fixture-T-4"))
	m, err := resolveNamedModel("Fixture-T/4", dir)
	if err != nil || m.Config.Vision.Width != cfg.Vision.Width {
		t.Fatalf("named model: %v", err)
	}
	t.Setenv(ModelsEnv, dir)
	if _, err := resolveNamedModel("Fixture-T/4", ""); err != nil {
		t.Errorf("$%s not used: %v", ModelsEnv, err)
	}
	copyModel(filepath.Join(dir, "ViT-B-32"))
	if _, err := resolveNamedModel("ViT-B/32", dir); err == nil || !strings.Contains(err.Error(), "holds another model") ||
		!strings.Contains(err.Error(), "ViT-B/32 has 224") {
		t.Errorf("another architecture in ViT-B-32: %v", err)
	}
	if _, err := resolveNamedModel("ViT-L/14", dir); err == nil || !strings.Contains(err.Error(), "clip-vit-large-patch14") ||
		!strings.Contains(err.Error(), "ViT-L-14") {
		t.Errorf("missing weights: %v", err)
	}
	t.Setenv(ModelsEnv, "")
	if _, err := resolveNamedModel("ViT-B/16", ""); err == nil || !strings.Contains(err.Error(), "--models-dir") ||
		!strings.Contains(err.Error(), "ViT-B-16") {
		t.Errorf("no models folder: %v", err)
	}
}
