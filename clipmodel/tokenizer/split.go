package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// splitWords calls fn for each word of cleaned text s, in order. It does what
// the CLIP split regex
//
//	<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
//
// does with leftmost-first alternation, keeping the matches and dropping what
// lies between them (only whitespace can). \s is Unicode whitespace, \p{L}
// letters, \p{N} numbers. The text is already lower case, so matching is
// case-sensitive here.
func splitWords(s string, fn func(word string)) {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			i += n
			continue
		}
		j := i + n
		switch {
		case r == '<' && strings.HasPrefix(s[i:], StartToken):
			j = i + len(StartToken)
		case r == '<' && strings.HasPrefix(s[i:], EndToken):
			j = i + len(EndToken)
		case r == '\'' && contraction(s[j:]) > 0:
			j += contraction(s[j:])
		case isLetter(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !isLetter(r2) {
					break
				}
				j += n2
			}
		case isNumber(r):
			// one number rune per word
		default:
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isSpace(r2) || isLetter(r2) || isNumber(r2) {
					break
				}
				j += n2
			}
		}
		fn(s[i:j])
		i = j
	}
}

// contraction returns the length of the contraction suffix ("s", "t", "re",
// "ve", "m", "ll", "d") that s starts with, or 0.
func contraction(s string) int {
	if len(s) == 0 {
		return 0
	}
	switch s[0] {
	case 's', 't', 'm', 'd':
		return 1
	case 'r', 'v':
		if len(s) > 1 && s[1] == 'e' {
			return 2
		}
	case 'l':
		if len(s) > 1 && s[1] == 'l' {
			return 2
		}
	}
	return 0
}

// isSpace reports Unicode whitespace: \t \n \v \f \r, U+0085 and the Zs, Zl and
// Zp categories (the \s of the reference regex engine).
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.IsSpace(r)
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
	}
	return unicode.IsLetter(r)
}

func isNumber(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return unicode.IsNumber(r)
}
