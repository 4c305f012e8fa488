package main

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// runCheck checks what a run left: the results log holds one line per α (exactly the --alphas given), each with
// a top-1 in [0, 1] for every dataset, and the plots folder holds at least one PNG that decodes to a non-empty
// image. It prints the top-1 table.
func runCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	db := fs.String("results", "", "results log (JSON lines)")
	alphaList := fs.String("alphas", "0,0.5,1", "the α the run swept, comma-separated")
	sets := fs.String("datasets", "", "datasets every line must have a top-1 for, comma-separated")
	plots := fs.String("plots", "", "folder of the run's figures")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *db == "" || *sets == "" || *plots == "" {
		return fmt.Errorf("check: --results, --datasets and --plots are required")
	}
	var alphas []float64
	for _, s := range strings.Split(*alphaList, ",") {
		a, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("check: --alphas: %w", err)
		}
		alphas = append(alphas, a)
	}
	recs, warnings, err := results.Read(*db)
	if err != nil {
		return err
	}
	if len(warnings) > 0 {
		return fmt.Errorf("check: %s: %s", *db, warnings[0])
	}
	if len(recs) != len(alphas) {
		return fmt.Errorf("check: %s holds %d lines, want one per α (%d)", *db, len(recs), len(alphas))
	}
	names := strings.Split(*sets, ",")
	fmt.Printf("%-6s", "α")
	for _, n := range names {
		fmt.Printf("  %16s", n)
	}
	fmt.Println()
	for i, r := range recs {
		a, ok := r.Alpha()
		if !ok || a != alphas[i] {
			return fmt.Errorf("check: line %d has α %v, want %v", i+1, r["alpha"], alphas[i])
		}
		fmt.Printf("%-6g", a)
		for _, n := range names {
			top1, ok := r.Top1(n)
			if !ok || math.IsNaN(top1) || top1 < 0 || top1 > 1 {
				return fmt.Errorf("check: line %d (α %g) has no top-1 in [0, 1] for %s: %v", i+1, a, n, r[n+":top1"])
			}
			fmt.Printf("  %15.2f%%", 100*top1)
		}
		fmt.Println()
	}
	pngs, err := filepath.Glob(filepath.Join(*plots, "*.png"))
	if err != nil {
		return err
	}
	if len(pngs) == 0 {
		return fmt.Errorf("check: no PNG in %s", *plots)
	}
	slices.Sort(pngs)
	for _, p := range pngs {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("check: %s: %w", p, err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil || cfg.Width == 0 || cfg.Height == 0 {
			return fmt.Errorf("check: %s does not decode to an image (%v)", p, err)
		}
		fmt.Printf("plot: %s (%d×%d)\n", p, cfg.Width, cfg.Height)
	}
	return nil
}
