package trainloop

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/internal/console"
)

func TestProgressPrinter(t *testing.T) {
	now := time.Unix(0, 0)
	clock := func() time.Time { return now }
	info := func(step int) Progress {
		return Progress{Epoch: 1, Epochs: 1, Step: step, TotalSteps: 10, Loss: 1.5, LR: 1e-4, ImagesPerSec: 12,
			ETA: time.Duration(10-step) * time.Second}
	}

	var plain bytes.Buffer
	p := newProgressPrinter(&plain, false, 10*time.Second, clock)
	for step := 1; step <= 10; step++ {
		now = now.Add(3 * time.Second)
		p(info(step))
	}
	out := plain.String()
	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("non-terminal output has control characters: %q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// Steps 1, 5 (12 s later), 9 and the last one.
	if len(lines) != 4 || !strings.Contains(lines[0], "step 1/10") || !strings.Contains(lines[3], "step 10/10") {
		t.Errorf("periodic lines:\n%s", out)
	}

	var tty bytes.Buffer
	p = newProgressPrinter(&tty, true, 0, clock)
	for step := 1; step <= 10; step++ {
		p(info(step))
	}
	out = tty.String()
	if strings.Count(out, "\r") != 10 || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") ||
		strings.Contains(out, "\x1b") || !strings.Contains(out, "[========================]") {
		t.Errorf("terminal output: %q", out)
	}
	if console.IsTerminal(&tty) {
		t.Error("a buffer is not a terminal")
	}
}
