package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// runIn runs the binary in dir with extra environment variables.
func runIn(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// The two sample commands of the paper's README (mlfoundations/wise-ft), word for word after `python
// src/wise_ft.py`, but for the model: from scratch with ViT-B/32, then from the two saved classifiers.
var (
	readmeFromScratch = []string{"--train-dataset=ImageNet", "--epochs=10", "--lr=0.00003", "--batch-size=512",
		"--cache-dir=cache", "--model=ViT-B/32",
		"--eval-datasets=ImageNet,ImageNetV2,ImageNetR,ImageNetA,ImageNetSketch",
		"--template=openai_imagenet_template", "--results-db=results.jsonl", "--save=models/wiseft/ViTB32",
		"--data-location=~/data", "--alpha", "0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}
	readmeFromSaved = []string{"--eval-datasets=ImageNet,ImageNetV2,ImageNetR,ImageNetA,ImageNetSketch",
		"--load=models/zeroshot.pt,models/finetuned.pt", "--results-db=results.jsonl", "--save=models/wiseft",
		"--data-location=~/data", "--alpha", "0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}
)

// replaced returns args with each argument that starts with a key of subst replaced by its value.
func replaced(args []string, subst map[string]string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		for prefix, with := range subst {
			if strings.HasPrefix(a, prefix) {
				out[i] = with
			}
		}
	}
	return out
}

// TestPaperReadmeCommands runs the paper README's two sample commands through the binary, in a working folder
// with $HOME/data holding small trees in the layouts of ImageNet (train and val), ImageNetV2, ImageNet-R,
// ImageNet-A and ImageNet-Sketch. The one change: the shipped small model stands in for ViT-B/32 (whose weights
// cannot be had here), found in the models folder as ViT-B/32's would be; the second command loads the folders the
// first one saved instead of the paper's .pt files. It takes minutes (80 templates for 1,000 classes through the
// small text tower), so -short skips it.
func TestPaperReadmeCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000-class zero-shot head from 80 templates")
	}
	work, home, models := t.TempDir(), t.TempDir(), t.TempDir()
	makeImageNetFamily(t, filepath.Join(home, "data"))
	shipped, err := filepath.Abs("../../world/model")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shipped, filepath.Join(models, "wiseft-tiny")); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, ModelsEnv + "=" + models}

	args := append([]string{"run"}, replaced(readmeFromScratch, map[string]string{"--model=": "--model=wiseft-tiny"})...)
	stdout, stderr, code := runIn(t, work, env, args...)
	if code != 0 {
		t.Fatalf("the README's command from scratch: exit %d\n%s\n%s", code, stdout, stderr)
	}
	saved := filepath.Join("models", "wiseft", "ViTB32")
	for _, p := range []string{"zeroshot", "finetuned", "checkpoints/checkpoint_10", "plots/ImageNetSketch.png", "plots/alpha.png"} {
		if _, err := os.Stat(filepath.Join(work, saved, p)); err != nil {
			t.Errorf("the first command did not write %s: %v", p, err)
		}
	}
	args = append([]string{"run"}, replaced(readmeFromSaved, map[string]string{
		"--load=": "--load=" + filepath.Join(saved, "zeroshot") + "," + filepath.Join(saved, "finetuned")})...)
	if stdout, stderr, code := runIn(t, work, env, args...); code != 0 {
		t.Fatalf("the README's command from saved classifiers: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(work, "models", "wiseft", "plots", "average.svg")); err != nil {
		t.Errorf("the second command wrote no plots: %v", err)
	}

	recs, warns, err := results.Read(filepath.Join(work, "results.jsonl"))
	if err != nil || len(warns) > 0 || len(recs) != 22 {
		t.Fatalf("%d results lines (%v, %v), want 11 per command", len(recs), warns, err)
	}
	for i, r := range recs {
		a, ok := r.Alpha()
		if want := float64(i%11) / 10; !ok || a != want {
			t.Errorf("line %d: alpha %v, want %v", i+1, r["alpha"], want)
		}
		for _, d := range []string{"ImageNet", "ImageNetV2", "ImageNetR", "ImageNetA", "ImageNetSketch"} {
			if v, ok := r.Top1(d); !ok || v < 0 || v > 1 {
				t.Errorf("line %d: %s:top1 = %v", i+1, d, r[d+":top1"])
			}
		}
		if r["data_location"] != filepath.Join(home, "data") || r["classnames"] != "openai" {
			t.Errorf("line %d: data_location %v, classnames %v", i+1, r["data_location"], r["classnames"])
		}
	}
	first, second := recs[0], recs[11]
	if first["lr"] != 3e-05 || first["batch_size"] != 512.0 || first["epochs"] != 10.0 || first["current_epoch"] != 9.0 ||
		first["template"] != "openai_imagenet_template" {
		t.Errorf("first command's flags: %v", first)
	}
	if _, has := second["current_epoch"]; has || second["load"] == nil {
		t.Errorf("second command's line: current_epoch %v, load %v", second["current_epoch"], second["load"])
	}
	// The same classifiers on the same images: the two sweeps agree.
	for i := range 11 {
		if recs[i]["ImageNetR:top1"] != recs[11+i]["ImageNetR:top1"] {
			t.Errorf("α=%v: ImageNetR %v after fine-tuning, %v from the saved classifiers", recs[i]["alpha"],
				recs[i]["ImageNetR:top1"], recs[11+i]["ImageNetR:top1"])
		}
	}
	raw, _ := os.ReadFile(filepath.Join(work, "results.jsonl"))
	if !bytes.Contains(raw, []byte(`"alpha":0.0,`)) || !bytes.Contains(raw, []byte(`"alpha":1.0,`)) {
		t.Error("α 0 and 1 are not written as floats")
	}
}
