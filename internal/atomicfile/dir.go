package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PartialInfix marks the hidden temporary folder in which WriteDir assembles a folder (".model.partial-123456"),
// and OldInfix the hidden name under which it keeps the folder it replaces until the new one is in place.
const (
	PartialInfix = ".partial-"
	OldInfix     = ".old-"
)

// WriteDir writes the folder final as one unit: fill writes the folder's files into a hidden temporary folder
// beside final, which is then renamed to final. When a folder is already at final, it is first renamed aside under
// a hidden name and removed once the new folder is in place, so at every moment one of the two is complete under
// its own name: a kill between the two renames leaves final missing and the old folder whole under
// ".<name>.old-*" (RemoveStale never deletes such a folder when final is missing; see it). On error final is left
// as it was. Temporary folders of an earlier writer of final that died are removed first.
//
// WriteDir decides nothing about whether final may be replaced: callers that must not replace what they did not
// create check that first.
//
//	err := atomicfile.WriteDir("out/model", func(tmp string) error { return model.Save(tmp) })
func WriteDir(final string, fill func(tmp string) error) error {
	final = filepath.Clean(final)
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	base := filepath.Base(final)
	removeStale(parent, func(name string) bool { return name == base })
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(final)+PartialInfix+"*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := fill(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it private
		return err
	}
	SyncDir(tmp)
	return swapDir(tmp, final)
}

// swapDir renames the complete folder tmp to final, moving a folder already at final aside first.
func swapDir(tmp, final string) error {
	parent := filepath.Dir(final)
	var aside string
	switch fi, err := os.Lstat(final); {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s exists and is not a folder", final)
	case err == nil:
		f, err := os.MkdirTemp(parent, "."+filepath.Base(final)+OldInfix+"*")
		if err != nil {
			return err
		}
		aside = f
		if err := os.Rename(final, filepath.Join(aside, "dir")); err != nil {
			os.Remove(aside)
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		if aside != "" {
			_ = os.Rename(filepath.Join(aside, "dir"), final)
			_ = os.Remove(aside)
		}
		return err
	}
	SyncDir(parent)
	if aside != "" {
		_ = os.RemoveAll(aside)
	}
	return nil
}

// RemoveStale removes, in dir, what writers of folders whose names start with prefix left behind when they died:
// their temporary folders, and folders set aside by a replacement whose new folder is in place. A set-aside folder
// whose folder is missing (the writer died between its two renames) is the only complete copy: it is renamed
// back instead of removed. It must not run while another process writes such a folder (a caller that may run
// twice at once takes a lock first).
func RemoveStale(dir, prefix string) {
	removeStale(dir, func(name string) bool { return strings.HasPrefix(name, prefix) })
}

// Recover cleans up after a writer of the folder final that died: its temporary folder is removed, and a folder
// it had set aside with none at final (killed between WriteDir's two renames) is renamed back to final. It is
// what WriteDir does first, for a caller that must see final as it really is before deciding whether it may
// replace it. Like RemoveStale, it must not run while another process writes final.
func Recover(final string) {
	final = filepath.Clean(final)
	base := filepath.Base(final)
	removeStale(filepath.Dir(final), func(name string) bool { return name == base })
}

func removeStale(dir string, match func(name string) bool) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || !strings.HasPrefix(n, ".") {
			continue
		}
		for _, infix := range []string{PartialInfix, OldInfix} {
			k := strings.LastIndex(n, infix)
			if k < 1 || !match(n[1:k]) {
				continue
			}
			name, stale := n[1:k], filepath.Join(dir, n)
			if infix == OldInfix {
				if _, err := os.Lstat(filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
					if os.Rename(filepath.Join(stale, "dir"), filepath.Join(dir, name)) == nil {
						_ = os.Remove(stale)
					}
					break
				}
			}
			_ = os.RemoveAll(stale)
			break
		}
	}
}
