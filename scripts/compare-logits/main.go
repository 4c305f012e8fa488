// Command compare-logits checks an embed output against the golden fixture of the reference implementation: it
// prints the largest absolute difference of logits_per_image, image_embeds and text_embeds, and exits 1 above 1e-4.
package main

import (
	"fmt"
	"math"
	"os"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compare-logits OUTPUT.safetensors GOLDEN.safetensors")
		os.Exit(2)
	}
	got, err := safetensors.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare-logits:", err)
		os.Exit(1)
	}
	want, err := safetensors.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare-logits:", err)
		os.Exit(1)
	}
	failed := false
	for _, name := range []string{"logits_per_image", "image_embeds", "text_embeds"} {
		g, w := got.Tensors[name], want.Tensors[name]
		if g == nil || w == nil {
			fmt.Printf("%-17s missing\n", name)
			failed = true
			continue
		}
		gv, _ := g.Float32()
		wv, _ := w.Float32()
		if len(gv) != len(wv) {
			fmt.Printf("%-17s %d values, golden %d\n", name, len(gv), len(wv))
			failed = true
			continue
		}
		worst := 0.0
		for i := range gv {
			worst = math.Max(worst, math.Abs(float64(gv[i]-wv[i])))
		}
		verdict := "ok"
		if worst > 1e-4 {
			verdict, failed = "FAIL", true
		}
		fmt.Printf("%-17s shape %v  max |diff| vs reference %.2e  %s\n", name, g.Shape, worst, verdict)
	}
	if failed {
		os.Exit(1)
	}
}
