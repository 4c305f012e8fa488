package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/filelock"
)

// appendMu serialises appends within this process; filelock.Lock (flock
// on Unix) serialises them across processes.
var appendMu sync.Mutex

// Append appends recs to the log at path, one JSON object per line,
// creating the file (mode 0644) if needed. A path that is not a results
// log (see Check: a model's weights, a binary or text file of another kind,
// a folder, a device) is refused before anything is written.
//
// Each record must hold "alpha" as a finite number (any Go numeric
// type; it reads back as float64), or as a non-empty list of finite
// numbers (the paper's per-epoch lines; [Record.Alpha] reports no α for
// them); other numbers must be finite too, since JSON cannot hold NaN or
// ±Inf. Append checks every record before writing any.
//
// Go floats (float64, float32, at any depth) are written as Python's
// json module writes floats, always with a decimal point or an exponent
// (0.0, 1.0, 1e-05), and Go integers without: pandas, which the paper's
// plotting uses to read the log, then sees α = 0 and α = 1 as floats.
//
// Appends are durable and never merge lines: the file is opened with
// O_APPEND, each line is written with a single write, and the file is
// fsynced before Append returns. If the file's last byte is not '\n' —
// a line torn by a crash mid-write — Append first ends it with '\n', so
// the torn line stays on its own line, which [Read] then skips with a
// [Warning].
//
//	err := results.Append("results.jsonl", results.Record{
//		"model": "ViT-B/32", "alpha": 0.5, "ImageNet:top1": 0.79,
//	})
func Append(path string, recs ...Record) error {
	lines := make([][]byte, 0, len(recs))
	for i, r := range recs {
		b, err := encodeLine(r)
		if err != nil {
			return fmt.Errorf("results: record %d: %w", i, err)
		}
		lines = append(lines, b)
	}
	if len(lines) == 0 {
		return nil
	}

	appendMu.Lock()
	defer appendMu.Unlock()

	if err := Check(path); err != nil {
		return err
	}
	_, statErr := os.Stat(path)
	created := os.IsNotExist(statErr)
	if created {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("results: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	unlock, err := filelock.Lock(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("results: lock %s: %w", path, err)
	}
	// Checked again under the lock: what another process appended, or a file put there since, is what counts.
	err = checkOpened(path, f)
	if err == nil {
		err = writeLines(f, lines)
	}
	unlock()
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	var notLog *NotLogError
	if errors.As(err, &notLog) {
		return err
	}
	if err != nil {
		return fmt.Errorf("results: append %s: %w", path, err)
	}
	if created {
		// Make the new directory entry durable too.
		atomicfile.SyncDir(filepath.Dir(path))
	}
	return nil
}

// checkOpened checks the log open in f: a regular file holding a log (see Check).
func checkOpened(path string, f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("results: %s is %s, not a results log file", path, fileio.Kind(fi.Mode()))
	}
	return checkLog(path, f)
}

// writeLines repairs a torn last line of f, writes each line with one
// write and fsyncs f.
func writeLines(f *os.File, lines [][]byte) error {
	torn, err := endsTorn(f)
	if err != nil {
		return err
	}
	if torn {
		// Fold the repair into the first write so it cannot be lost.
		lines[0] = append([]byte{'\n'}, lines[0]...)
	}
	for _, b := range lines {
		if _, err := f.Write(b); err != nil {
			return err
		}
	}
	return f.Sync()
}

// encodeLine checks r and returns its JSON encoding ending in '\n'.
func encodeLine(r Record) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("nil record")
	}
	v, ok := r[AlphaKey]
	if !ok {
		return nil, fmt.Errorf("no %q key", AlphaKey)
	}
	if err := checkAlpha(v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(pythonTyped(r))
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// endsTorn reports whether f is non-empty and its last byte is not '\n'.
func endsTorn(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	if fi.Size() == 0 {
		return false, nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], fi.Size()-1); err != nil && err != io.EOF {
		return false, err
	}
	return last[0] != '\n', nil
}
