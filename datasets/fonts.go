package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomediumitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/gomonobolditalic"
	"golang.org/x/image/font/gofont/gomonoitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/gofont/gosmallcaps"
	"golang.org/x/image/font/gofont/gosmallcapsitalic"
	"golang.org/x/image/font/sfnt"

	"github.com/gowiseft/wiseft/internal/fileio"
)

// SystemFontDir is where Debian's font packages install their files; the world's font files (WorldFontFiles)
// are named relative to it.
const SystemFontDir = "/usr/share/fonts"

// Font is a parsed font file that renders all ten digits.
type Font struct {
	// Name is the file's base name without extension, e.g. "DejaVuSans-Bold" or "Go-Regular"; unique in a list.
	Name string
	// Family is the typographic family from the font's name table, e.g. "DejaVu Sans"; the pretraining /
	// held-out split is made by family, so no held-out family has a weight or style among the pretraining fonts.
	Family string
	// Path is the file, or "gofont:<Name>" for the Go fonts built into golang.org/x/image.
	Path string
	// HeldOut marks the fonts kept out of pretraining, whose renditions are an evaluation shift.
	HeldOut bool

	f *sfnt.Font
}

// AnyFontVersionEnv, set to 1, lets the world render from listed font files whose content differs from the
// list's SHA-256 (another Debian release's packages, e.g. in the Docker image): the images, and so every figure
// that involves fonts, then differ from those of the shipped world.
const AnyFontVersionEnv = "WISEFT_ANY_FONT_VERSION"

// FontFile names one font file that a font list requires.
type FontFile struct {
	// Name is the file's base name without extension (Font.Name).
	Name string
	// Path is the file, relative to the list's root folder (SystemFontDir for the world's list).
	Path string
	// Package is the Debian package that installs the file, named in the error when it is missing.
	Package string
	// SHA256 is the hex SHA-256 of the file; another version of the file is refused ("" checks nothing).
	SHA256 string
}

// goFonts are the Go fonts built into golang.org/x/image, always available and always in a font list.
var goFonts = []struct {
	name string
	ttf  []byte
}{
	{"Go-Regular", goregular.TTF}, {"Go-Bold", gobold.TTF}, {"Go-Italic", goitalic.TTF},
	{"Go-Bold-Italic", gobolditalic.TTF}, {"Go-Medium", gomedium.TTF}, {"Go-Medium-Italic", gomediumitalic.TTF},
	{"Go-Mono", gomono.TTF}, {"Go-Mono-Bold", gomonobold.TTF}, {"Go-Mono-Italic", gomonoitalic.TTF},
	{"Go-Mono-Bold-Italic", gomonobolditalic.TTF}, {"Go-Smallcaps", gosmallcaps.TTF},
	{"Go-Smallcaps-Italic", gosmallcapsitalic.TTF},
}

// WorldFontFiles returns a copy of the explicit list of font files, besides the Go fonts, that the world renders
// from (see worldFontFiles).
func WorldFontFiles() []FontFile { return append([]FontFile(nil), worldFontFiles...) }

var availableFonts struct {
	once  sync.Once
	fonts []*Font
	err   error
}

// maxFontFile bounds a font file read from the system (the largest TrueType collections are about 30 MB).
const maxFontFile = 256 << 20

// AvailableFonts lists the world's fonts, sorted by name: the Go fonts and the files of WorldFontFiles under
// SystemFontDir, and nothing else installed on the machine, so that every machine set up by scripts/setup.sh
// renders the same images. A missing or different file is an error naming it and its Debian package. The list
// is computed once per process.
func AvailableFonts() ([]*Font, error) {
	availableFonts.once.Do(func() {
		availableFonts.fonts, availableFonts.err = LoadFontFiles(SystemFontDir, worldFontFiles)
	})
	return availableFonts.fonts, availableFonts.err
}

// LoadFontFiles loads the Go fonts and the listed files under root, sorted by name, with the held-out split
// marked (see HeldOutFamily). Every listed file must exist, match its SHA256 when one is given, parse and render
// the ten digits; the first that does not is the error. If no family falls to the held-out side, the last
// family in sorted order is held out, so that both sides are never empty when there are two families or more.
func LoadFontFiles(root string, files []FontFile) ([]*Font, error) {
	var fonts []*Font
	seen := map[string]bool{}
	add := func(name, path string, data []byte) error {
		if seen[name] {
			return fmt.Errorf("datasets: font %s listed twice", name)
		}
		f, err := sfnt.Parse(data)
		if err != nil {
			return fmt.Errorf("datasets: font %s (%s) does not parse: %v", name, path, err)
		}
		if !coversDigits(f) {
			return fmt.Errorf("datasets: font %s (%s) does not render the ten digits", name, path)
		}
		seen[name] = true
		fonts = append(fonts, &Font{Name: name, Family: fontFamily(f, name), Path: path, f: f})
		return nil
	}
	for _, g := range goFonts {
		if err := add(g.name, "gofont:"+g.name, g.ttf); err != nil {
			return nil, err
		}
	}
	for _, ff := range files {
		path := filepath.Join(root, ff.Path)
		data, err := fileio.ReadFile(path, maxFontFile) // a special file or a huge one is refused, not read
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, &MissingFontError{File: ff, Path: path}
			}
			return nil, fmt.Errorf("datasets: font %s: %w", ff.Name, err)
		}
		if ff.SHA256 != "" && os.Getenv(AnyFontVersionEnv) != "1" {
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != ff.SHA256 {
				return nil, fmt.Errorf("datasets: font %s (%s) is not the file the world was made with (SHA-256 %x, want %s): install version %s of the Debian package %s, or set %s=1 to render from it anyway (the figures will differ)",
					ff.Name, path, sum[:6], ff.SHA256[:12], packageVersion(ff.Package), ff.Package, AnyFontVersionEnv)
			}
		}
		if err := add(ff.Name, path, data); err != nil {
			return nil, err
		}
	}
	sort.Slice(fonts, func(i, j int) bool { return fonts[i].Name < fonts[j].Name })
	anyHeld := false
	for _, f := range fonts {
		f.HeldOut = HeldOutFamily(f.Family)
		anyHeld = anyHeld || f.HeldOut
	}
	if !anyHeld && len(fonts) > 0 {
		last := ""
		for _, f := range fonts {
			last = max(last, f.Family)
		}
		for _, f := range fonts {
			f.HeldOut = f.Family == last
		}
	}
	return fonts, nil
}

// MissingFontError says that a listed font file is not installed. It matches fs.ErrNotExist, like the other
// missing data of the world.
type MissingFontError struct {
	File FontFile
	Path string // where it was looked for
}

func (e *MissingFontError) Error() string {
	return fmt.Sprintf("datasets: font %s is missing (%s): install the Debian package %s (scripts/setup-data.sh installs it)",
		e.File.Name, e.Path, e.File.Package)
}

// Unwrap makes errors.Is(err, fs.ErrNotExist) true.
func (e *MissingFontError) Unwrap() error { return fs.ErrNotExist }

// packageVersion is the version of a font package that the world's list was made from, or "the Debian 12".
func packageVersion(pkg string) string {
	if v, ok := worldFontPackageVersions[pkg]; ok {
		return v
	}
	return "the Debian 12"
}

// PretrainingFonts returns the fonts of fonts that are not held out.
func PretrainingFonts(fonts []*Font) []*Font { return filterFonts(fonts, false) }

// HeldOutFonts returns the held-out fonts of fonts.
func HeldOutFonts(fonts []*Font) []*Font { return filterFonts(fonts, true) }

func filterFonts(fonts []*Font, heldOut bool) []*Font {
	var out []*Font
	for _, f := range fonts {
		if f.HeldOut == heldOut {
			out = append(out, f)
		}
	}
	return out
}

// Covers says whether the font has a glyph for every rune of text other than spaces.
func (f *Font) Covers(text string) bool {
	var buf sfnt.Buffer
	for _, r := range text {
		if r == ' ' {
			continue
		}
		if x, err := f.f.GlyphIndex(&buf, r); err != nil || x == 0 {
			return false
		}
	}
	return true
}

// coversDigits says whether f has non-empty glyphs for 0-9.
func coversDigits(f *sfnt.Font) bool {
	var buf sfnt.Buffer
	for r := '0'; r <= '9'; r++ {
		x, err := f.GlyphIndex(&buf, r)
		if err != nil || x == 0 {
			return false
		}
		segs, err := f.LoadGlyph(&buf, x, 64<<6, nil)
		if err != nil || len(segs) == 0 {
			return false
		}
	}
	return true
}

// fontFamily reads the typographic family (name ID 16), else the family (name ID 1), else uses fallback.
func fontFamily(f *sfnt.Font, fallback string) string {
	var buf sfnt.Buffer
	for _, id := range []sfnt.NameID{sfnt.NameIDTypographicFamily, sfnt.NameIDFamily} {
		if s, err := f.Name(&buf, id); err == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return fallback
}
