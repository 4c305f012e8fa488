package main

import (
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/world"
)

// A training case may name an architecture (its image tower instead of the small model's); its memory bound is
// that architecture's, and anything else after the batch is refused.
func TestBenchCaseArch(t *testing.T) {
	vit, _ := clipmodel.ConfigByName("ViT-B/32")
	for _, c := range []struct {
		spec string
		arch string
		bf16 bool
		mem  int64
	}{
		{"train:4", "", false, world.TinyConfig(512).TowerTrainBytes(4, false)},
		{"train:4:ViT-B-32", "ViT-B-32", false, vit.TowerTrainBytes(4, false)},
		{"train:4:bf16:ViT-B/32", "ViT-B/32", true, vit.TowerTrainBytes(4, false)},
	} {
		bc, err := parseBenchCase(c.spec)
		if err != nil || bc.arch != c.arch || bc.bf16 != c.bf16 || bc.memory() != c.mem {
			t.Errorf("%s: %+v (memory %d, want %d), %v", c.spec, bc, bc.memory(), c.mem, err)
		}
	}
	for _, bad := range []string{"train:4:ViT-X", "forward:4:ViT-B-32", "train:4:ViT-B-32:ViT-L-14"} {
		if _, err := parseBenchCase(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
