// Package console holds what the project's text output shares: whether a writer is a terminal (progress is then
// redrawn in place; elsewhere, as in CI logs, it is printed as plain lines).
package console

import (
	"io"
	"os"
)

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
