package datasets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// testDataDir is the data folder of the tests: $WISEFT_DATA, else the repository's data folder.
func testDataDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("WISEFT_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "data")
}

// requireData says whether missing data must fail the tests (WISEFT_REQUIRE_DATA=1) rather than skip them.
func requireData() bool { return os.Getenv("WISEFT_REQUIRE_DATA") == "1" }

// skipOrFailMissing handles an error of opening a dataset: missing data skips the (sub)test unless data is
// required; any other error fails it.
func skipOrFailMissing(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, fs.ErrNotExist) && !requireData() {
		t.Logf("skipping, data missing: %v", err)
		return
	}
	t.Error(err)
}

// openOrSkip opens a registered dataset or skips the test when its data is missing (fails with
// WISEFT_REQUIRE_DATA=1).
func openOrSkip(t *testing.T, name string, opts Options) Dataset {
	t.Helper()
	if opts.Location == "" {
		opts.Location = testDataDir(t)
	}
	ds, err := Open(name, opts)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !requireData() {
			t.Skipf("data missing: %v", err)
		}
		t.Fatal(err)
	}
	return ds
}
