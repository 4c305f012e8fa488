package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
