//go:build unix

package main

import "syscall"

// writable reports whether this process may write path (a file, or a folder to create entries in), as access(2)
// says: for root only a read-only file system refuses.
func writable(path string) error {
	const wOK = 2
	return syscall.Access(path, wOK)
}
