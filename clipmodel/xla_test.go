package clipmodel

import (
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Tests of the GPU path: they run where a PJRT plugin is there (GOMLX_BACKEND=xla:<plugin>, or
// PJRT_PLUGIN_LIBRARY_PATH set) and skip elsewhere.

var (
	xlaOnce    sync.Once
	xlaBackend backends.Backend
	xlaErr     error
)

// xlaBackendForTest returns the XLA backend of GOMLX_BACKEND, or the first plugin found in
// PJRT_PLUGIN_LIBRARY_PATH (CUDA first); it skips t where there is none.
func xlaBackendForTest(t *testing.T) backends.Backend {
	t.Helper()
	if !xlaCompiledIn {
		t.Skip("built without the XLA backend (noxla tag or cgo off)")
	}
	config := os.Getenv(backends.ConfigEnvVar)
	if !strings.HasPrefix(config, "xla") {
		if os.Getenv("PJRT_PLUGIN_LIBRARY_PATH") == "" {
			t.Skip("no PJRT plugin: set PJRT_PLUGIN_LIBRARY_PATH or GOMLX_BACKEND=xla:<plugin> to run")
		}
		config = "xla"
	}
	xlaOnce.Do(func() {
		if strings.HasPrefix(os.Getenv(backends.ConfigEnvVar), "xla") {
			xlaBackend, xlaErr = Backend()
		} else {
			xlaBackend, xlaErr = newBackend(config)
		}
	})
	if xlaErr != nil {
		t.Fatalf("a PJRT plugin was announced but the XLA backend failed: %v", xlaErr)
	}
	return xlaBackend
}

// xlaGoldenTolerance: XLA on NVIDIA GPUs computes float32 matrix products in TF32 by default (10-bit mantissa).
const xlaGoldenTolerance = 2e-2

func TestXLAGoldenLogits(t *testing.T) {
	b := xlaBackendForTest(t)
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoderOn(b, m)
	if err != nil {
		t.Fatal(err)
	}
	got := encodeGolden(t, enc)
	want, _ := loadGolden(t).Tensors["logits_per_image"].Float32()
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
	}
	t.Logf("%s (%s): logits differ from the reference by %.3g", b.Name(), b.Description(), worst)
	if worst > xlaGoldenTolerance {
		t.Errorf("logits on %s differ from the reference by %g > %g", b.Name(), worst, xlaGoldenTolerance)
	}
	if b.Capabilities().DTypes[dtypes.BFloat16] {
		f32 := got
		enc.DType = dtypes.BFloat16
		bf16 := encodeGolden(t, enc)
		worst, largest := 0.0, 0.0
		for i := range f32 {
			worst = math.Max(worst, math.Abs(float64(bf16[i]-f32[i])))
			largest = math.Max(largest, math.Abs(float64(f32[i])))
		}
		t.Logf("bfloat16 vs float32 on %s: %.3g", b.Name(), worst)
		if worst > bf16Tolerance*largest {
			t.Errorf("bfloat16 logits on %s differ from float32 ones by %.3g", b.Name(), worst)
		}
	}
}

func TestDataParallelNeedsXLA(t *testing.T) {
	if _, err := NewDataParallel(testBackend(t), 2); err == nil && testBackend(t).NumDevices() < 2 {
		t.Fatal("data-parallel over 2 devices accepted on a backend with one")
	}
	if testBackend(t).String() == "go" {
		if _, err := NewDataParallel(testBackend(t), 1); err == nil {
			t.Fatal("data-parallel accepted on SimpleGo")
		}
	}
}
