package widgets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/world"
)

// Environment variables read by the notebooks and this package.
const (
	// QuickEnv set to 1 shrinks the notebooks' work for CI: fewer images and steps, the same code path.
	QuickEnv = "WISEFT_NOTEBOOK_QUICK"
	// StaticEnv set to 1 makes interactive widgets render statically at once, without waiting for a front end.
	StaticEnv = "WISEFT_NOTEBOOK_STATIC"
	// RootEnv overrides the repository root found by RepoRoot.
	RootEnv = "WISEFT_ROOT"
	// FrontEndTimeoutEnv sets how long interactive widgets wait for a browser before rendering statically, as a
	// Go duration (90s, 2m); see AlphaExplorer.FrontEndTimeout.
	FrontEndTimeoutEnv = "WISEFT_FRONTEND_TIMEOUT"
	// WorkEnv overrides the folder under which WorkDir makes the notebooks' work folders.
	WorkEnv = "WISEFT_NOTEBOOK_WORK"
)

// DefaultFrontEndTimeout is how long the α explorer waits for a browser to answer when neither
// AlphaExplorer.FrontEndTimeout nor WISEFT_FRONTEND_TIMEOUT says otherwise. A page that is still loading GoNB's
// scripts on a busy machine can take several seconds.
const DefaultFrontEndTimeout = 30 * time.Second

// modulePath is this repository's module, recognised by RepoRoot in go.mod.
const modulePath = "github.com/gowiseft/wiseft"

// Must returns v, panicking if err is not nil: the way a notebook cell handles errors.
//
//	model := widgets.Must(widgets.LoadWorldModel())
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Must2 returns a and b, panicking if err is not nil.
//
//	ds, labelled := widgets.Must2(realdata.ImageFolder(dir, nil, 0))
func Must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// Must0 panics if err is not nil.
//
//	widgets.Must0(explorer.Show())
func Must0(err error) {
	if err != nil {
		panic(err)
	}
}

// Quick reports whether WISEFT_NOTEBOOK_QUICK asks for a quick run (CI).
func Quick() bool { return envTrue(QuickEnv) }

// Pick returns quick in a quick run (see Quick) and full otherwise.
//
//	limit := widgets.Pick(2000, 200) // images per evaluation set
func Pick[T any](full, quick T) T {
	if Quick() {
		return quick
	}
	return full
}

func envTrue(name string) bool {
	switch os.Getenv(name) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// RepoRoot returns the repository's root folder: $WISEFT_ROOT when set, else the nearest folder at or above the
// working directory whose go.mod declares module github.com/gowiseft/wiseft (notebooks run in notebooks/).
func RepoRoot() (string, error) {
	if r := os.Getenv(RootEnv); r != "" {
		return filepath.Abs(r)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if isRepoRoot(dir) {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("widgets: no go.mod of %s at or above %s; set %s to the repository", modulePath, wd, RootEnv)
		}
	}
}

func isRepoRoot(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) == 2 && string(f[0]) == "module" && string(f[1]) == modulePath {
			return true
		}
	}
	return false
}

// DataDir returns the data folder: $WISEFT_DATA when set, else <repository>/data.
func DataDir() (string, error) {
	if d := os.Getenv(datasets.LocationEnv); d != "" {
		return d, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, datasets.DefaultLocation), nil
}

// OpenDataset opens a registered dataset from DataDir with the given split and seed, as the command line does.
//
//	train := widgets.Must(widgets.OpenDataset("MNIST", datasets.Train, 0))
func OpenDataset(name string, split datasets.Split, seed uint64) (datasets.Dataset, error) {
	dir, err := DataDir()
	if err != nil {
		return nil, err
	}
	return datasets.Open(name, datasets.Options{Location: dir, Split: split, Seed: seed})
}

// WorldModelDir returns the folder of the shipped model "wiseft-tiny", looked up as the command line does:
// $WISEFT_MODELS/wiseft-tiny, then <repository>/world/model (see world.FindShippedModel).
func WorldModelDir() (string, error) {
	var roots []string
	if root, err := RepoRoot(); err == nil {
		roots = append(roots, root)
	}
	dir, err := world.FindShippedModel(roots...)
	if err != nil {
		return "", fmt.Errorf("widgets: %w", err)
	}
	return dir, nil
}

// LoadWorldModel loads the shipped zero-shot CLIP "wiseft-tiny" (see WorldModelDir).
//
//	model := widgets.Must(widgets.LoadWorldModel())
func LoadWorldModel() (*clipmodel.Model, error) {
	dir, err := WorldModelDir()
	if err != nil {
		return nil, err
	}
	return clipmodel.Load(dir)
}

// WorkDir returns (and creates) the folder where a notebook's cells leave results for later cells:
// <repository>/notebooks/work/<notebook>[-quick]/<key hash>, or the same under $WISEFT_NOTEBOOK_WORK. key is
// anything JSON-encodable that decides the results (the settings): other settings get another folder, so a
// cached result is never one of other settings.
//
//	dir := widgets.Must(widgets.WorkDir("02-reproduce-figure", settings))
func WorkDir(notebook string, key any) (string, error) {
	base := os.Getenv(WorkEnv)
	if base == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		base = filepath.Join(root, "notebooks", "work")
	}
	name := notebook
	if Quick() {
		name += "-quick"
	}
	hash, err := KeyHash(key)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, name, hash)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if key != nil {
		data, _ := json.MarshalIndent(key, "", "  ")
		_ = atomicfile.Write(filepath.Join(dir, "settings.json"), append(data, '\n'))
	}
	return dir, nil
}

// KeyHash is the short hash of key's JSON encoding that names WorkDir's folders ("default" for nil).
func KeyHash(key any) (string, error) {
	if key == nil {
		return "default", nil
	}
	data, err := json.Marshal(key)
	if err != nil {
		return "", fmt.Errorf("widgets: work folder key: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6]), nil
}

// RelPath returns path relative to the repository root when it lies inside it (for tidy outputs), else path.
func RelPath(path string) string {
	root, err := RepoRoot()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(root, path); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return rel
	}
	return path
}
