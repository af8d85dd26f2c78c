package directory

import (
	"copbot/handlers"
	"strings"
	"unicode"
)

// The one-line profile grammar shared by join and update.

// parseProfileLine reads the one-line grammar from the raw text after the
// command word: either "|"-separated values in profileFields order, or
// key=value (or "key: value") pairs where words without a key continue the
// previous value (so quotes are optional). A part of a "|" line may also
// start with its key ("name: Kay Lee | org: X"). Values lose the quotes
// that wrap them whole and trailing commas or semicolons, but keep quotes
// inside (Robert "Bob" Smith). It returns the values given or the
// translated problems. Empty "|" parts are left out, except the name when
// joining (keepName): "join | Org | federal" has an explicitly empty name,
// which is refused rather than replaced by the platform's display name.
func parseProfileLine(c *call, line string, keepName bool) (map[string]string, []string) {
	if strings.Contains(line, "|") {
		return parsePipes(c, line, keepName)
	}
	return parsePairs(c, rawFields(line))
}

func parsePipes(c *call, line string, keepName bool) (map[string]string, []string) {
	parts := strings.Split(line, "|")
	if len(parts) > len(profileFields) {
		return nil, []string{c.T("join_too_many_parts", map[string]any{"Count": len(parts), "Max": len(profileFields)})}
	}
	vals := map[string]string{}
	for i, p := range parts {
		f, v, keyed := keyedPart(p)
		if !keyed {
			f, v = profileFields[i], cleanValue(p)
		}
		if v != "" || keyed || (keepName && i == 0) {
			vals[f] = v
		}
	}
	return vals, nil
}

// keyedPart reads a "|" part that starts with a known key and ":" or "=".
func keyedPart(p string) (field, value string, ok bool) {
	p = strings.TrimSpace(p)
	i := strings.IndexAny(p, ":=")
	if i < 0 {
		return "", "", false
	}
	f, ok := profileKey(handlers.Fold(strings.TrimSpace(p[:i])))
	if !ok {
		return "", "", false
	}
	return f, cleanValue(p[i+1:]), true
}

func parsePairs(c *call, words []string) (map[string]string, []string) {
	vals := map[string]string{}
	var problems []string
	field := ""
	for _, w := range words {
		k, v, isKey := splitKey(w)
		if !isKey {
			if field == "" {
				return nil, []string{c.T("join_grammar", c.SlashData())}
			}
			vals[field] = strings.TrimSpace(vals[field] + " " + w)
			continue
		}
		f, known := profileKey(handlers.Fold(strings.TrimSpace(k)))
		if !known {
			problems = append(problems, c.T("join_unknown_key", map[string]any{"Key": k}))
			field = ""
			continue
		}
		field = f
		vals[f] = strings.TrimSpace(v)
	}
	for f, v := range vals {
		vals[f] = cleanValue(v)
	}
	return vals, problems
}

// splitKey splits "key=value" (any key, so that a typo is reported) or
// "key:value" (known keys only: "Director:" continues a title).
func splitKey(w string) (key, value string, ok bool) {
	if k, v, ok := strings.Cut(w, "="); ok {
		return k, v, true
	}
	if k, v, ok := strings.Cut(w, ":"); ok {
		if _, known := profileKey(handlers.Fold(k)); known {
			return k, v, true
		}
	}
	return "", "", false
}

// cleanValue trims spaces and trailing commas or semicolons ("name=Bob
// Smith, org=City"), then quotes that wrap the whole value.
func cleanValue(v string) string {
	v = strings.TrimRight(strings.TrimSpace(v), ",; ")
	r := []rune(v)
	if len(r) >= 2 && closingQuote(r[0]) != 0 && r[len(r)-1] == closingQuote(r[0]) &&
		!strings.ContainsRune(string(r[1:len(r)-1]), r[len(r)-1]) {
		return strings.TrimSpace(string(r[1 : len(r)-1]))
	}
	return v
}

// closingQuote is the quote that closes open, or 0 if open is none.
func closingQuote(open rune) rune {
	switch open {
	case '"':
		return '"'
	case '“':
		return '”'
	case '«':
		return '»'
	}
	return 0
}

// rawFields splits s on spaces outside quotes, keeping the quotes, so
// that key="two words" stays one word and inner quotes survive.
func rawFields(s string) []string {
	var words []string
	var b strings.Builder
	var closing rune
	for _, r := range s {
		switch {
		case closing != 0 && r == closing:
			closing = 0
		case closing == 0 && closingQuote(r) != 0:
			closing = closingQuote(r)
		case closing == 0 && unicode.IsSpace(r):
			if b.Len() > 0 {
				words = append(words, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		words = append(words, b.String())
	}
	return words
}
