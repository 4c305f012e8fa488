package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// WISEFT_CPUPROFILE writes a CPU profile that go tool pprof reads (it starts with gzip's magic bytes), and never
// replaces a file: an existing one is an error before any work, and is left as it was.
func TestCPUProfileEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cpu.prof")
	_, stderr, code := runEnv(t, []string{CPUProfileEnv + "=" + path}, "tokenize", "--model", modelWithTokenizer(t), "a photo of a dog")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		t.Fatalf("the profile is %d bytes, not gzip-compressed protobuf", len(data))
	}
	mine := filepath.Join(dir, "mine.txt")
	if err := os.WriteFile(mine, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runEnv(t, []string{CPUProfileEnv + "=" + mine}, "tokenize", "--model", modelWithTokenizer(t), "a dog")
	if code != 2 || !strings.Contains(stderr, CPUProfileEnv) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("an existing profile path: exit %d, stderr %q; want 2 and one line naming %s", code, stderr, CPUProfileEnv)
	}
	if got, _ := os.ReadFile(mine); string(got) != "keep me" {
		t.Fatalf("the existing file was changed to %q", got)
	}
}

// isProfile reports whether the file at path is a written-out CPU profile (gzip-compressed protobuf).
func isProfile(t *testing.T, path string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	return err == nil && len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b
}

// A SIGINT to a profiled command that has no graceful stop of its own (a benchmark) ends it with the signal's
// status and one line, and the profile so far is written out, not left an empty file.
func TestCPUProfileWrittenOnSignal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	cmd := exec.Command(binary, "bench", "--child", "--cases", "matmul:64x64x64", "--time", "60s")
	cmd.Env = append(os.Environ(), CPUProfileEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "SIGINT: quitting; the CPU profile so far is in "+path) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if !isProfile(t, path) {
		t.Errorf("%s is not a written-out profile after SIGINT", path)
	}
}
