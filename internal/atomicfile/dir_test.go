package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeFiles(files map[string]string) func(string) error {
	return func(dir string) error {
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(data)
	}
	return out
}

func TestWriteDirReplacesWhole(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "model")
	if err := WriteDir(final, writeFiles(map[string]string{"a": "1", "b": "2"})); err != nil {
		t.Fatal(err)
	}
	// The second version has no file b: a folder replaced whole keeps nothing of the first.
	if err := WriteDir(final, writeFiles(map[string]string{"a": "3"})); err != nil {
		t.Fatal(err)
	}
	if got := readDir(t, final); len(got) != 1 || got["a"] != "3" {
		t.Errorf("folder holds %v, want only a=3", got)
	}
	if fi, _ := os.Stat(final); fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("%d entries beside the folder, want none (no temporary or set-aside folder left)", len(entries)-1)
	}
}

func TestWriteDirFailureKeepsOld(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "model")
	if err := WriteDir(final, writeFiles(map[string]string{"a": "1"})); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := WriteDir(final, func(tmp string) error {
		_ = writeFiles(map[string]string{"a": "half"})(tmp)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the fill's error", err)
	}
	if got := readDir(t, final); got["a"] != "1" {
		t.Errorf("after a failed write the folder holds %v, want the old a=1", got)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("a failed write left %d entries beside the folder", len(entries)-1)
	}
}

func TestWriteDirRefusesFile(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "model")
	if err := os.WriteFile(final, []byte("user's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(final, writeFiles(map[string]string{"a": "1"})); err == nil {
		t.Fatal("a file at the folder's path was replaced")
	}
	if data, _ := os.ReadFile(final); string(data) != "user's" {
		t.Errorf("the file now holds %q", data)
	}
}

// A writer killed between its two renames leaves the old folder set aside and none at the final name: the next
// writer's clean-up renames it back rather than deleting the only complete copy; a killed writer's temporary
// folder is removed; another folder's leftovers (model2) are not touched.
func TestRemoveStaleRecoversSetAside(t *testing.T) {
	parent := t.TempDir()
	aside := filepath.Join(parent, ".model"+OldInfix+"123")
	partial := filepath.Join(parent, ".model"+PartialInfix+"456")
	other := filepath.Join(parent, ".model2"+PartialInfix+"789")
	for _, d := range []string{filepath.Join(aside, "dir"), partial, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(aside, "dir", "a"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	removeStale(parent, func(name string) bool { return name == "model" })
	if got := readDir(t, filepath.Join(parent, "model")); got["a"] != "old" {
		t.Errorf("the set-aside folder was not renamed back: %v", got)
	}
	for _, gone := range []string{aside, partial} {
		if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there", filepath.Base(gone))
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another folder's temporary folder was removed: %v", err)
	}
}

// Recover puts back the folder a writer killed between its two renames set aside, and leaves another folder's
// leftovers alone.
func TestRecover(t *testing.T) {
	parent := t.TempDir()
	aside := filepath.Join(parent, ".model"+OldInfix+"7")
	other := filepath.Join(parent, ".model2"+OldInfix+"8")
	for _, d := range []string{filepath.Join(aside, "dir"), filepath.Join(other, "dir")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(aside, "dir", "a"), []byte("old"), 0o644)
	Recover(filepath.Join(parent, "model"))
	if got := readDir(t, filepath.Join(parent, "model")); got["a"] != "old" {
		t.Errorf("not recovered: %v", got)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another folder's set-aside copy was touched: %v", err)
	}
}
