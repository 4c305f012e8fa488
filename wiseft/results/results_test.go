package results

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func flags() Record {
	return Record{
		"train_dataset": "ImageNet", "epochs": 10, "lr": 3e-5, "batch_size": 512,
		"model": "ViT-B/32", "eval_datasets": []string{"ImageNet", "ImageNetV2"},
		"template": "openai_imagenet_template", "save": "/tmp/ckpt",
		"freeze_encoder": false, "ls": 0.0, "wd": 0.1, "warmup_length": 500,
	}
}

func rec(alpha, id, shift float64) Record {
	r := flags()
	r["alpha"] = alpha
	r["ImageNet:top1"] = id
	r["ImageNetV2:top1"] = shift
	return r
}

func mustRead(t *testing.T, path string) ([]Record, []Warning) {
	t.Helper()
	recs, warns, err := Read(path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return recs, warns
}

func TestAppendTwoRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "results.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	// Run 1: zero-shot and fine-tuned.
	if err := Append(path, rec(0, 0.75, 0.60), rec(1, 0.95, 0.50)); err != nil {
		t.Fatal(err)
	}
	// Run 2: a later process appends the interpolations.
	if err := Append(path, rec(0.5, 0.90, 0.65)); err != nil {
		t.Fatal(err)
	}
	recs, warns := mustRead(t, path)
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	for i, want := range []float64{0, 1, 0.5} {
		a, ok := recs[i].Alpha()
		if !ok || a != want {
			t.Errorf("record %d: Alpha() = %v, %v; want %v", i, a, ok, want)
		}
	}
	if v, ok := recs[2].Metric("ImageNetV2", "top1"); !ok || v != 0.65 {
		t.Errorf("Metric = %v, %v", v, ok)
	}
	// Numbers read back as float64, flags survive.
	if e, ok := recs[0]["epochs"].(float64); !ok || e != 10 {
		t.Errorf("epochs = %#v", recs[0]["epochs"])
	}
	if s, _ := recs[0].String("model"); s != "ViT-B/32" {
		t.Errorf("model = %q", s)
	}
	if got := recs[0].Datasets(); !reflect.DeepEqual(got, []string{"ImageNet", "ImageNetV2"}) {
		t.Errorf("Datasets() = %v", got)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 3 || data[len(data)-1] != '\n' {
		t.Errorf("file has %d newlines, want 3 and a final one:\n%s", n, data)
	}
}

func TestTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := Append(path, rec(0, 0.75, 0.60), rec(0.5, 0.90, 0.65)); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash mid-write: cut the last line in half.
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	firstLen := strings.Index(string(data), "\n") + 1
	cut := int64(firstLen) + (fi.Size()-int64(firstLen))/2
	if err := os.Truncate(path, cut); err != nil {
		t.Fatal(err)
	}
	recs, warns := mustRead(t, path)
	if len(recs) != 1 || len(warns) != 1 || warns[0].Line != 2 {
		t.Fatalf("after truncation: %d records, warnings %v; want 1 record and a warning on line 2", len(recs), warns)
	}

	if err := Append(path, rec(1, 0.95, 0.50)); err != nil {
		t.Fatal(err)
	}
	recs, warns = mustRead(t, path)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	if a, _ := recs[0].Alpha(); a != 0 {
		t.Errorf("old record alpha = %v", a)
	}
	if a, _ := recs[1].Alpha(); a != 1 {
		t.Errorf("new record alpha = %v", a)
	}
	if len(warns) != 1 || warns[0].Line != 2 {
		t.Fatalf("warnings = %v; want one on line 2", warns)
	}
	if !strings.Contains(warns[0].String(), "line 2") {
		t.Errorf("warning text %q", warns[0].String())
	}
	lines := strings.Split(strings.TrimSuffix(readString(t, path), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines (old, torn, new), got %d", len(lines))
	}
	if !strings.HasPrefix(lines[2], "{") {
		t.Errorf("new line merged with torn one: %q", lines[2])
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	const workers, each = 8, 25
	big := strings.Repeat("x", 8000) // lines larger than a pipe buffer
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r := rec(float64(i)/each, 0.8, 0.6)
				r["worker"] = w
				r["pad"] = big
				if err := Append(path, r); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	recs, warns := mustRead(t, path)
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns[:min(3, len(warns))])
	}
	if len(recs) != workers*each {
		t.Fatalf("got %d records, want %d", len(recs), workers*each)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		a, _ := r.Alpha()
		seen[fmt.Sprint(r["worker"], a)] = true
		if r["pad"] != big {
			t.Fatal("pad field damaged")
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct records, want %d", len(seen), workers*each)
	}
}

func TestAppendValidates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	bad := []Record{
		nil,
		{"model": "x"},
		{"alpha": "0.5"},
		{"alpha": []float64{}},
		{"alpha": []any{0.5, "x"}},
		{"alpha": []float64{0.5, math.Inf(1)}},
		{"alpha": math.NaN()},
		{"alpha": 0.5, "ImageNet:top1": math.Inf(1)},
	}
	for _, r := range bad {
		if err := Append(path, rec(0, 0.7, 0.6), r); err == nil {
			t.Errorf("Append(%v) succeeded", r)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed Append wrote the file")
	}
	if err := Append(path, Record{"alpha": 1, "ImageNet:top1": float32(0.5)}); err != nil {
		t.Fatal(err)
	}
	recs, _ := mustRead(t, path)
	if a, ok := recs[0]["alpha"].(float64); !ok || a != 1 {
		t.Errorf("alpha read back as %#v", recs[0]["alpha"])
	}
	if err := Append(path); err != nil {
		t.Errorf("Append with no records: %v", err)
	}
}

func TestReadMissingFile(t *testing.T) {
	_, _, err := Read(filepath.Join(t.TempDir(), "nope.jsonl"))
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of missing file: %v", err)
	}
}

func TestParseOddLines(t *testing.T) {
	log := strings.Join([]string{
		`{"alpha": 0, "ImageNet:top1": 0.7, "ImageNet:f1": NaN, "note": "NaN inside a string", "x": [Infinity, -Infinity]}`,
		``,
		`   `,
		`[1, 2]`,
		`null`,
		`{"alpha": 0.5, "ImageNet:to`,
		`{"alpha": 1, "ImageNet:top1": 0.9}`,
	}, "\n")
	recs, warns, err := Parse(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	var lines []int
	for _, w := range warns {
		lines = append(lines, w.Line)
	}
	if !reflect.DeepEqual(lines, []int{4, 5, 6}) {
		t.Errorf("warning lines = %v, want [4 5 6]: %v", lines, warns)
	}
	if f1, ok := recs[0].Metric("ImageNet", "f1"); !ok || !math.IsNaN(f1) {
		t.Errorf("f1 = %v, %v; want NaN", f1, ok)
	}
	if recs[0]["note"] != "NaN inside a string" {
		t.Errorf("note = %q", recs[0]["note"])
	}
	x := recs[0]["x"].([]any)
	if !math.IsInf(x[0].(float64), 1) || !math.IsInf(x[1].(float64), -1) {
		t.Errorf("x = %v", x)
	}
	if a, _ := recs[1].Alpha(); a != 1 {
		t.Errorf("last line (no trailing newline) alpha = %v", a)
	}
}

func TestDatasets(t *testing.T) {
	r := Record{"alpha": 0.0, "B:top1": 0.1, "A:top1": 0.2, "A:f1": 0.3, ":top1": 1, "top1": 2}
	if got := r.Datasets(); !reflect.DeepEqual(got, []string{"A", "B"}) {
		t.Errorf("Datasets() = %v", got)
	}
	if _, ok := (Record{"alpha": []any{0.5}}).Alpha(); ok {
		t.Error("Alpha() accepted a list")
	}
	if _, ok := r.Metric("C", "top1"); ok {
		t.Error("Metric of missing dataset ok")
	}
}

// TestCurvesMissingMethodIsFT: records without a method (written before methods were recorded) group with the
// method "ft" records, and beside another method the curve is labelled ft.
func TestCurvesMissingMethodIsFT(t *testing.T) {
	recs := []Record{
		{"alpha": 0.0, "MNIST:top1": 0.5}, {"alpha": 1.0, "method": "ft", "MNIST:top1": 0.9},
		{"alpha": 0.0, "method": "lp-ft", "MNIST:top1": 0.5}, {"alpha": 1.0, "method": "lp-ft", "MNIST:top1": 0.95},
	}
	curves, err := Curves(recs, MethodKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(curves) != 2 || curves[0].Label != "ft" || curves[1].Label != "lp-ft" {
		t.Fatalf("curves %+v, want ft (α 0 and 1) and lp-ft", curves)
	}
	if len(curves[0].Alphas) != 2 || curves[0].Top1["MNIST"][1] != 0.9 {
		t.Errorf("the ft curve %+v does not join the records with and without a method", curves[0])
	}
}
