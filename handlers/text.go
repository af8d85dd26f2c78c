package handlers

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips accents, so "Québec", "QUEBEC" and "quebec"
// compare equal.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// Fields splits a command line into words; "double quoted" (or “curly
// quoted”) text stays one word without its quotes.
func Fields(s string) []string {
	var words []string
	var b strings.Builder
	inQuote, has := false, false
	for _, r := range s {
		switch {
		case r == '"' || r == '“' || r == '”' || r == '«' || r == '»':
			inQuote = !inQuote
			has = true
		case unicode.IsSpace(r) && !inQuote:
			if has {
				words = append(words, b.String())
				b.Reset()
				has = false
			}
		default:
			b.WriteRune(r)
			has = true
		}
	}
	if has {
		words = append(words, strings.TrimSpace(b.String()))
	}
	return words
}
