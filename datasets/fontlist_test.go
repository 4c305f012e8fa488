package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/gomono"
)

// TestLoadFontFilesReadsOnlyTheList checks that a font list loads its files and nothing else under its root,
// and that a missing or different file is refused with its package named.
func TestLoadFontFilesReadsOnlyTheList(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("truetype/listed/MonoCopy.ttf", gomono.TTF)
	write("truetype/other/Unlisted.ttf", gomono.TTF) // installed, not listed: must not enter
	sum := sha256.Sum256(gomono.TTF)
	listed := FontFile{"MonoCopy", "truetype/listed/MonoCopy.ttf", "fonts-mono-copy", hex.EncodeToString(sum[:])}

	fonts, err := LoadFontFiles(root, []FontFile{listed})
	if err != nil {
		t.Fatal(err)
	}
	if len(fonts) != len(goFonts)+1 {
		t.Fatalf("%d fonts, want the %d Go fonts and MonoCopy", len(fonts), len(goFonts))
	}
	for _, f := range fonts {
		if f.Name == "Unlisted" {
			t.Error("an unlisted file entered the fonts")
		}
	}

	cases := []struct {
		name string
		file FontFile
		want []string // in the error
		gone bool     // errors.Is(err, fs.ErrNotExist)
	}{
		{"missing", FontFile{"Absent-Bold", "truetype/absent/Absent-Bold.ttf", "fonts-absent", ""},
			[]string{"Absent-Bold", "fonts-absent", "missing"}, true},
		{"other version", FontFile{"MonoCopy", listed.Path, "fonts-urw-base35", strings.Repeat("0", 64)},
			[]string{"MonoCopy", "fonts-urw-base35", "20200910-7", "not the file"}, false},
		{"listed twice", FontFile{"Go-Mono", listed.Path, "fonts-mono-copy", ""}, []string{"Go-Mono", "twice"}, false},
	}
	t.Setenv(AnyFontVersionEnv, "")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFontFiles(root, []FontFile{c.file})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if errors.Is(err, fs.ErrNotExist) != c.gone {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v", err, !c.gone)
			}
		})
	}
}

func TestAnyFontVersionAcceptsAnotherFile(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "Mono.ttf"), gomono.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(AnyFontVersionEnv, "1")
	fonts, err := LoadFontFiles(root, []FontFile{{"Mono", "Mono.ttf", "fonts-mono", strings.Repeat("0", 64)}})
	if err != nil || len(fonts) != len(goFonts)+1 {
		t.Fatalf("%s=1: %d fonts, %v", AnyFontVersionEnv, len(fonts), err)
	}
}

// TestWorldFontPackagesAreSetUp checks the list against the set-up: every package it names is installed by
// scripts/setup-data.sh and has its version recorded, and every font package the set-up installs is used.
func TestWorldFontPackagesAreSetUp(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "scripts", "setup-data.sh"))
	if err != nil {
		t.Fatal(err)
	}
	installed := map[string]bool{}
	for _, p := range regexp.MustCompile(`\bfonts-[a-z0-9-]+`).FindAllString(string(script), -1) {
		installed[p] = true
	}
	used := map[string]bool{}
	names := map[string]bool{}
	for _, ff := range worldFontFiles {
		used[ff.Package] = true
		if names[ff.Name] {
			t.Errorf("font %s listed twice", ff.Name)
		}
		names[ff.Name] = true
		if strings.TrimSuffix(filepath.Base(ff.Path), filepath.Ext(ff.Path)) != ff.Name || len(ff.SHA256) != 64 {
			t.Errorf("entry %+v: name is not the file's base name, or no SHA-256", ff)
		}
	}
	for p := range used {
		if !installed[p] {
			t.Errorf("package %s is not installed by scripts/setup-data.sh", p)
		}
		if worldFontPackageVersions[p] == "" {
			t.Errorf("package %s has no recorded version", p)
		}
	}
	for p := range installed {
		if !used[p] {
			t.Errorf("scripts/setup-data.sh installs %s, which no listed font comes from", p)
		}
	}
}

// TestFontRenditionsAreTheWorlds pins the pixels of the world's font renditions (both splits of FontDigits,
// which pretraining and the FontDigits shift use, and FontLetters): the same list of font files gives the same
// images on every machine, so a change of the list, of a file or of the renderer shows here first. The hashes
// are those of the renditions world/model was pretrained and evaluated with.
func TestFontRenditionsAreTheWorlds(t *testing.T) {
	cases := []struct {
		name  string
		split Split
		want  uint64
	}{
		{"FontDigits", Test, 0x6ccd38a0a08dd784},
		{"FontDigits", Train, 0x800e1063db92a4c9},
		{"FontLetters", Train, 0xb92d8bb8a078b601},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+string(c.split), func(t *testing.T) {
			ds, err := Open(c.name, Options{Split: c.split, Seed: 1})
			if errors.Is(err, fs.ErrNotExist) && !requireData() {
				t.Skipf("fonts missing: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			for i := 0; i < 300; i++ {
				img, label, err := ds.Example(i)
				if err != nil {
					t.Fatal(err)
				}
				h.Write(pixels(img))
				h.Write([]byte{byte(label)})
			}
			if got := h.Sum64(); got != c.want {
				t.Errorf("pixel hash of the first 300 renditions %#x, want %#x", got, c.want)
			}
		})
	}
}
