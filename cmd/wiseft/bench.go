package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/cmd/wiseft/internal/speed"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/console"
	"github.com/gowiseft/wiseft/internal/sysmem"
)

// wiseft bench: the speed benchmarks of internal/speed, each case in a process of its own (so each peak resident
// memory is that case's alone), with medians and percentiles from github.com/janpfeifer/go-benchmarks.
//
//	wiseft bench                                  # the default cases on the default backend
//	wiseft bench --cases train:128,train:128:stock --time 20s
//	GOMLX_BACKEND=xla:cuda wiseft bench --cases forward:256,forward:256:bf16,train:128,train:128:bf16

// defaultBenchCases: the ViT-B/32 forward at batch 1 and 16, the small model's fine-tuning step with the
// project's and with GoMLX's stock gradients, and the raw matrix products of ViT-B/32's sizes.
const defaultBenchCases = "matmul:800x768x768,matmul:800x768x3072,forward:1,forward:16,train:128,train:128:stock"

// benchChildPrefix starts the line on which a child process reports its result.
const benchChildPrefix = "wiseft-bench-result: "

// benchResult is what one case reports.
type benchResult struct {
	Case        string    `json:"case"`
	Name        string    `json:"name"`
	Backend     string    `json:"backend"`
	Items       int       `json:"images_per_call"`
	Calls       int       `json:"calls"`
	MedianS     float64   `json:"median_s"`
	P5S         float64   `json:"p5_s"`
	P95S        float64   `json:"p95_s"`
	CPUMedianS  float64   `json:"cpu_median_s"`
	ImagesPerS  float64   `json:"images_per_s,omitempty"`
	GFLOPPerS   float64   `json:"gflop_per_s,omitempty"`
	PeakRSSMiB  float64   `json:"peak_rss_mib"`
	CompileS    float64   `json:"first_call_s"`
	SamplesS    []float64 `json:"samples_s"`
	Error       string    `json:"error,omitempty"`
	GOMAXPROCS  int       `json:"gomaxprocs"`
	BackendConf string    `json:"backend_config"`
}

func runBench(args []string) error {
	fs := newFlags("bench", "[flags]")
	cases := fs.String("cases", defaultBenchCases, "comma-separated cases: forward:BATCH[:bf16], train:BATCH[:stock][:bf16][:dp][:ARCH] (dp: data-parallel over every device, XLA; ARCH, e.g. ViT-B-32: that architecture's image tower instead of the small model), matmul:MxKxN")
	d := fs.Duration("time", 5*time.Second, "time each case for at least this long after its first (compiling) call; at least one timed call")
	backendFlag := fs.String("backend", "", "GoMLX backend configuration, e.g. go:ops_sequential or xla:cuda (default: $GOMLX_BACKEND, else "+clipmodel.DefaultCPUBackend+")")
	inProcess := fs.Bool("in-process", false, "run every case in this process (peak memory then resets between cases where /proc allows)")
	jsonOut := fs.String("json", "", "also write the results as JSON lines to this file")
	child := fs.Bool("child", false, "internal: run the single case given by --cases and report it to the parent")
	overwrite := fs.Bool(overwriteFlag, false, "replace --json when it exists ("+overwriteHelp+")")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %s", quoteValue(rest[0]))
	}
	if *d < 0 {
		return usagef("--time %v is negative", *d)
	}
	if *backendFlag != "" {
		if err := clipmodel.CheckBackendConfig(*backendFlag); err != nil {
			return usageError{err.Error()}
		}
		if err := os.Setenv(backends.ConfigEnvVar, *backendFlag); err != nil {
			return err
		}
	}
	list := strings.Split(*cases, ",")
	for _, c := range list {
		bc, err := parseBenchCase(c)
		if err != nil {
			return usageError{err.Error()}
		}
		if err := sysmem.Check("bench case "+quoteValue(bc.canonical), bc.memory()); err != nil {
			return usageError{err.Error()}
		}
	}
	if *jsonOut != "" && !*child {
		// Checked before the cases run: a minutes-long benchmark must not end in "no such folder", nor replace a
		// file of the user's.
		if err := checkOutputs([]ioPath{{flag: "json", path: *jsonOut, kind: outFile}}, nil, *overwrite); err != nil {
			return err
		}
	}
	if *child {
		r := runBenchCase(list[0], *d)
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s%s\n", benchChildPrefix, data)
		return nil
	}

	fmt.Fprintf(stdout, "backend %s, GOMAXPROCS %d, %d CPUs\n", benchBackendConfig(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	var results []benchResult
	for _, c := range list {
		var r benchResult
		if *inProcess {
			r = runBenchCase(c, *d)
		} else {
			var err error
			if r, err = runBenchChild(c, *d); err != nil {
				r = benchResult{Case: c, Error: err.Error()}
			}
		}
		if r.Error != "" {
			fmt.Fprintf(os.Stderr, "wiseft bench: %s: %s\n", c, r.Error)
		}
		results = append(results, r)
	}
	printBenchSummary(stdout, results)
	if *jsonOut != "" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		if err := atomicfile.Write(*jsonOut, buf.Bytes()); err != nil {
			return err
		}
	}
	for _, r := range results {
		if r.Error != "" {
			return fmt.Errorf("%s failed: %s", r.Case, r.Error)
		}
	}
	return nil
}

// runBenchCase prepares and times one case in this process.
func runBenchCase(spec string, d time.Duration) (r benchResult) {
	r = benchResult{Case: spec, BackendConf: benchBackendConfig(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	defer func() {
		if p := recover(); p != nil {
			r.Error = fmt.Sprint(p)
		}
	}()
	c, err := parseBenchCase(spec)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	speed.ResetPeakRSS()
	b, err := clipmodel.Backend()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Backend = b.Name()
	var bc *speed.Case
	switch c.kind {
	case "forward":
		dtype := dtypes.Float32
		if c.bf16 {
			dtype = dtypes.BFloat16
		}
		bc, err = speed.ViTB32Forward(b, c.batch, dtype)
	case "train":
		opts := speed.TrainOptions{Stock: c.stock, BF16: c.bf16, DataParallel: c.dp}
		if c.arch != "" {
			bc, err = speed.ArchTrainStep(b, c.arch, c.batch, opts)
		} else {
			bc, err = speed.TinyTrainStep(b, c.batch, opts)
		}
	case "matmul":
		bc, err = speed.MatMul(b, c.m, c.k, c.n)
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	// The first call compiles; it is timed apart.
	t0 := time.Now()
	if err := bc.Run(); err != nil {
		r.Error = err.Error()
		return r
	}
	r.CompileS = time.Since(t0).Seconds()
	s, err := speed.Report(bc, d, 5, 95)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Name, r.Items, r.Calls = s.Name, s.Items, len(s.Samples)
	r.MedianS, r.P5S, r.P95S = s.Median().Seconds(), s.Percentile(5).Seconds(), s.Percentile(95).Seconds()
	r.CPUMedianS = s.MedianCPU().Seconds()
	r.ImagesPerS, r.GFLOPPerS, r.PeakRSSMiB = s.ItemsPerSec(), s.GFLOPPerSec(), s.PeakRSSMiB
	for _, x := range s.Samples {
		r.SamplesS = append(r.SamplesS, x.Seconds())
	}
	return r
}

// runBenchChild runs one case in a child process (this executable, same environment) and reads its result; the
// child's other output (the go-benchmarks table) passes through.
func runBenchChild(spec string, d time.Duration) (benchResult, error) {
	self, err := os.Executable()
	if err != nil {
		return benchResult{}, err
	}
	cmd := exec.Command(self, "bench", "--child", "--cases", spec, "--time", d.String())
	cmd.Stderr = os.Stderr
	// The parent holds the CPU profile (if any); a child given the same path would refuse it as existing.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, CPUProfileEnv+"=") })
	out, err := cmd.StdoutPipe()
	if err != nil {
		return benchResult{}, err
	}
	if err := cmd.Start(); err != nil {
		return benchResult{}, err
	}
	var r *benchResult
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, benchChildPrefix); ok {
			r = new(benchResult)
			if err := json.Unmarshal([]byte(rest), r); err != nil {
				return benchResult{}, fmt.Errorf("reading the child's result: %w", err)
			}
			continue
		}
		fmt.Fprintln(stdout, line)
	}
	waitErr := cmd.Wait()
	if r == nil {
		if waitErr == nil {
			waitErr = fmt.Errorf("no result")
		}
		return benchResult{}, fmt.Errorf("child process: %w", waitErr)
	}
	return *r, nil
}

func benchBackendConfig() string {
	if c := os.Getenv(backends.ConfigEnvVar); c != "" {
		return c
	}
	return clipmodel.DefaultCPUBackend
}

func printBenchSummary(w io.Writer, results []benchResult) {
	rows := [][]string{{"case", "median", "p5", "p95", "CPU/call", "images/s", "GFLOP/s", "peak RSS", "1st call", "calls"}}
	for _, r := range results {
		if r.Error != "" {
			rows = append(rows, []string{r.Case, "error: " + r.Error})
			continue
		}
		ips := "-"
		if r.Items > 0 {
			ips = fmt.Sprintf("%.2f", r.ImagesPerS)
		}
		rows = append(rows, []string{r.Name, fmtSeconds(r.MedianS), fmtSeconds(r.P5S), fmtSeconds(r.P95S),
			fmtSeconds(r.CPUMedianS), ips, fmt.Sprintf("%.2f", r.GFLOPPerS), fmt.Sprintf("%.0f MiB", r.PeakRSSMiB),
			fmt.Sprintf("%.1fs", r.CompileS), strconv.Itoa(r.Calls)})
	}
	fmt.Fprintln(w)
	_ = console.Table(w, rows)
	// The comparisons the issue asks for: each variant of the training step against the plain one of the same batch.
	byCase := map[string]benchResult{}
	for _, r := range results {
		if r.Error == "" {
			byCase[r.Case] = r
		}
	}
	for _, r := range results {
		c, err := parseBenchCase(r.Case)
		if err != nil || r.Error != "" || c.kind != "train" || c.dp || (!c.stock && !c.bf16) {
			continue
		}
		key := fmt.Sprintf("train:%d", c.batch)
		if c.arch != "" {
			key += ":" + c.arch
		}
		base, ok := byCase[key]
		if !ok || r.MedianS <= 0 || base.PeakRSSMiB <= 0 {
			continue
		}
		if c.stock && !c.bf16 {
			fmt.Fprintf(w, "\ntraining step, batch %d, project gradients vs GoMLX stock gradients: %.2fx faster (median %s vs %s; CPU time %.2fx less), peak RSS %.2fx smaller (%.0f vs %.0f MiB)\n",
				c.batch, r.MedianS/base.MedianS, fmtSeconds(base.MedianS), fmtSeconds(r.MedianS),
				r.CPUMedianS/max(base.CPUMedianS, 1e-9), r.PeakRSSMiB/base.PeakRSSMiB, base.PeakRSSMiB, r.PeakRSSMiB)
		} else if c.bf16 && !c.stock {
			fmt.Fprintf(w, "\ntraining step, batch %d, bf16 vs float32: %.2fx the speed, peak RSS %.2fx\n",
				c.batch, base.MedianS/r.MedianS, r.PeakRSSMiB/base.PeakRSSMiB)
		}
	}
}

func fmtSeconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.2fs", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.1fms", s*1e3)
	default:
		return fmt.Sprintf("%.0fµs", s*1e6)
	}
}
