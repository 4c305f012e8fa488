package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

var binary string

// TestMain builds the command once; the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wiseft-cli")
	if err != nil {
		panic(err)
	}
	// Readable by every user: a test runs the binary as another one (see runAsOtherUser).
	if err := os.Chmod(dir, 0o755); err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "wiseft")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	fixture      = "../../clipmodel/testdata/clip"
	tokenizerDir = "../../clipmodel/tokenizer/testdata"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runEnv(t, nil, args...)
}

// runEnv is run with more environment variables.
func runEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
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

// modelWithTokenizer lays out the fixture model with the fixture vocabulary.
func modelWithTokenizer(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{fixture + "/config.json", fixture + "/model.safetensors", tokenizerDir + "/vocab.json", tokenizerDir + "/merges.txt"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEmbedMatchesGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "embeds.safetensors")
	_, stderr, code := run(t, "embed", "--model", fixture, "--inputs", fixture+"/golden.safetensors", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := safetensors.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := safetensors.ReadFile(fixture + "/golden.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"logits_per_image", "image_embeds", "text_embeds"} {
		g, _ := got.Tensors[name].Float32()
		w, _ := golden.Tensors[name].Float32()
		if len(g) != len(w) {
			t.Fatalf("%s: %d values, golden %d", name, len(g), len(w))
		}
		for i := range w {
			if math.Abs(float64(g[i]-w[i])) > 1e-4 {
				t.Fatalf("%s[%d] = %g, golden %g", name, i, g[i], w[i])
			}
		}
	}
}

func TestTokenizeMatchesGolden(t *testing.T) {
	var golden struct {
		Cases []struct {
			Text string `json:"text"`
			IDs  []int  `json:"ids"`
		} `json:"cases"`
	}
	data, err := os.ReadFile(tokenizerDir + "/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	args := []string{"tokenize", "--model", tokenizerDir}
	for _, c := range golden.Cases {
		args = append(args, c.Text)
	}
	stdout, stderr, code := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != len(golden.Cases) {
		t.Fatalf("%d lines for %d texts", len(lines), len(golden.Cases))
	}
	for i, c := range golden.Cases {
		var ids []int
		if err := json.Unmarshal([]byte(lines[i]), &ids); err != nil {
			t.Fatalf("line %d %q: %v", i, lines[i], err)
		}
		if len(ids) != len(c.IDs) {
			t.Fatalf("%q: %v, want %v", c.Text, ids, c.IDs)
		}
		for j := range ids {
			if ids[j] != c.IDs[j] {
				t.Fatalf("%q: %v, want %v", c.Text, ids, c.IDs)
			}
		}
	}
}

func TestEmbedImagesAndTextTable(t *testing.T) {
	model := modelWithTokenizer(t)
	dir := t.TempDir()
	// Two images written with the preprocess package's own test images.
	for _, name := range []string{"gradient_rgb_50x37.png", "gray_41x64.png"} {
		src := filepath.Join("../../clipmodel/preprocess/testdata", name)
		data, err := os.ReadFile(src)
		if err != nil {
			t.Skipf("no test image %s: %v", src, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := run(t, "embed", "--model", model, "--images", dir, "--text", "a photo of a cat.", "a dog")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"gradient_rgb_50x37.png", "gray_41x64.png", `"a dog"`, "%"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table does not show %q:\n%s", want, stdout)
		}
	}
}

func TestBadInputs(t *testing.T) {
	model := modelWithTokenizer(t)
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notImage, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	badInputs := filepath.Join(t.TempDir(), "inputs.safetensors")
	if err := safetensors.WriteFile(badInputs, map[string]*safetensors.Tensor{
		"pixel_values": safetensors.FromFloat32(make([]float32, 3*16*16), 1, 3, 16, 16)}, nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "keep.safetensors")
	if err := os.WriteFile(out, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing model", []string{"embed", "--model", "/no/such/model", "--text", "hi"}, "no such file"},
		{"missing inputs file", []string{"embed", "--model", fixture, "--inputs", "/no/such.safetensors"}, "no such file"},
		{"non-image file", []string{"embed", "--model", model, "--images", notImage}, "notes.txt"},
		{"empty text", []string{"embed", "--model", model, "--text", ""}, "empty"},
		{"wrong pixel shape", []string{"embed", "--model", fixture, "--inputs", badInputs, "--out", out, "--overwrite"}, "[1 3 16 16]"},
		{"no tokenizer", []string{"embed", "--model", fixture, "--text", "a cat"}, "tokenizer"},
		{"no model flag", []string{"embed", "--text", "a"}, "--model"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"tokenize without model files", []string{"tokenize", "--model", t.TempDir(), "x"}, "vocab.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := run(t, c.args...)
			if code == 0 {
				t.Fatalf("exit 0, stdout %q", stdout)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not mention %q", stderr, c.want)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("a panic trace reached the user: %s", stderr)
			}
			if c.name != "unknown command" && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("more than one error line: %q", stderr)
			}
		})
	}
	if data, _ := os.ReadFile(out); string(data) != "precious" {
		t.Error("a failed run overwrote an existing output file")
	}
}
