package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// The rules every command follows for what it writes (checked before any work):
//   - nothing is written into or over a file or folder that the command did not create in this run unless the
//     user passes --overwrite (overwriteFlag);
//   - an output that is also an input, lies inside an input folder, or would hold an input is refused;
//   - a folder output (a model) is written whole beside the old one and swapped in (atomicfile.WriteDir), and
//     with --overwrite it may only replace a folder that holds nothing but a model's files;
//   - a results log is only ever appended to when it is a JSON-lines log (results.Check).

// overwriteFlag is the one flag, in every command, that lets an output replace what is already there.
const overwriteFlag = "overwrite"

const overwriteHelp = "replace outputs that already exist (never an input, never a folder holding files that are not part of a model)"

// outKind is what an output is, which decides what may already be at its path.
type outKind int

const (
	outFile     outKind = iota // a file written whole (embed --out, bench --json); its folder must exist
	outModelDir                // a model folder written whole and swapped in
	outFilesDir                // a folder the command writes files into (figures)
	outLog                     // a results log appended to
	outCacheDir                // a cache folder whose files are named by what they hold
)

// ioPath is one input or output of a command: the flag that names it and its path.
type ioPath struct {
	flag, path string
	dir        bool    // an input that is a folder (its whole content is read)
	kind       outKind // for outputs
}

// modelInputs lists what loading the model at path reads: the folder, or the .safetensors file and the files
// beside it that clipmodel.Load reads with it.
func modelInputs(flag, path string) []ioPath {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	if fi.IsDir() {
		return []ioPath{{flag: flag, path: path, dir: true}}
	}
	out := []ioPath{{flag: flag, path: path}}
	for _, name := range []string{clipmodel.ConfigFile, clipmodel.VocabFile, clipmodel.MergesFile} {
		side := filepath.Join(filepath.Dir(path), name)
		if _, err := os.Stat(side); err == nil {
			out = append(out, ioPath{flag: flag, path: side})
		}
	}
	return out
}

// checkOutputs applies the rules above to outputs before any work.
func checkOutputs(outputs, inputs []ioPath, overwrite bool) error {
	if err := checkOverlaps(outputs, inputs); err != nil {
		return err
	}
	for _, o := range outputs {
		if err := checkOutput(o, overwrite); err != nil {
			return err
		}
	}
	return nil
}

func checkOutput(o ioPath, overwrite bool) error {
	if o.kind == outModelDir {
		// A writer killed between the two renames of a folder swap left the old folder set aside: put it back
		// first, so that what is decided about is the folder as it really is (the caller holds the output's lock).
		atomicfile.Recover(o.path)
	}
	fi, err := fileio.Stat(o.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--%s: %w", o.flag, err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return checkCreatable(o)
	}
	again := "pass --" + overwriteFlag + " to replace it, or choose another --" + o.flag
	switch o.kind {
	case outFile:
		if !fi.Mode().IsRegular() {
			return usagef("--%s %s is %s, not a file it may replace", o.flag, o.path, fileio.Kind(fi.Mode()))
		}
		if !overwrite {
			return usagef("--%s %s already exists: %s", o.flag, o.path, again)
		}
	case outLog:
		if err := results.Check(o.path); err != nil {
			return fmt.Errorf("--%s: %w", o.flag, err)
		}
		if err := writable(o.path); err != nil {
			return fmt.Errorf("--%s %s cannot be written: %w", o.flag, o.path, err)
		}
	case outModelDir:
		if !fi.IsDir() {
			return usagef("--%s %s is %s, not a folder", o.flag, o.path, fileio.Kind(fi.Mode()))
		}
		entries, err := os.ReadDir(o.path)
		if err != nil {
			return fmt.Errorf("--%s: the folder %s cannot be read: %w", o.flag, o.path, err)
		}
		if len(entries) == 0 {
			return nil
		}
		for _, e := range entries {
			if !slices.Contains(modelFiles, e.Name()) {
				return usagef("--%s %s holds %s, which is not part of a model; the folder is replaced whole, so "+
					"choose another --%s (or move that file)", o.flag, o.path, quoteValue(e.Name()), o.flag)
			}
		}
		if !overwrite {
			return usagef("--%s %s already holds a model: %s", o.flag, o.path, again)
		}
	case outFilesDir:
		if !fi.IsDir() {
			return usagef("--%s %s is %s, not a folder", o.flag, o.path, fileio.Kind(fi.Mode()))
		}
		if entries, err := os.ReadDir(o.path); err != nil {
			return fmt.Errorf("--%s: the folder %s cannot be read: %w", o.flag, o.path, err)
		} else if len(entries) > 0 && !overwrite {
			return usagef("--%s %s already holds files: pass --%s to replace the figures in it, or choose another --%s",
				o.flag, o.path, overwriteFlag, o.flag)
		}
	case outCacheDir:
		if !fi.IsDir() {
			return usagef("--%s %s is %s, not a folder", o.flag, o.path, fileio.Kind(fi.Mode()))
		}
	}
	if fi.IsDir() {
		if err := writable(o.path); err != nil {
			return fmt.Errorf("--%s: the folder %s cannot be written: %w", o.flag, o.path, err)
		}
	}
	return nil
}

// modelFiles are the files of a model folder (clipmodel.Model.Save).
var modelFiles = []string{clipmodel.ConfigFile, clipmodel.WeightsFile, clipmodel.VocabFile, clipmodel.MergesFile}

// checkCreatable checks, for an output that does not exist yet, that it can be created: its nearest existing
// ancestor is a writable folder (a file output needs its folder to exist).
func checkCreatable(o ioPath) error {
	parent := filepath.Dir(filepath.Clean(o.path))
	if o.kind == outFile {
		fi, err := fileio.Stat(parent)
		if err != nil || !fi.IsDir() {
			return usagef("--%s %s: the folder %s does not exist", o.flag, o.path, parent)
		}
	}
	for {
		fi, err := fileio.Stat(parent)
		if err == nil {
			if !fi.IsDir() {
				return usagef("--%s %s: %s is %s, not a directory", o.flag, o.path, parent, fileio.Kind(fi.Mode()))
			}
			if err := writable(parent); err != nil {
				return fmt.Errorf("--%s %s: the folder %s cannot be written: %w", o.flag, o.path, parent, err)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--%s %s: %w", o.flag, o.path, err)
		}
		next := filepath.Dir(parent)
		if next == parent {
			return nil
		}
		parent = next
	}
}

// checkOverlaps refuses an output that is an input (the same path, or the same file under another name), lies
// inside an input folder, or is a folder that would hold an input; and outputs that collide with each other.
func checkOverlaps(outputs, inputs []ioPath) error {
	for _, o := range outputs {
		co := canonical(o.path)
		for _, in := range inputs {
			ci := canonical(in.path)
			switch {
			case co == ci || sameFile(o.path, in.path):
				return usagef("--%s %s is also an input (--%s %s): an output never replaces what the command "+
					"reads; choose another --%s", o.flag, o.path, in.flag, in.path, o.flag)
			case in.dir && within(co, ci):
				return usagef("--%s %s lies inside --%s %s, an input folder; choose another --%s", o.flag, o.path,
					in.flag, in.path, o.flag)
			case o.kind == outModelDir && within(ci, co):
				return usagef("--%s %s would hold --%s %s, an input; choose another --%s", o.flag, o.path, in.flag,
					in.path, o.flag)
			}
		}
		for _, p := range outputs {
			if p == o {
				continue
			}
			cp := canonical(p.path)
			if co == cp && p.flag != o.flag {
				return usagef("--%s and --%s are the same path %s", p.flag, o.flag, o.path)
			}
			if co != cp && p.kind == outModelDir && within(co, cp) {
				return usagef("--%s %s lies inside %s, a model folder this command replaces whole; choose another --%s",
					o.flag, o.path, p.path, o.flag)
			}
		}
	}
	return nil
}

// canonical is path made absolute and clean, with the symbolic links of its existing part resolved, so that two
// spellings of one place compare equal.
func canonical(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	rest := ""
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether path is dir or lies under it (both canonical).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// sameFile reports whether both paths exist and are the same file (hard links included).
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
