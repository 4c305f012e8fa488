package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// TestContactSheets writes a contact sheet of 100 test examples of every registered dataset, into the folder
// named by WISEFT_CONTACT_SHEETS (e.g. /tmp/wiseft-sheets) when set, else into a temporary folder, so that the
// renditions can be looked at.
func TestContactSheets(t *testing.T) {
	dir := os.Getenv("WISEFT_CONTACT_SHEETS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		ds, err := Open(name, Options{Location: testDataDir(t), Split: Test})
		if err != nil {
			skipOrFailMissing(t, err)
			continue
		}
		path := filepath.Join(dir, name+".png")
		if err := SaveGrid(ds, 100, path); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		t.Logf("%s: %d examples, sheet %s", name, ds.Len(), path)
	}
}
