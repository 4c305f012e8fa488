package main

// The cases of `wiseft bench`: their specification and a lower bound of the memory each needs.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/sysmem"
	"github.com/gowiseft/wiseft/world"
)

// benchCase is a parsed case specification.
type benchCase struct {
	kind      string // forward, train, matmul
	batch     int
	m, k, n   int
	stock     bool
	bf16      bool
	dp        bool
	arch      string // train: a registered architecture's image tower instead of the small model ("" for it)
	canonical string
}

// memory is a lower bound of what the case allocates (see clipmodel's memory estimates): the three matrices of a
// matrix product, ViT-B/32's forward pass, the small model's training step.
func (c benchCase) memory() int64 {
	switch c.kind {
	case "matmul":
		m, k, n := int64(c.m), int64(c.k), int64(c.n)
		return sysmem.Product(4, sysmem.Sum(sysmem.Product(m, k), sysmem.Product(k, n), sysmem.Product(m, n)))
	case "forward":
		cfg, _ := clipmodel.ConfigByName("ViT-B/32")
		return cfg.ImageForwardBytes(c.batch)
	case "train":
		if c.arch != "" {
			cfg, _ := clipmodel.ConfigByName(c.arch)
			return cfg.TowerTrainBytes(c.batch, false)
		}
		return world.TinyConfig(512).TowerTrainBytes(c.batch, false)
	}
	return 0
}

func parseBenchCase(s string) (benchCase, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	c := benchCase{kind: parts[0], canonical: strings.TrimSpace(s)}
	bad := fmt.Errorf("bench case %s: want forward:BATCH[:bf16], train:BATCH[:stock][:bf16][:dp][:ARCH] or matmul:MxKxN", quoteValue(s))
	if len(parts) < 2 {
		return c, bad
	}
	switch c.kind {
	case "forward", "train":
		b, err := strconv.Atoi(parts[1])
		if err != nil || b < 1 {
			return c, bad
		}
		c.batch = b
		for _, opt := range parts[2:] {
			switch {
			case opt == "bf16":
				c.bf16 = true
			case opt == "stock" && c.kind == "train":
				c.stock = true
			case opt == "dp" && c.kind == "train":
				c.dp = true
			case c.kind == "train" && c.arch == "" && isArch(opt):
				c.arch = opt
			default:
				return c, bad
			}
		}
	case "matmul":
		dims := strings.Split(parts[1], "x")
		if len(dims) != 3 || len(parts) != 2 {
			return c, bad
		}
		var v [3]int
		for i, d := range dims {
			n, err := strconv.Atoi(d)
			if err != nil || n < 1 {
				return c, bad
			}
			v[i] = n
		}
		c.m, c.k, c.n = v[0], v[1], v[2]
	default:
		return c, bad
	}
	return c, nil
}

// isArch reports whether s names a registered architecture (the dashed spellings, "ViT-B-32", fit in a case).
func isArch(s string) bool {
	_, err := clipmodel.ConfigByName(s)
	return err == nil
}
