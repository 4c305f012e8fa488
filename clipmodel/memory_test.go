package clipmodel

import (
	"strings"
	"testing"
)

// The estimates, checked by hand for ViT-B/32 at batch 1: 3·224² pixels, 50 tokens × (4·768 + 3072) activations
// and 2·12·50² attention scores, 4 bytes each, times the measured overhead of 6.
func TestMemoryEstimates(t *testing.T) {
	b32, _ := ConfigByName("ViT-B/32")
	want := int64(6 * 4 * (3*224*224 + 50*(4*768+3072) + 2*12*50*50))
	if got := b32.ImageForwardBytes(1); got != want {
		t.Errorf("ImageForwardBytes(1) = %d, want %d", got, want)
	}
	if got := b32.ImageForwardBytes(1000); got <= 999*want {
		t.Errorf("ImageForwardBytes(1000) = %d, not about 1000 × %d", got, want)
	}
	if got := b32.ImageForwardBytes(1 << 62); got != -1 {
		t.Errorf("an overflowing estimate = %d, want -1", got)
	}
	if tr, fw := b32.TowerTrainBytes(16, false), b32.ImageForwardBytes(16); tr <= fw {
		t.Errorf("a training step (%d) needs less than a forward pass (%d)", tr, fw)
	}
	if both, img := b32.TowerTrainBytes(16, true), b32.TowerTrainBytes(16, false); both <= img {
		t.Errorf("both towers (%d) need no more than the image tower (%d)", both, img)
	}
	err := b32.CheckImageBatch("an evaluation batch of 1000000000 images", 1000000000, false)
	if err == nil || !strings.Contains(err.Error(), "an evaluation batch of 1000000000 images needs about") {
		t.Errorf("a batch of 10⁹ images: %v", err)
	}
	if err := b32.CheckImageBatch("one image", 1, true); err != nil {
		t.Errorf("one training image of ViT-B/32 refused: %v", err)
	}
}

// SimpleGo's parallel op scheduling deadlocks (operations wait on the worker pool they fill): "go" and
// "go:ops_parallel" are refused with a line naming the mode to use; sequential scheduling is accepted.
func TestBackendRefusesDeadlockingSimpleGoModes(t *testing.T) {
	for _, c := range []struct {
		config string
		ok     bool
	}{
		{"go", false},
		{"go:ops_parallel", false},
		{"go:ops_sequential,ops_parallel", false},
		{"go:dotgeneral_large", false},
		{"go:ops_sequential", true},
		{"go:ops_parallel,ops_sequential", true},
		{"go:dotgeneral_small,ops_sequential", true},
	} {
		b, err := newBackend(c.config)
		if c.ok {
			if err != nil {
				t.Errorf("%s refused: %v", c.config, err)
			} else {
				b.Finalize()
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "use GOMLX_BACKEND=go:ops_sequential") {
			t.Errorf("%s: err = %v, want a refusal naming go:ops_sequential", c.config, err)
		}
	}
}

// The fine-tuning step's count for the real architectures splits into a fixed part (weights, gradients and
// Adam's two moments of the image tower: 16 bytes a parameter) and a part linear in the batch; the README's
// memory table scales the measured peak with these counts (go test -run TrainCountsOfRealArchitectures -v).
func TestTrainCountsOfRealArchitectures(t *testing.T) {
	const mib = 1 << 20
	for _, name := range []string{"ViT-B/32", "ViT-B/16", "ViT-L/14", "ViT-L/14@336px"} {
		cfg, err := ConfigByName(name)
		if err != nil {
			t.Fatal(err)
		}
		v := cfg.Vision
		fixed := cfg.TowerTrainBytes(0, false)
		params := towerParams(v.TowerConfig) + int64(v.NumPatches()+1)*int64(v.Width)
		if fixed != 16*params {
			t.Errorf("%s: fixed part %d bytes, want 16 × %d parameters", name, fixed, params)
		}
		per := cfg.TowerTrainBytes(2, false) - cfg.TowerTrainBytes(1, false)
		for _, b := range []int{1, 4, 128, 512} {
			if got, want := cfg.TowerTrainBytes(b, false), fixed+int64(b)*per; got < want-8 || got > want+8 {
				t.Errorf("%s batch %d: %d bytes, want %d (linear)", name, b, got, want)
			}
		}
		t.Logf("%-15s fixed %7.1f MiB, per image %7.2f MiB counted (%.2f MiB before the %g× overhead)", name,
			float64(fixed)/mib, float64(per)/mib, float64(per)/(trainOverhead2x/2.0)/mib, trainOverhead2x/2.0)
	}
}
