package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveModelDir: a new folder appears whole (written under a temporary name, leftovers of a dead writer
// removed); an existing model folder is replaced whole (a file the new model lacks does not survive); a folder
// holding a file of the user's is never replaced.
func TestSaveModelDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	stale := filepath.Join(parent, ".out.partial-123")
	os.MkdirAll(stale, 0o755)
	failing := func(tmp string) error {
		os.WriteFile(filepath.Join(tmp, "half"), []byte("x"), 0o644)
		return os.ErrInvalid
	}
	if err := saveModelDir(dir, failing); err == nil {
		t.Fatal("a failing save succeeded")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("after a failed save the parent holds %v", entries)
	}
	write := func(tmp string) error { return os.WriteFile(filepath.Join(tmp, "model"), []byte("new"), 0o644) }
	if err := saveModelDir(dir, write); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "model")); string(b) != "new" {
		t.Fatalf("model = %q", b)
	}
	model := func(tmp string) error {
		return os.WriteFile(filepath.Join(tmp, "model.safetensors"), []byte("v2"), 0o644)
	}
	os.Remove(filepath.Join(dir, "model"))
	os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("v1"), 0o644)
	os.WriteFile(filepath.Join(dir, "vocab.json"), []byte("{}"), 0o644)
	if err := saveModelDir(dir, model); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the replaced folder holds %v, want only the new model.safetensors", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "model.safetensors")); string(b) != "v2" {
		t.Errorf("model.safetensors = %q, want the new one", b)
	}
	os.WriteFile(filepath.Join(dir, "README"), []byte("mine"), 0o644)
	if err := saveModelDir(dir, model); err == nil || !strings.Contains(err.Error(), `"README"`) {
		t.Fatalf("a folder holding a README was replaced: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "README")); string(b) != "mine" {
		t.Fatal("a file of the user's in the output folder was lost")
	}
}

func TestTakeOptionalValueFlag(t *testing.T) {
	cases := []struct {
		args  []string
		rest  string
		value string
		set   bool
	}{
		{[]string{"--model", "m", "--resume"}, "--model m", "", true},
		{[]string{"--resume", "--model", "m"}, "--model m", "", true},
		{[]string{"--resume", "ck/checkpoint_2", "--model", "m"}, "--model m", "ck/checkpoint_2", true},
		{[]string{"-resume=ck", "--model", "m"}, "--model m", "ck", true},
		{[]string{"--model", "m"}, "--model m", "", false},
		{[]string{"--resumes", "x"}, "--resumes x", "", false},
	}
	for _, c := range cases {
		rest, value, set := takeOptionalValueFlag(c.args, "resume")
		if got := strings.Join(rest, " "); got != c.rest || value != c.value || set != c.set {
			t.Errorf("%q: rest %q, value %q, set %v", c.args, got, value, set)
		}
	}
}
