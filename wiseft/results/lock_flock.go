//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package results

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, so appends from
// several processes do not both repair a torn line.
func lockFile(f *os.File) (unlock func(), err error) {
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
