package tokenizer

import "unicode/utf8"

// The byte-level alphabet of GPT-2 and CLIP: every byte value is given a
// printable, non-space rune so that BPE symbols are ordinary strings. Bytes that
// are already printable Latin-1 characters ('!'..'~', '¡'..'¬', '®'..'ÿ') map to
// themselves; the remaining 68 bytes map, in increasing byte order, to U+0100,
// U+0101, ... The canonical order of the alphabet (the order of the first 256
// ids of a CLIP vocabulary) lists the self-mapped bytes first, then the others.

var (
	// byteRune maps a byte to its alphabet rune.
	byteRune [256]rune
	// runeByte maps an alphabet rune back to its byte; ok is false for runes
	// outside the alphabet.
	runeByte map[rune]byte
	// alphabetOrder lists the 256 bytes in canonical vocabulary order.
	alphabetOrder [256]byte
	// byteSymbol and byteSymbolEnd are the alphabet runes as strings, the
	// second with the end-of-word suffix.
	byteSymbol    [256]string
	byteSymbolEnd [256]string
)

// endOfWord is the suffix that marks the last symbol of a word.
const endOfWord = "</w>"

func selfMapped(b int) bool {
	return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
}

func init() {
	runeByte = make(map[rune]byte, 256)
	n := 0
	for b := 0; b < 256; b++ {
		if selfMapped(b) {
			alphabetOrder[n] = byte(b)
			n++
		}
	}
	extra := 0
	for b := 0; b < 256; b++ {
		r := rune(b)
		if !selfMapped(b) {
			alphabetOrder[n] = byte(b)
			n++
			r = rune(256 + extra)
			extra++
		}
		byteRune[b] = r
		runeByte[r] = byte(b)
		byteSymbol[b] = string(r)
		byteSymbolEnd[b] = string(r) + endOfWord
	}
}

// encodeBytes maps every byte of s to its alphabet rune.
func encodeBytes(s string) string {
	buf := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		buf = utf8.AppendRune(buf, byteRune[s[i]])
	}
	return string(buf)
}

// decodeSymbols appends the bytes that the alphabet runes of sym stand for.
// Runes outside the alphabet are appended as their UTF-8 encoding.
func decodeSymbols(dst []byte, sym string) []byte {
	for _, r := range sym {
		if b, ok := runeByte[r]; ok {
			dst = append(dst, b)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}
