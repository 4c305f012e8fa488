package filelock

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A second holder of the same output is refused with the first one's pid; after Release the lock file is gone
// and the output can be taken again. flock conflicts between two open file descriptions even in one process, so
// the two holders can live in one test.
func TestOutputExcludesASecondWriter(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	first, err := Output(out, "--save")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Output(out, "--save")
	if err == nil {
		t.Fatal("a second writer of the same output was let in")
	}
	if want := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the first writer (%s)", err, want)
	}
	first.Release()
	first.Release() // a second call is harmless
	if _, err := os.Stat(filepath.Join(filepath.Dir(out), LockName(out))); !os.IsNotExist(err) {
		t.Errorf("the lock file is still there after Release: %v", err)
	}
	again, err := Output(out, "--save")
	if err != nil {
		t.Fatalf("the output cannot be taken again after Release: %v", err)
	}
	again.Release()
}

// A lock file left by a killed process (its content a dead pid, no flock held) is taken over.
func TestOutputTakesOverAStaleLockFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model")
	stale := filepath.Join(filepath.Dir(out), LockName(out))
	if err := os.WriteFile(stale, []byte("999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Output(out, "--out")
	if err != nil {
		t.Fatalf("a stale lock file blocked the output: %v", err)
	}
	defer l.Release()
	if b, _ := os.ReadFile(stale); strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q, want this process's pid", b)
	}
}

// Folder keeps its lock file inside the folder, which it creates; a second holder is refused the same way.
func TestFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "save")
	l, err := Folder(dir, "--save")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FolderLockName)); err != nil {
		t.Fatalf("no lock file inside the folder: %v", err)
	}
	if _, err := Folder(dir, "--save"); err == nil || !strings.Contains(err.Error(), "--save "+dir+" is in use by another wiseft (pid") {
		t.Errorf("second holder: err = %v", err)
	}
	l.Release()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Release left %v in the folder", entries)
	}
}

// TestReleaseRemovesOnlyEmptyFoldersItMade: a lock on a folder that did not exist, with parents that did not
// either, leaves none of them behind when nothing was written (a command that refused its input); a folder that
// holds a file, and the folders that existed before, stay.
func TestReleaseRemovesOnlyEmptyFoldersItMade(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "save")
	l, err := Folder(dir, "--save")
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	if _, err := os.Stat(filepath.Join(root, "a")); !os.IsNotExist(err) {
		t.Errorf("the folders made for an empty --save stay after Release (%v)", err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("the folder that existed before was removed: %v", err)
	}

	l, err = Folder(dir, "--save")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "result"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	l.Release()
	if _, err := os.Stat(filepath.Join(dir, "result")); err != nil {
		t.Errorf("a folder with the command's file was removed: %v", err)
	}

	out := filepath.Join(root, "c", "d", "model")
	o, err := Output(out, "--out")
	if err != nil {
		t.Fatal(err)
	}
	o.Release()
	if _, err := os.Stat(filepath.Join(root, "c")); !os.IsNotExist(err) {
		t.Errorf("the parents made for an --out never written stay after Release (%v)", err)
	}
}
