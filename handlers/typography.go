package handlers

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the one French typography pass. The Translator applies it
// to every French message it renders (see Translator.T), so catalogs,
// formatted dates and numbers all follow one rule, while what users typed
// (names, poll questions) passed in as template data is left as written.
//
// The rule is the Translation Bureau's (Le guide du rédacteur, ch. 5 and
// 8), which the Government of Canada follows:
//   - a no-break space (U+00A0) before « : » and inside « guillemets »,
//     and between a number and « % » (added when missing);
//   - a narrow no-break space (U+202F, « fine insécable ») before ; ? !
//     where the text has a space (none is added: English quoted in a
//     French sentence, "who represents Yukon?", keeps its own rule);
//   - times as « 13 h » and « 13 h 30 », never « 13 h 00 »;
//   - « 1er » for the first of a month (written by the date template);
//   - a no-break space after « nº ».
//
// The pass never touches `code spans` (commands the reader may copy) and
// never puts a space before a colon that is followed by a letter or digit,
// so emoji codes (:white_check_mark:), URLs (https://…), identities
// (slack:U1) and clock times (13:00) keep their form. It is idempotent.

const (
	frSpace = '\u00a0' // espace insécable
	frThin  = '\u202f' // espace fine insécable
)

// FrenchTypography applies the French spacing rules above to s.
func FrenchTypography(s string) string {
	if !strings.ContainsAny(s, ":;?!«»%hº") {
		return s
	}
	in := []rune(s)
	out := make([]rune, 0, len(in)+8)
	code := false
	for i := 0; i < len(in); i++ {
		r := in[i]
		if r == '`' {
			code = !code
		}
		if code || r == '`' {
			out = append(out, r)
			continue
		}
		out = typoRune(out, in, i)
		if r == '«' && i+1 < len(in) && isTypoSpace(in[i+1]) {
			i++ // typoRune wrote the no-break space that replaces it
		}
		if r == 'º' && i+1 < len(in) && in[i+1] == ' ' {
			out = append(out, frSpace) // « nº 12 »
			i++
		}
	}
	return dropZeroMinutes(string(out))
}

// typoRune appends in[i] to out, first fixing the space that must precede
// it and then, for « , the space that must follow it.
func typoRune(out, in []rune, i int) []rune {
	r := in[i]
	next := rune(0)
	if i+1 < len(in) {
		next = in[i+1]
	}
	switch {
	case r == ':' && !isWordRune(next) && next != '/':
		out = spaceBefore(out, frSpace, false)
	case (r == ';' || r == '?' || r == '!') && !isWordRune(next) && next != '/' && next != '=':
		out = spaceBefore(out, frThin, false)
	case r == '%' && !isWordRune(next) && len(out) > 0 && (unicode.IsDigit(lastNonSpace(out))):
		out = spaceBefore(out, frSpace, true)
	case r == '»' && len(out) > 0 && out[len(out)-1] != '\n':
		if !isTypoSpace(out[len(out)-1]) {
			out = append(out, ' ')
		}
		out[len(out)-1] = frSpace
	}
	out = append(out, r)
	if r == '«' && next != 0 && next != '\n' {
		out = append(out, frSpace)
	}
	return out
}

// spaceBefore makes the space at the end of out the given kind. When out
// ends without a space it adds one only if insert is set and out ends in a
// word or a closing mark. ; ? ! never get a space added: "who represents
// Yukon?" quoted in a French sentence is English, and stays so.
func spaceBefore(out []rune, sp rune, insert bool) []rune {
	n := len(out)
	if n == 0 {
		return out
	}
	if isTypoSpace(out[n-1]) {
		out[n-1] = sp
		return out
	}
	if insert && (isWordRune(out[n-1]) || strings.ContainsRune(")»*_", out[n-1])) {
		return append(out, sp)
	}
	return out
}

func lastNonSpace(out []rune) rune {
	for i := len(out) - 1; i >= 0; i-- {
		if !isTypoSpace(out[i]) {
			return out[i]
		}
	}
	return 0
}

// isTypoSpace reports whether r is a space the pass may change: a plain,
// no-break or narrow no-break space (never a line break). A zero rune is a
// space already consumed by typoRune.
func isTypoSpace(r rune) bool { return r == ' ' || r == frSpace || r == frThin }

// isWordRune reports whether r is a letter or digit, or a placeholder for
// template data (private use area, see Translator.T).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || isPlaceholder(r)
}

// dropZeroMinutes writes « 13 h » for « 13 h 00 » and puts no-break spaces
// in clock times (« 13 h 30 »), so a time never breaks across lines.
func dropZeroMinutes(s string) string {
	if !strings.Contains(s, "h") {
		return s
	}
	in := []rune(s)
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		if n := clockAt(in, i); n > 0 {
			out = append(out, frSpace, 'h')
			if in[i+n-1] != '0' || in[i+n-2] != '0' {
				out = append(out, frSpace, in[i+n-2], in[i+n-1])
			}
			i += n - 1
			continue
		}
		out = append(out, in[i])
	}
	return string(out)
}

// clockAt returns the length of " h MM" at in[i] when it follows a digit
// and is not followed by a word character, else 0.
func clockAt(in []rune, i int) int {
	if i == 0 || !unicode.IsDigit(in[i-1]) || i+5 > len(in) {
		return 0
	}
	if !isTypoSpace(in[i]) || in[i+1] != 'h' || !isTypoSpace(in[i+2]) ||
		!isDigitRune(in[i+3]) || !isDigitRune(in[i+4]) {
		return 0
	}
	if i+5 < len(in) && isWordRune(in[i+5]) {
		return 0
	}
	if in[i+3] == '0' && in[i+4] == '0' && strings.HasPrefix(string(in[i+5:]), " min") {
		return 0 // a duration, « 2 h 00 min », keeps its minutes
	}
	return 5
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// AfterColon fits a whole translated sentence to follow « Champ : » in
// French, where the sentence goes on in lower case (« Province : je ne
// connais pas… »). Only a first word from a closed list of French
// pronouns, articles and verbs is lowered, so a name (« Île-du-Prince-
// Édouard ») keeps its capital. Other languages are unchanged.
func AfterColon(lang, msg string) string {
	if lang != "fr" {
		return msg
	}
	end := strings.IndexFunc(msg, func(r rune) bool { return r == ' ' || r == '’' || r == '\'' })
	if end <= 0 {
		return msg
	}
	switch msg[:end] {
	case "Je", "Le", "La", "Les", "L", "Un", "Une", "Ce", "Cet", "Cette", "Ces", "Il", "Elle", "Vous", "Aucun",
		"Aucune", "Rien", "Indiquez", "Écrivez", "Laissez", "Tapez", "Utilisez", "Choisissez", "Veuillez", "Seuls", "Seule":
		first, size := utf8.DecodeRuneInString(msg)
		return string(unicode.ToLower(first)) + msg[size:]
	}
	return msg
}

// frTypoRules are the checks every French text must pass once rendered
// (the rule is at the top of this file). Code spans, "straight-quoted" command
// arguments and English quoted between “ ” are removed first: commands are
// copied as typed (Teams shows code spans without backticks), and English
// keeps its own punctuation.
var frTypoRules = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`[ \x{a0}][;?!]`), "; ? ! take a narrow no-break space (U+202F)"},
	{regexp.MustCompile(`[\pL\d)][;?!](\s|$)`), "; ? ! need a narrow no-break space before them"},
	{regexp.MustCompile(`[^\x{a0}\n]:(\s|$|\*)`), ": takes a no-break space (U+00A0) before it"},
	{regexp.MustCompile(`«[^\x{a0}]`), "« is followed by a no-break space"},
	{regexp.MustCompile(`[^\x{a0}\n]»`), "» is preceded by a no-break space"},
	{regexp.MustCompile(`\d[ \x{a0}]h[ \x{a0}]00\b`), "« 13 h », not « 13 h 00 »"},
	{regexp.MustCompile(`\d h\b|\d\x{a0}h \d`), "times take no-break spaces: « 13 h 30 »"},
	{regexp.MustCompile(`\b1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)`), "the first of a month is « 1er »"},
	{regexp.MustCompile(`\d ?%`), "« 50 % » takes a no-break space"},
	{regexp.MustCompile(`nº `), "« nº 12 » takes a no-break space"},
	{regexp.MustCompile(`:\x{a0}(Le|La|Les|Un|Une|Des|Vous|Il|Elle|Aucun|Aucune|Tapez|Utilisez|Rien|Je|Nous|Ce|Cette|Votre|Vos|Indiquez|Écrivez|Laissez|Demandez|Veuillez|Merci|Choisissez)\b`),
		"no capital after a colon in running French text"},
}

var (
	codeSpan     = regexp.MustCompile("`[^`]*`")
	englishQuote = regexp.MustCompile(`“[^”]*”`)
	argQuote     = regexp.MustCompile(`"[^"]*"`)
)

// FrenchTypographyProblems lists the rules of this file that the French
// text s breaks, each with where; none for a text set right. Tests check
// every rendered catalog message and every French reply with it.
func FrenchTypographyProblems(s string) []string {
	s = englishQuote.ReplaceAllString(codeSpan.ReplaceAllString(s, "CODE"), "EN")
	s = argQuote.ReplaceAllString(s, "ARG")
	var out []string
	for _, r := range frTypoRules {
		if m := r.re.FindString(s); m != "" {
			out = append(out, fmt.Sprintf("%s (at %q)", r.why, m))
		}
	}
	return out
}
