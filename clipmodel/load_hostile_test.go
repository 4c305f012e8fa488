//go:build unix

package clipmodel

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// hostileFolder is the fixture folder with its weights edited by editW and its config.json by editC (either may
// be nil).
func hostileFolder(t *testing.T, editW func(map[string]*safetensors.Tensor), editC func(map[string]any)) string {
	t.Helper()
	dir := hfFolder(t)
	if editW != nil {
		f, err := safetensors.ReadFile(filepath.Join(dir, WeightsFile))
		if err != nil {
			t.Fatal(err)
		}
		editW(f.Tensors)
		if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), f.Tensors, nil); err != nil {
			t.Fatal(err)
		}
	}
	if editC != nil {
		data, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
		var c map[string]any
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		editC(c)
		data, _ = json.Marshal(c)
		if err := os.WriteFile(filepath.Join(dir, ConfigFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// setValue replaces element i of a float32 tensor.
func setValue(name string, i int, v float32) func(map[string]*safetensors.Tensor) {
	return func(m map[string]*safetensors.Tensor) {
		data, _ := m[name].Float32()
		data[i] = v
		m[name] = safetensors.FromFloat32(data, m[name].Shape...)
	}
}

func setTower(tower, field string, v any) func(map[string]any) {
	return func(c map[string]any) { c[tower].(map[string]any)[field] = v }
}

// TestLoadRefusesHostileModels: weights that are not finite numbers, a logit scale that overflows, integers
// where floats belong, configs with absurd sizes or a LayerNorm epsilon that divides by zero, and paths that are
// not model files: each is refused at load with an error that names the tensor, the field or the path.
func TestLoadRefusesHostileModels(t *testing.T) {
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "pipe.safetensors")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(tmp, "loop")
	os.Symlink(loop, loop)
	fifoInside := hfFolder(t)
	os.Remove(filepath.Join(fifoInside, WeightsFile))
	syscall.Mkfifo(filepath.Join(fifoInside, WeightsFile), 0o644)
	loopConfig := hfFolder(t)
	os.Remove(filepath.Join(loopConfig, ConfigFile))
	os.Symlink(filepath.Join(loopConfig, ConfigFile), filepath.Join(loopConfig, ConfigFile))

	cases := []struct {
		name, path, want string
	}{
		{"NaN weight", hostileFolder(t, setValue("vision_model.post_layernorm.weight", 3, float32(math.NaN())), nil),
			`tensor "vision_model.post_layernorm.weight" holds NaN at index 3 (1 of its 64 values`},
		{"Inf weight", hostileFolder(t, setValue("text_projection.weight", 0, float32(math.Inf(-1))), nil),
			`tensor "text_projection.weight" holds -Inf at index 0`},
		{"NaN logit_scale", hostileFolder(t, setValue("logit_scale", 0, float32(math.NaN())), nil), `"logit_scale" holds NaN`},
		{"huge logit_scale", hostileFolder(t, setValue("logit_scale", 0, 1e10), nil), `"logit_scale" is 1e+10, outside [-10, 10]`},
		{"integer dtype on a weight", hostileFolder(t, func(m map[string]*safetensors.Tensor) {
			m["vision_model.pre_layrnorm.bias"] = safetensors.FromInt64(make([]int64, 64), 64)
		}, nil), `tensor "vision_model.pre_layrnorm.bias" has dtype I64; a weight must be F32, F16, BF16 or F64`},
		{"100,000,000 layers", hostileFolder(t, nil, setTower("vision_config", "num_hidden_layers", 100000000)),
			"vision_config.num_hidden_layers 100000000 is outside [0, 1024]"},
		{"1e12 layers", hostileFolder(t, nil, setTower("text_config", "num_hidden_layers", 1000000000000)),
			"text_config.num_hidden_layers 1000000000000 is outside [0, 1024]"},
		{"absurd width", hostileFolder(t, nil, setTower("text_config", "hidden_size", 1<<40)), "text_config.hidden_size"},
		{"absurd image size", hostileFolder(t, nil, setTower("vision_config", "image_size", 1<<20)), "vision_config.image_size 1048576"},
		{"absurd vocabulary", hostileFolder(t, nil, setTower("text_config", "vocab_size", 1<<30)), "text_config.vocab_size"},
		{"layer_norm_eps 0", hostileFolder(t, nil, setTower("vision_config", "layer_norm_eps", 0)), "vision_config.layer_norm_eps 0 is outside (0, 0.5]"},
		{"layer_norm_eps negative", hostileFolder(t, nil, setTower("text_config", "layer_norm_eps", -1e-5)), "text_config.layer_norm_eps -1e-05"},
		{"named pipe as the model", fifo, "is a named pipe (FIFO), not a model folder or a .safetensors file"},
		{"named pipe as model.safetensors", fifoInside, "is a named pipe (FIFO), not a regular file"},
		{"/dev/zero as the model", "/dev/zero", "is a character device"},
		{"symbolic link loop as the model", loop, "loop is a symbolic link loop"},
		{"symbolic link loop as config.json", loopConfig, "config.json is a symbolic link loop"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// A folder that cannot be listed is named as such, not as a folder without model.safetensors. Root reads every
// folder, so the case needs another user.
func TestLoadUnreadableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every folder (the command-line test runs this case as another user)")
	}
	dir := hfFolder(t)
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "cannot be read: ") || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("err = %v", err)
	}
}
