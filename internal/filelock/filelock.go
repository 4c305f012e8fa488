// Package filelock takes exclusive advisory locks (flock) on files, and on the outputs of a command: a second
// process that wants an output another one is writing is refused at once with the first one's process id, instead
// of both writing (and one deleting the other's live temporary folders as stale).
//
//	l, err := filelock.Output("out/run", "--save")
//	if err != nil { return err } // "--save out/run is in use by another wiseft (pid 4242) ..."
//	defer l.Release()
package filelock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked is returned by TryLock when another open file description holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock takes an exclusive lock on f, waiting for it. Where flock is not available it only returns.
func Lock(f *os.File) (unlock func(), err error) { return lock(f, true) }

// TryLock takes an exclusive lock on f or returns ErrLocked at once.
func TryLock(f *os.File) (unlock func(), err error) { return lock(f, false) }

// OutputLock is held on one output (a folder or file a command writes) for the whole command.
type OutputLock struct {
	path    string
	f       *os.File
	un      func()
	created []string // folders the lock made, deepest first: removed by Release if they are still empty
}

// LockName is the hidden lock file kept beside an output while a command writes it: ".<name>.wiseft-lock".
func LockName(output string) string {
	return "." + filepath.Base(filepath.Clean(output)) + ".wiseft-lock"
}

// FolderLockName is the lock file Folder keeps inside the folder it locks.
const FolderLockName = ".wiseft-lock"

// Output locks the output at path (which need not exist yet; a folder that is replaced whole, or a file) through
// the lock file LockName(path) beside it, writing this process's id into it. flag names the output in the error
// ("--out"). The lock file is removed by Release; one left by a killed process holds no lock and is taken over.
func Output(path, flag string) (*OutputLock, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(abs)
	created, err := mkdirAll(parent)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return take(filepath.Join(parent, LockName(abs)), path, flag, created)
}

// Folder locks the folder dir (created if missing), which a command fills but never replaces whole (a run's
// --save folder), through the lock file FolderLockName inside it; see Output.
func Folder(dir, flag string) (*OutputLock, error) {
	created, err := mkdirAll(dir)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, dir, err)
	}
	return take(filepath.Join(dir, FolderLockName), dir, flag, created)
}

// mkdirAll is os.MkdirAll that returns the folders it made, deepest first, so that a command that ends before
// writing anything into them (a refused input) leaves none of them behind.
func mkdirAll(dir string) (created []string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	return created, nil
}

// take locks lockPath; on failure it removes the folders created for it, as Release would.
func take(lockPath, path, flag string, created []string) (*OutputLock, error) {
	l, err := takeLock(lockPath, path, flag)
	if err != nil {
		removeEmpty(created)
		return nil, err
	}
	l.created = created
	return l, nil
}

func takeLock(lockPath, path, flag string) (*OutputLock, error) {
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%s %s: taking its lock %s: %w", flag, path, lockPath, err)
		}
		un, err := TryLock(f)
		if errors.Is(err, ErrLocked) {
			pid := readPID(f)
			f.Close()
			return nil, fmt.Errorf("%s %s is in use by another wiseft (pid %s) writing the same output: wait for it "+
				"to end, or choose another %s", flag, path, pid, flag)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s %s: taking its lock %s: %w", flag, path, lockPath, err)
		}
		// The holder before us may have removed the file after we opened it: the lock is only worth something on
		// the file that is at lockPath now.
		if same(f, lockPath) {
			if err := writePID(f); err != nil {
				un()
				f.Close()
				return nil, fmt.Errorf("%s %s: writing its lock %s: %w", flag, path, lockPath, err)
			}
			return &OutputLock{path: lockPath, f: f, un: un}, nil
		}
		un()
		f.Close()
		if attempt > 100 {
			return nil, fmt.Errorf("%s %s: its lock file %s keeps being replaced", flag, path, lockPath)
		}
	}
}

// Release removes the lock file and unlocks it, then removes the folders the lock made that are still empty. It
// is safe to call more than once.
func (l *OutputLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = os.Remove(l.path)
	l.un()
	_ = l.f.Close()
	l.f = nil
	removeEmpty(l.created)
}

// removeEmpty removes the folders (deepest first) while they are empty; os.Remove leaves a folder with files.
func removeEmpty(dirs []string) {
	for _, d := range dirs {
		if os.Remove(d) != nil {
			return
		}
	}
}

func same(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

func readPID(f *os.File) string {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	if pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n]))); err == nil && pid > 0 {
		return strconv.Itoa(pid)
	}
	return "unknown"
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}
