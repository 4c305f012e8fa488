//go:build !unix

package fileio

import "os"

// nonBlock is 0 where named pipes cannot block an open; the fstat check still refuses special files.
const nonBlock = 0

func clearNonBlock(*os.File) error { return nil }
