package widgets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The code version follows the library's code and the world model, and nothing else.
func TestCodeVersion(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod": "module x\n", "go.sum": "", "a/a.go": "package a\n", "a/a_test.go": "package a\n",
		"world/model/config.json": "{}", "notebooks/01.ipynb": "{}", "notebooks/browser/b.go": "package b\n",
		"data/d.go": "package d\n", "README.md": "x",
	})
	v0, err := CodeVersion(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(v0) != 64 {
		t.Fatalf("version %q is not a SHA-256", v0)
	}
	same := map[string]string{"a/a_test.go": "package a // changed\n", "notebooks/01.ipynb": `{"outputs": 1}`,
		"notebooks/browser/b.go": "package b // changed\n", "data/d.go": "package d // changed\n", "README.md": "y"}
	for rel, data := range same {
		writeTree(t, root, map[string]string{rel: data})
		if v, _ := CodeVersion(root); v != v0 {
			t.Errorf("changing %s changed the code version", rel)
		}
	}
	prev := v0
	for _, change := range []map[string]string{{"a/a.go": "package a // changed\n"}, {"world/model/config.json": "{ }"},
		{"go.sum": "x"}, {"b/new.go": "package b\n"}} {
		writeTree(t, root, change)
		v, err := CodeVersion(root)
		if err != nil {
			t.Fatal(err)
		}
		if v == prev {
			t.Errorf("changing %v left the code version as it was", change)
		}
		prev = v
	}
	if _, err := CodeVersion(t.TempDir()); err == nil {
		t.Errorf("a folder without go.mod: want an error")
	}
	line := "provenance: code " + prev[:16] + " · full mode"
	if v, mode, ok := ParseProvenance("x\n" + line + "\n"); !ok || v != prev[:16] || mode != "full" {
		t.Errorf("ParseProvenance(%q) = %q, %q, %v", line, v, mode, ok)
	}
	if _, _, ok := ParseProvenance("provenance: code xyz"); ok {
		t.Errorf("a malformed line parsed")
	}
}

// TestNotebookProvenance checks, with WISEFT_NOTEBOOK_PROVENANCE=1, that the committed outputs of every notebook
// were made in full mode by the current code: each notebook's outputs carry the provenance line of its first
// cell, whose code version must be this checkout's. After a change to the code, re-execute the notebooks (see
// notebooks/README.md) and commit them.
func TestNotebookProvenance(t *testing.T) {
	if os.Getenv(ProvenanceEnv) != "1" {
		t.Skip("set " + ProvenanceEnv + "=1 to check that the notebooks' committed outputs are of the current code")
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := CodeVersion(root)
	if err != nil {
		t.Fatal(err)
	}
	nbs, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil || len(nbs) == 0 {
		t.Fatalf("no notebooks under %s (%v)", root, err)
	}
	for _, nb := range nbs {
		data, err := os.ReadFile(nb)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Cells []struct {
				Outputs []struct {
					Text any            `json:"text"`
					Data map[string]any `json:"data"`
				} `json:"outputs"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", nb, err)
		}
		var text strings.Builder
		for _, c := range doc.Cells {
			for _, o := range c.Outputs {
				text.WriteString(joinText(o.Text))
				text.WriteString(joinText(o.Data["text/plain"]))
			}
		}
		got, mode, ok := ParseProvenance(text.String())
		switch {
		case !ok:
			t.Errorf("%s: its outputs have no provenance line: re-execute it (notebooks/README.md)", filepath.Base(nb))
		case got != v[:16] || mode != "full":
			t.Errorf("%s: its outputs are of code %s in %s mode; this checkout is code %s: re-execute it in full mode "+
				"(notebooks/README.md)", filepath.Base(nb), got, mode, v[:16])
		}
	}
}

// joinText returns a notebook text field (a string or a list of strings) as one string.
func joinText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, s := range x {
			if s, ok := s.(string); ok {
				b.WriteString(s)
			}
		}
		return b.String()
	}
	return ""
}
