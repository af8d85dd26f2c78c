package handlers

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"copbot/storage"
)

// Fold lower-cases s and strips accents, so "Québec", "QUEBEC" and "quebec"
// compare equal. ASCII text, which has no accents to strip, skips the
// transformer chain, the costly part (a roster import folds every cell).
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return foldAccents(s)
		}
	}
	return strings.ToLower(s)
}

func foldAccents(s string) string {
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

// EditDistance is the one edit distance of copbot (command names, places,
// time zones, organizations): storage.EditDistance, the optimal-string-
// alignment distance over runes.
func EditDistance(a, b string) int { return storage.EditDistance(a, b) }

func UnguardCell(v string) string {
	if len(v) >= 2 && v[0] == '\'' && needsGuard(v[1:]) {
		return v[1:]
	}
	return v
}

// GuardCell stops a spreadsheet from reading a cell as a formula, and
// guards a cell that starts like a guarded one (', then a guarded cell), so
// that unguardCell gives back every value exactly.
func GuardCell(v string) string {
	if needsGuard(v) {
		return "'" + v
	}
	return v
}

// needsGuard: v starts with = + - @ tab or CR, after any number of '.
func needsGuard(v string) bool {
	v = strings.TrimLeft(v, "'")
	return v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0]))
}
