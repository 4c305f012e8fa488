package datasets

import "hash/fnv"

// fontLooks maps known font families to a look-alike group: families that are clones or close relatives of
// one design (Liberation Serif, FreeSerif and Nimbus Roman are all Times-like) share a group, so the split
// never puts one clone among the pretraining fonts and another among the held-out ones.
var fontLooks = map[string]string{
	"Liberation Serif": "times", "FreeSerif": "times", "Nimbus Roman": "times",
	"Liberation Sans": "helvetica", "Liberation Sans Narrow": "helvetica", "FreeSans": "helvetica",
	"Nimbus Sans": "helvetica", "Nimbus Sans Narrow": "helvetica",
	"Liberation Mono": "courier", "FreeMono": "courier", "Nimbus Mono PS": "courier",
	"DejaVu Sans": "dejavu", "DejaVu Serif": "dejavu", "DejaVu Sans Mono": "dejavu",
	"Go": "go", "Go Medium": "go", "Go Mono": "go", "Go Smallcaps": "go",
	"P052": "palatino", "URW Bookman": "bookman", "URW Gothic": "avantgarde", "Z003": "chancery",
	"C059": "century", "Breip": "breip",
}

// heldOutLooks are the look-alike groups of the held-out fonts: print (Times-like, Palatino, Bookman, Avant
// Garde, Zapf Chancery) and handwriting (Breip, two of the six BWHT hands) alike, about a quarter
// of the fonts. Everything else listed in fontLooks, and the Go fonts in particular, is for pretraining.
var heldOutLooks = map[string]bool{
	"times": true, "palatino": true, "bookman": true, "avantgarde": true, "chancery": true,
	"breip": true, "Because We Learn": true, "Because We Organize": true,
}

// knownPretrainingFamilies are families not in fontLooks that are pretraining fonts on purpose.
var knownPretrainingFamilies = map[string]bool{
	"Because We Build": true, "Because We Connect": true, "Because We Create": true, "Because We Mentor": true,
	"DejaVu Math TeX Gyre": true, "DkgHandwriting": true, "Humor Sans": true,
}

// HeldOutFamily says whether a font family belongs to the held-out fonts. Known families follow a fixed
// table by look-alike group (see heldOutLooks); for an unknown family a fixed hash of its name decides (about
// a third held out), so the side of a family never depends on which other fonts are installed.
func HeldOutFamily(family string) bool {
	look, ok := fontLooks[family]
	if !ok {
		look = family
	}
	if heldOutLooks[look] {
		return true
	}
	if ok || knownPretrainingFamilies[family] {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte("wiseft-fonts/" + family))
	return h.Sum32()%3 == 0
}
