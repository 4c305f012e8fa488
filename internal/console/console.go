// Package console holds what the project's text output shares: whether a writer is a terminal (progress is then
// redrawn in place; elsewhere, as in CI logs, it is printed as plain lines) and aligned text tables.
package console

import (
	"io"
	"os"
	"strings"
	"unicode/utf8"
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

// Table writes rows of cells as aligned columns two spaces apart: the first column left-aligned, the others
// right-aligned, widths counted in runes (so "α" or "×" take one column). Rows may have fewer cells than others.
//
//	console.Table(os.Stdout, [][]string{{"set", "α=0", "α=1"}, {"MNIST", "89.10", "97.65"}})
func Table(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0 && len(r) == 1:
				b.WriteString(c)
			case i == 0:
				b.WriteString(c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
