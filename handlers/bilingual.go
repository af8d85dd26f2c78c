package handlers

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// User text (a poll question, an option, a meeting title or theme) may be
// written in both languages, separated by a slash with a space on each
// side: "Theme for March? / Thème de mars ?". It is stored as typed, and
// split when it is shown: the channel card shows it whole, personal
// replies and one-language posts show the reader's part.
//
// Splitting at render time rather than in separate columns keeps every
// existing poll and meeting, edits, exports and the theme a poll sets
// working unchanged, and needs no second input field anywhere.
//
// The rule must never cut ordinary text: "Yes / No", "Before / after
// 2020", "A / B / C" stay whole. Text is split only when it holds exactly
// one " / " with text on both sides and exactly one side reads as French
// (accents, « », or French little words) while the other does not. Either
// order works: "Thème de mars ? / Theme for March?" too.

// bilingualSep separates the two languages of one text.
const bilingualSep = " / "

// splitBilingual returns the English and French parts of s, and whether s
// is bilingual by the rule above.
func splitBilingual(s string) (en, fr string, ok bool) {
	if strings.Count(s, bilingualSep) != 1 {
		return "", "", false
	}
	a, b, _ := strings.Cut(s, bilingualSep)
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return "", "", false
	}
	switch fa, fb := readsFrench(a), readsFrench(b); {
	case fb && !fa:
		return a, b, true
	case fa && !fb:
		return b, a, true
	}
	return "", "", false
}

// inLanguage returns the part of s written in lang, or s itself when it is
// not bilingual.
func inLanguage(s, lang string) string {
	en, fr, ok := splitBilingual(s)
	switch {
	case !ok:
		return s
	case lang == "fr":
		return fr
	}
	return en
}

// Own is user text as the call's reader should see it: their language's
// part of a bilingual text, marked as typed by a person (User).
func (c *Call) Own(s string) string { return User(inLanguage(s, c.Lang)) }

// frenchWords are short words common in French and rare in English titles.
var frenchWords = map[string]bool{"le": true, "la": true, "les": true, "des": true, "du": true,
	"de": true, "et": true, "pour": true, "dans": true, "sur": true, "une": true, "un": true,
	"au": true, "aux": true, "avec": true, "ou": true, "quel": true, "quelle": true, "quels": true,
	"quelles": true, "notre": true, "nos": true, "votre": true, "vos": true, "est": true, "sont": true}

// englishWords are short words common in English and rare in French.
var englishWords = map[string]bool{"the": true, "for": true, "and": true, "of": true, "in": true,
	"to": true, "with": true, "on": true, "our": true, "your": true, "what": true, "which": true,
	"is": true, "are": true, "a": true, "an": true, "from": true, "how": true}

// readsFrench reports whether s has more French marks (accented letters,
// guillemets, elisions, French little words) than English little words.
func readsFrench(s string) bool {
	fr, en := 0, 0
	if strings.ContainsAny(s, "àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ«»") {
		fr++
	}
	// Apostrophes, straight or typographic (’), stay inside words so
	// that elisions count: l'accueil, d’Edmonton.
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	})
	for _, w := range words {
		if i := strings.IndexAny(w, "'’"); i == 1 && len(w) > 2 { // l'accueil, d’appels
			fr++
			_, size := utf8.DecodeRuneInString(w[i:])
			w = w[i+size:]
		}
		switch {
		case frenchWords[w]:
			fr++
		case englishWords[w]:
			en++
		}
	}
	return fr > en
}

// Bilingual merges an English and a French reply into one community post,
// English first, as federal communications are written.
func Bilingual(en, fr Reply) Reply {
	r := en
	r.Lang = "en+fr"
	r.Text = fmt.Sprintf("%s\n\n—\n\n%s", en.Text, fr.Text)
	r.Blocks = append(append(append([]Block{}, en.Blocks...), Divider{}), fr.Blocks...)
	return r
}
