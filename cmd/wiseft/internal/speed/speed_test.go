package speed

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/gowiseft/wiseft/clipmodel"
)

// The benchmarks of the issue "Speed on CPU and GPU". Each reports items (images) per second, GFLOP/s where the
// work is counted, and the peak resident memory of preparing and running that benchmark alone (the peak is reset
// before each). Keep runs short on a shared machine, e.g.
//
//	go test -run '^$' -bench 'TinyTrainStep' -benchtime 5x ./internal/speed
//	go test -run '^$' -bench 'ViTB32Forward|MatMul' -benchtime 2x ./internal/speed
//	GOMLX_BACKEND=xla:cuda go test -run '^$' -bench . ./internal/speed
//
// `wiseft bench` runs the same cases with medians and percentiles, each in its own process.

func runCase(b *testing.B, prepare func() (*Case, error)) {
	b.Helper()
	ResetPeakRSS()
	c, err := prepare()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Run(); err != nil { // compile outside the timer
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := c.Run(); err != nil {
			b.Fatal(err)
		}
	}
	secs := time.Since(start).Seconds()
	b.StopTimer()
	if c.Items > 0 {
		b.ReportMetric(float64(b.N*c.Items)/secs, "images/s")
	}
	if c.FLOPs > 0 {
		b.ReportMetric(float64(b.N)*c.FLOPs/secs/1e9, "GFLOP/s")
	}
	b.ReportMetric(PeakRSSMiB(), "peak-RSS-MiB")
}

func BenchmarkViTB32Forward(b *testing.B) {
	backend := testBackend(b)
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			runCase(b, func() (*Case, error) { return ViTB32Forward(backend, batch, dtypes.Float32) })
		})
	}
}

func BenchmarkTinyTrainStep(b *testing.B) {
	backend := testBackend(b)
	for _, opts := range []struct {
		name string
		TrainOptions
	}{{"fast-grads", TrainOptions{}}, {"stock-grads", TrainOptions{Stock: true}}, {"bf16", TrainOptions{BF16: true}}} {
		b.Run(opts.name, func(b *testing.B) {
			runCase(b, func() (*Case, error) { return TinyTrainStep(backend, 128, opts.TrainOptions) })
		})
	}
}

func BenchmarkMatMul(b *testing.B) {
	backend := testBackend(b)
	for _, s := range [][3]int{{800, 768, 768}, {800, 768, 3072}} {
		b.Run(fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2]), func(b *testing.B) {
			runCase(b, func() (*Case, error) { return MatMul(backend, s[0], s[1], s[2]) })
		})
	}
}

func TestTinyTrainStepRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a training step")
	}
	c, err := TinyTrainStep(testBackend(t), 8, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Measure(c, 2, 0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Samples) < 2 || s.ItemsPerSec() <= 0 {
		t.Fatalf("stats %+v", s)
	}
}

// testBackend is the process backend, or the test's end.
func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := clipmodel.Backend()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Report with a zero duration (wiseft bench --time 0s) makes exactly one timed call instead of failing.
func TestReportZeroDuration(t *testing.T) {
	calls := 0
	c := &Case{Name: "count", Items: 1, Run: func() error { calls++; return nil }}
	s, err := Report(c, 0)
	if err != nil || calls != 1 || len(s.Samples) != 1 || len(s.CPU) != 1 {
		t.Fatalf("%d calls, %d samples, %v", calls, len(s.Samples), err)
	}
}
