package results

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestHelperAppendProcess is run as a child process by
// TestConcurrentProcesses; it does nothing in a normal test run.
func TestHelperAppendProcess(t *testing.T) {
	path := os.Getenv("RESULTS_TEST_APPEND_TO")
	if path == "" {
		t.Skip("helper for TestConcurrentProcesses")
	}
	id, _ := strconv.Atoi(os.Getenv("RESULTS_TEST_WORKER"))
	for i := range 20 {
		r := rec(float64(i)/20, 0.8, 0.6)
		r["worker"] = id
		r["pad"] = strings.Repeat("p", 5000)
		if err := Append(path, r); err != nil {
			t.Fatal(err)
		}
	}
}

// Several processes append to a log whose last line is torn: every line
// they write is whole, and the torn line is ended exactly once.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := t.TempDir() + "/results.jsonl"
	if err := os.WriteFile(path, []byte(`{"alpha": 0, "ImageNet:top1": 0.7}`+"\n"+`{"alpha": 0.5, "Imag`), 0o644); err != nil {
		t.Fatal(err)
	}
	const procs = 4
	var wg sync.WaitGroup
	errs := make([]error, procs)
	for w := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppendProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "RESULTS_TEST_APPEND_TO="+path, fmt.Sprintf("RESULTS_TEST_WORKER=%d", w))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[w] = fmt.Errorf("worker %d: %v\n%s", w, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "\n\n") {
		t.Error("torn line was ended more than once (blank line)")
	}
	recs, warns := mustRead(t, path)
	if len(recs) != 1+procs*20 {
		t.Errorf("%d records, want %d", len(recs), 1+procs*20)
	}
	if len(warns) != 1 || warns[0].Line != 2 {
		t.Errorf("warnings %v, want one for line 2", warns)
	}
}
