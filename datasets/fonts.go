package datasets

import (
	"fmt"
	"io/fs"
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

// SystemFontDir is where Debian's font packages (fonts-dejavu-core, fonts-liberation, fonts-freefont-ttf,
// fonts-urw-base35, fonts-dkg-handwriting, fonts-breip, fonts-bwht, fonts-femkeklaver, fonts-humor-sans)
// install their files.
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

// excludedFonts are fonts whose glyphs are not letters or digits in the usual sense (symbol and dingbat
// fonts) or that do not survive rendering at 28 pixels, by name prefix.
var excludedFonts = []string{"StandardSymbols", "D050000L", "Dingbats", "Symbol",
	"femkeklaver", // hatched double outlines that blur into grey blobs at 28 pixels
}

// goFonts are the Go fonts built into golang.org/x/image, always available.
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

var availableFonts struct {
	once  sync.Once
	fonts []*Font
	err   error
}

// AvailableFonts lists the usable fonts of this machine, sorted by name: the Go fonts (always) and the
// TrueType/OpenType files under SystemFontDir. A usable font parses, renders all ten digits and is not a
// symbol font. The list is computed once per process.
// maxFontFile bounds a font file read from the system (the largest TrueType collections are about 30 MB).
const maxFontFile = 256 << 20

func AvailableFonts() ([]*Font, error) {
	availableFonts.once.Do(func() {
		availableFonts.fonts, availableFonts.err = LoadFonts(SystemFontDir)
	})
	return availableFonts.fonts, availableFonts.err
}

// LoadFonts lists the usable fonts among the Go fonts and the .ttf/.otf files below dirs (missing dirs are
// skipped; files that fail to parse are skipped), sorted by name, with the held-out split marked (see
// HeldOutFamily). If no family falls to the held-out side, the last family in sorted order is held out, so
// that both sides are never empty when there are two families or more.
func LoadFonts(dirs ...string) ([]*Font, error) {
	var fonts []*Font
	seen := map[string]bool{}
	add := func(name, path string, data []byte) {
		for _, ex := range excludedFonts {
			if strings.HasPrefix(name, ex) {
				return
			}
		}
		if seen[name] {
			return
		}
		f, err := sfnt.Parse(data)
		if err != nil || !coversDigits(f) {
			return
		}
		seen[name] = true
		fonts = append(fonts, &Font{Name: name, Family: fontFamily(f, name), Path: path, f: f})
	}
	for _, g := range goFonts {
		add(g.name, "gofont:"+g.name, g.ttf)
	}
	for _, dir := range dirs {
		var paths []string
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir {
					return fs.SkipAll
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if !d.IsDir() && (ext == ".ttf" || ext == ".otf") {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("datasets: listing fonts in %s: %w", dir, err)
		}
		sort.Strings(paths)
		for _, p := range paths {
			data, err := fileio.ReadFile(p, maxFontFile) // a special file or a huge one is skipped, not read
			if err != nil {
				continue
			}
			add(strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), p, data)
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
