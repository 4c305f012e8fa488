package speed

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
)

// The data-parallel training step (clipmodel.DataParallel) against the single-device one: same losses, step after
// step. It needs the XLA backend (GOMLX_BACKEND=xla:<plugin>); with one device it still checks that the
// distributed path compiles and runs.
func TestDataParallelStepMatchesSingleDevice(t *testing.T) {
	if !strings.HasPrefix(os.Getenv(backends.ConfigEnvVar), "xla") {
		t.Skip("needs GOMLX_BACKEND=xla:<plugin>")
	}
	b := testBackend(t)
	batch := 8 * b.NumDevices()
	var losses [2][]float32
	for i, dp := range []bool{false, true} {
		c, got, err := tinyTrainStep(b, batch, TrainOptions{DataParallel: dp})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := c.Run(); err != nil {
				t.Fatal(err)
			}
		}
		losses[i] = got()
	}
	t.Logf("%d devices: losses %v (one device) and %v (data-parallel)", b.NumDevices(), losses[0], losses[1])
	for i := range losses[0] {
		if d := math.Abs(float64(losses[0][i] - losses[1][i])); d > 1e-3*math.Max(1, math.Abs(float64(losses[0][i]))) {
			t.Errorf("step %d: loss %g on one device, %g data-parallel", i+1, losses[0][i], losses[1][i])
		}
	}
}
