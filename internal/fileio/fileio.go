// Package fileio opens the files a user names (models, inputs, class lists, logs) so that a hostile path gets one
// clear error instead of a hang or an exhausted memory: special files (a named pipe, a device, a socket) are
// refused before they are read, a file is read whole only when its size is under a bound the caller gives, and a
// symbolic-link loop or a folder that cannot be read is named as what it is.
//
//	data, err := fileio.ReadFile("vocab.json", 64<<20)
package fileio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/internal/sysmem"
)

// Kind names what a file mode describes ("a named pipe (FIFO)", "a device", "a folder", ...), for errors.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// Explain rewrites the errors of stat and open whose usual text hides the cause: a symbolic-link loop (ELOOP,
// "too many levels of symbolic links") is named as one. Other errors are returned as they are.
func Explain(path string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ELOOP) {
		return &loopError{path: path, err: err}
	}
	if errors.Is(err, syscall.ENAMETOOLONG) {
		return &longError{path: path, err: err}
	}
	return err
}

// longError names a path longer than the system allows without echoing it whole.
type longError struct {
	path string
	err  error
}

func (e *longError) Error() string {
	cut := min(len(e.path), 60)
	for cut > 0 && cut < len(e.path) && !utf8.RuneStart(e.path[cut]) {
		cut--
	}
	return fmt.Sprintf("the path %q… (%d bytes) is longer than the file system allows", e.path[:cut], len(e.path))
}
func (e *longError) Unwrap() error { return e.err }

// loopError names a symbolic-link loop; errors.Is(err, syscall.ELOOP) still holds.
type loopError struct {
	path string
	err  error
}

func (e *loopError) Error() string {
	return e.path + " is a symbolic link loop (following its links never reaches a file)"
}
func (e *loopError) Unwrap() error { return e.err }

// Stat is os.Stat with Explain's errors.
func Stat(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	return fi, Explain(path, err)
}

// Open opens path for reading when it is a regular file (symbolic links followed) and refuses anything else,
// without blocking on a named pipe: the file is opened non-blocking and checked with fstat before any read.
func Open(path string) (*os.File, fs.FileInfo, error) {
	if fi, err := Stat(path); err != nil {
		return nil, nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is %s, not a regular file", path, Kind(fi.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, nil, Explain(path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() { // replaced between the two checks
		f.Close()
		return nil, nil, fmt.Errorf("%s is %s, not a regular file", path, Kind(fi.Mode()))
	}
	if err := clearNonBlock(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// CheckFile returns the file's information when path is a regular file, and an error naming what it is otherwise.
func CheckFile(path string) (fs.FileInfo, error) {
	fi, err := Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, Kind(fi.Mode()))
	}
	return fi, nil
}

// ReadFile reads the regular file at path whole, refusing a file larger than max bytes before reading it (the
// error gives both sizes) and one that grows while it is read.
func ReadFile(path string, max int64) ([]byte, error) {
	f, fi, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > max {
		return nil, fmt.Errorf("%s is %s, more than the %s such a file may hold", path, sysmem.Size(fi.Size()), sysmem.Size(max))
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var extra [1]byte
	if n, _ := f.Read(extra[:]); n > 0 {
		return nil, fmt.Errorf("%s grew while it was read", path)
	}
	return data, nil
}

// CheckDir returns nil when path is a folder whose entries can be listed; otherwise an error that names the cause
// (missing, a symbolic-link loop, not a folder, permission denied).
func CheckDir(path string) error {
	fi, err := Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is %s, not a folder", path, Kind(fi.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("the folder %s cannot be read: %w", path, err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != nil && err != io.EOF {
		return fmt.Errorf("the folder %s cannot be read: %w", path, err)
	}
	return nil
}
