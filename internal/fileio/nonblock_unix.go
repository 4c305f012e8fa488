//go:build unix

package fileio

import (
	"os"
	"syscall"
)

// nonBlock makes open(2) return at once on a named pipe without a writer instead of waiting for one.
const nonBlock = syscall.O_NONBLOCK

// clearNonBlock puts a regular file back in blocking mode (O_NONBLOCK has no effect on regular files on Linux,
// but the flag is cleared so reads behave as usual everywhere).
func clearNonBlock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
