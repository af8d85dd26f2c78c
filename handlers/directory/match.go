package directory

import (
	"sort"
	"strings"
	"sync"
	"unicode"

	"copbot/handlers"
	"copbot/storage"
)

// The jurisdiction matcher compares "keys": text folded (case, accents),
// split on anything that is not a letter or digit, stripped of leading
// articles and fillers ("le", "l'", "the", "province of", "territoire du"),
// and squashed together. So "l'Île-du-Prince-Édouard", "Ile du Prince
// Edouard" and "ÎLE-DU-PRINCE-ÉDOUARD" share one key, and "P.E.I." equals
// "PEI".

// isLeadingFiller reports whether a folded word is dropped from the start
// of a place name, in either language. None of them starts a real name, so
// dropping them from both the reference names and the input cannot merge
// two places.
func isLeadingFiller(w string) bool {
	switch w {
	case "le", "la", "l", "les", "du", "de", "des", "d", "the", "of", "province", "territoire", "territory",
		"au", "aux", "en", "a", "in", "from", "for":
		return true
	}
	return false
}

// placeTokens splits s into folded words, dropping punctuation.
func placeTokens(s string) []string {
	return strings.FieldsFunc(handlers.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// placeKey is the comparison key of a place name; "" when nothing is left.
func placeKey(s string) string {
	toks := placeTokens(s)
	for len(toks) > 0 && isLeadingFiller(toks[0]) {
		toks = toks[1:]
	}
	return strings.Join(toks, "")
}

// placeIndex maps every key (code, names, aliases) to its jurisdiction.
type placeIndex struct {
	byKey map[string]storage.Jurisdiction
	keys  []string // sorted, for deterministic suggestions
}

// jurisdictionIndex is built once from the immutable reference list.
var jurisdictionIndex = sync.OnceValue(func() *placeIndex {
	ix := &placeIndex{byKey: map[string]storage.Jurisdiction{}}
	for _, j := range storage.Jurisdictions() {
		names := append([]string{j.Code, j.NameEN, j.NameFR}, j.Aliases...)
		for _, n := range names {
			if k := placeKey(n); k != "" {
				ix.byKey[k] = j
			}
		}
	}
	for k := range ix.byKey {
		ix.keys = append(ix.keys, k)
	}
	sort.Strings(ix.keys)
	return ix
})

// MatchJurisdiction finds the jurisdiction text names: a code ("YT", "pe"),
// a name or an alias in English or French, in any case, with or without
// accents, punctuation or a leading article ("le Yukon", "l'Île-du-Prince-
// Édouard", "P.E.I.", "province of Quebec").
//
// An ambiguous abbreviation (see AmbiguousJurisdictions) matches nothing:
// the caller asks which place was meant.
func MatchJurisdiction(text string) (storage.Jurisdiction, bool) {
	k := placeKey(text)
	if k == "" || len(AmbiguousJurisdictions(text)) > 0 {
		return storage.Jurisdiction{}, false
	}
	j, ok := jurisdictionIndex().byKey[k]
	return j, ok
}

// ambiguous lists the keys that name two places. « Nt » is the French
// abbreviation of Nunavut, and NT the postal code of the Northwest
// Territories: only the code written in capitals is taken as the code.
var ambiguous = map[string]struct {
	codes []string
	exact string // this exact spelling is not ambiguous
}{
	"nt": {codes: []string{"NU", "NT"}, exact: "NT"},
}

// AmbiguousJurisdictions returns the places text may name when it is an
// ambiguous abbreviation ("Nt", "n.t."), most likely first; nil otherwise.
func AmbiguousJurisdictions(text string) []storage.Jurisdiction {
	a, ok := ambiguous[placeKey(text)]
	if !ok || strings.TrimSpace(text) == a.exact {
		return nil
	}
	out := make([]storage.Jurisdiction, 0, len(a.codes))
	for _, code := range a.codes {
		j, _ := storage.JurisdictionByCode(code)
		out = append(out, j)
	}
	return out
}

// MaxSuggestions caps "did you mean" lists: more is noise.
const MaxSuggestions = 3

// SuggestJurisdictions returns the jurisdictions text most likely meant, best
// first: names within a small edit distance ("Saskatchwan") or starting
// with text ("Newfound"). Codes are not compared by distance: every
// two-letter word is close to some code. It returns nil when nothing is
// close ("Narnia").
func SuggestJurisdictions(text string) []storage.Jurisdiction {
	if js := AmbiguousJurisdictions(text); js != nil {
		return js
	}
	k := placeKey(text)
	if len([]rune(k)) < 3 {
		return nil
	}
	type cand struct {
		j    storage.Jurisdiction
		dist int
	}
	best := map[string]cand{}
	ix := jurisdictionIndex()
	for _, key := range ix.keys {
		d, ok := suggestDistance(k, key)
		if !ok {
			continue
		}
		j := ix.byKey[key]
		if c, seen := best[j.Code]; !seen || d < c.dist {
			best[j.Code] = cand{j, d}
		}
	}
	cands := make([]cand, 0, len(best))
	for _, c := range best {
		cands = append(cands, c)
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].dist != cands[b].dist {
			return cands[a].dist < cands[b].dist
		}
		return cands[a].j.Code < cands[b].j.Code
	})
	var out []storage.Jurisdiction
	for i := 0; i < len(cands) && i < MaxSuggestions; i++ {
		out = append(out, cands[i].j)
	}
	return out
}

// suggestDistance scores how close input is to key. A prefix of a long
// enough key counts as distance 0; otherwise the edit distance must be at
// most a third of the longer length (one typo per three letters).
func suggestDistance(input, key string) (int, bool) {
	if len([]rune(key)) < 4 {
		return 0, false
	}
	if strings.HasPrefix(key, input) {
		return 0, true
	}
	d := handlers.EditDistance(input, key)
	limit := max(len([]rune(input)), len([]rune(key))) / 3
	return d, d <= limit
}

// orderWord maps one folded word for an order of government, in English
// or French, to the order. Territorial ministries count as provincial ones.
func orderWord(w string) (storage.Order, bool) {
	switch w {
	case "federal", "federale", "fed", "federaux", "federales":
		return storage.OrderFederal, true
	case "provincial", "provinciale", "province", "prov", "provinciaux", "provinciales", "pt",
		"territorial", "territoriale", "territory", "territoire", "territoriaux", "territoriales":
		return storage.OrderProvincial, true
	case "municipal", "municipale", "municipality", "municipalite", "city", "ville", "muni", "local",
		"municipaux", "municipales":
		return storage.OrderMunicipal, true
	}
	return "", false
}

// MatchOrder parses an order of government written in English or French:
// "federal", "Fédéral", "territorial", "municipalité", "provincial/territorial".
// Every word must name the same order ("and", "et", "or", "ou" aside).
func MatchOrder(text string) (storage.Order, bool) {
	var found storage.Order
	for _, w := range placeTokens(text) {
		if w == "and" || w == "et" || w == "or" || w == "ou" {
			continue
		}
		o, ok := orderWord(w)
		if !ok || (found != "" && o != found) {
			return "", false
		}
		found = o
	}
	return found, found != ""
}
