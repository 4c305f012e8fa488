// Package atomicfile writes files so that a crash or an interrupt never leaves a torn one: readers see either the
// old content of a path or all of the new one.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path through a temporary file in the same folder, synced, made mode 0644 and renamed over
// path; then it syncs the folder. The folder must exist. On error path is left as it was and the temporary file
// is removed.
//
//	if err := atomicfile.Write("out/results.json", data); err != nil { ... }
func Write(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	// CreateTemp makes the file private (0600); the result is an ordinary readable file, as os.WriteFile makes.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir fsyncs a folder so that the creations and renames in it are durable; some platforms and file systems
// cannot, which is ignored.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
