package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gowiseft/wiseft/internal/atomicfile"
)

// step is one step of scripts/gpu-check.sh as its steps file records it.
type step struct {
	Name    string  `json:"name"`
	Status  string  `json:"status"` // pass, fail, skip
	Seconds float64 `json:"seconds"`
	Note    string  `json:"note,omitempty"`
	Log     string  `json:"log,omitempty"`
	Tail    string  `json:"log_tail,omitempty"`
	Tests   []test  `json:"tests,omitempty"`
}

// test is one Go test's outcome in a step's verbose test log.
type test struct {
	Name   string `json:"name"`
	Result string `json:"result"` // PASS, FAIL, SKIP
	Detail string `json:"detail,omitempty"`
}

// runReport gathers what scripts/gpu-check.sh left in a folder into report.json and report.txt: the steps (status,
// time, the outcome of each Go test and its t.Log lines, the end of each log), the `wiseft bench` results beside
// PyTorch's, and the CPU scaling figures.
func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("dir", "", "the folder gpu-check.sh wrote (steps.tsv, logs/, *.jsonl)")
	dry := fs.Bool("dry-run", false, "the run was gpu-check.sh --dry-run")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("report: --dir is required")
	}
	steps, err := readSteps(filepath.Join(*dir, "steps.tsv"))
	if err != nil {
		return err
	}
	rep := map[string]any{"dry_run": *dry, "written": time.Now().UTC().Format(time.RFC3339), "steps": steps}
	if data, err := os.ReadFile(filepath.Join(*dir, "machine.txt")); err == nil {
		rep["machine"] = strings.TrimSpace(string(data))
	}
	bench := readJSONL(filepath.Join(*dir, "bench-go.jsonl"))
	torch := readJSONL(filepath.Join(*dir, "bench-torch.jsonl"))
	scaling := readJSONL(filepath.Join(*dir, "cpu-scaling.jsonl"))
	rep["bench_go"], rep["bench_torch"], rep["cpu_scaling"] = bench, torch, scaling
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(*dir, "report.json"), append(data, '\n')); err != nil {
		return err
	}
	var b strings.Builder
	mode := "on the device"
	if *dry {
		mode = "dry run (SimpleGo, tiny sizes; steps that need a PJRT plugin or PyTorch are skipped)"
	}
	fmt.Fprintf(&b, "gpu-check report, %s, %s\n", mode, rep["written"])
	if m, ok := rep["machine"].(string); ok {
		fmt.Fprintf(&b, "%s\n", m)
	}
	fmt.Fprintf(&b, "\nsteps:\n")
	failed := 0
	for _, s := range steps {
		fmt.Fprintf(&b, "  %-14s %-4s %7.1fs  %s\n", s.Name, s.Status, s.Seconds, s.Note)
		for _, t := range s.Tests {
			fmt.Fprintf(&b, "      %-4s %s %s\n", t.Result, t.Name, t.Detail)
		}
		if s.Status == "fail" {
			failed++
		}
	}
	fmt.Fprintf(&b, "\nwiseft bench:\n")
	for _, r := range bench {
		fmt.Fprintf(&b, "  %s\n", benchLine(r))
	}
	fmt.Fprintf(&b, "\nPyTorch (scripts/torch_vit_bench.py):\n")
	for _, r := range torch {
		fmt.Fprintf(&b, "  %s\n", benchLine(r))
	}
	fmt.Fprintf(&b, "\nCPU scaling (SimpleGo, GOMAXPROCS = workers):\n")
	for _, r := range scaling {
		fmt.Fprintf(&b, "  workers %-3v %s\n", r["gomaxprocs"], benchLine(r))
	}
	fmt.Fprintf(&b, "\n%d of %d steps failed\n", failed, len(steps))
	if err := atomicfile.Write(filepath.Join(*dir, "report.txt"), []byte(b.String())); err != nil {
		return err
	}
	fmt.Print(b.String())
	return nil
}

// benchLine is one benchmark result in a line: case, median time, images/s, memory.
func benchLine(r map[string]any) string {
	if e, ok := r["error"].(string); ok && e != "" {
		return fmt.Sprintf("%-28v error: %s", r["case"], e)
	}
	num := func(k string) float64 { f, _ := r[k].(float64); return f }
	line := fmt.Sprintf("%-28v median %9.4fs  %10.1f img/s  peak RSS %6.0f MiB", r["case"], num("median_s"),
		num("images_per_s"), num("peak_rss_mib"))
	if v := num("gflop_per_s"); v > 0 {
		line += fmt.Sprintf("  %7.1f GFLOP/s", v)
	}
	if v := num("peak_device_mib"); v > 0 {
		line += fmt.Sprintf("  device %6.0f MiB", v)
	}
	if v := num("first_call_s"); v > 0 {
		line += fmt.Sprintf("  first call %.1fs", v)
	}
	return line
}

// readSteps reads steps.tsv: name, status, seconds, log file (relative to its folder), note.
func readSteps(path string) ([]step, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var steps []step
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 5)
		if len(p) < 5 {
			continue
		}
		secs, _ := strconv.ParseFloat(p[2], 64)
		s := step{Name: p[0], Status: p[1], Seconds: secs, Log: p[3], Note: p[4]}
		if s.Log != "" {
			if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), s.Log)); err == nil {
				s.Tail = tail(string(data), 1500)
				s.Tests = goTests(string(data))
			}
		}
		steps = append(steps, s)
	}
	return steps, sc.Err()
}

// tail is the last n bytes of s, from a line start.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// goTests reads the outcome of each top-level test in a `go test -v` log, with its first t.Log or skip line.
func goTests(log string) []test {
	byName := map[string]*test{}
	var order []string
	current := ""
	for _, line := range strings.Split(log, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "=== RUN   "):
			current = strings.TrimPrefix(line, "=== RUN   ")
			if !strings.Contains(current, "/") {
				if _, ok := byName[current]; !ok {
					byName[current] = &test{Name: current}
					order = append(order, current)
				}
			}
		case strings.HasPrefix(trimmed, "--- PASS: "), strings.HasPrefix(trimmed, "--- FAIL: "), strings.HasPrefix(trimmed, "--- SKIP: "):
			f := strings.Fields(trimmed)
			if len(f) >= 3 {
				if t, ok := byName[f[2]]; ok {
					t.Result = strings.TrimSuffix(f[1], ":")
				}
			}
		case strings.Contains(line, "_test.go:") && current != "":
			root, _, _ := strings.Cut(current, "/")
			if t, ok := byName[root]; ok && t.Detail == "" {
				t.Detail = strings.TrimSpace(line)
			}
		}
	}
	out := make([]test, 0, len(order))
	for _, n := range order {
		out = append(out, *byName[n])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Result == "FAIL" && out[j].Result != "FAIL" })
	return out
}

// readJSONL reads the JSON objects of a JSON-lines file (none when it is missing); lines that are not objects are
// skipped.
func readJSONL(path string) []map[string]any {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []map[string]any
	for _, line := range strings.Split(string(data), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &m) == nil && m != nil {
			out = append(out, m)
		}
	}
	return out
}
