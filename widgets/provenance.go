package widgets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// ProvenanceEnv set to 1 makes the provenance test check that every notebook's committed outputs carry the
// current CodeVersion in full mode (see the notebooks' README: re-execute them to refresh).
const ProvenanceEnv = "WISEFT_NOTEBOOK_PROVENANCE"

// CodeVersion returns a SHA-256 (hex) of the code whose results the notebooks show, in the repository at root:
// every Go file that is not a test (the library, the command line, the world), go.mod, go.sum and the shipped
// world model's files, each by its path and its contents, in path order. The notebooks themselves, the browser
// test's module (notebooks/), the data (data/), outputs (out/, screenshots/) and hidden folders are left out, so a
// notebook's saved outputs do not change the version they record.
//
//	v := widgets.Must(widgets.CodeVersion(widgets.Must(widgets.RepoRoot())))
func CodeVersion(root string) (string, error) {
	skip := map[string]bool{"data": true, "out": true, "screenshots": true, "notebooks": true, "bin": true}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (skip[rel] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"),
			rel == "go.mod", rel == "go.sum", strings.HasPrefix(rel, "world/model/"):
			if d.Type().IsRegular() {
				files = append(files, rel)
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("widgets: code version of %s: %w", root, err)
	}
	if !slices.Contains(files, "go.mod") {
		return "", fmt.Errorf("widgets: code version: %s has no go.mod", root)
	}
	slices.Sort(files)
	h := sha256.New()
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return "", fmt.Errorf("widgets: code version: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Provenance is the line each notebook prints in its first cell: the code version (CodeVersion of RepoRoot,
// its first 16 hex digits) and whether the run is quick or full, so that the saved outputs say what made them.
//
//	fmt.Println(widgets.Must(widgets.Provenance()))
func Provenance() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	v, err := CodeVersion(root)
	if err != nil {
		return "", err
	}
	mode := "full"
	if Quick() {
		mode = "quick"
	}
	return fmt.Sprintf("provenance: code %s · %s mode", v[:16], mode), nil
}

// provenanceLine finds Provenance's line in text.
var provenanceLine = regexp.MustCompile(`provenance: code ([0-9a-f]{16}) · (quick|full) mode`)

// ParseProvenance returns the code version and mode of the first provenance line in text (ok false when none).
func ParseProvenance(text string) (version, mode string, ok bool) {
	m := provenanceLine.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}
