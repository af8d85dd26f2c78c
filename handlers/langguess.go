package handlers

import (
	"slices"
	"strings"
	"unicode"
)

// Someone with no saved language preference (not a member, or a member
// whose row has none) is answered in the language they write in when the
// first word tells it unambiguously: "aide", "statistiques", "qui …" are
// French, "help", "stats", "who …" English. Words the two languages share
// ("absent", "vote", "coordination"…) tell nothing, and the platform locale
// or the community default decides.

// commandWord is a word someone may start a message with: its language
// ("" when both languages use it) and how it is written in that language,
// accents included, for suggestions.
type commandWord struct {
	lang    string
	display string
}

// coreWords are the first words of the core's own commands and of
// greetings; features add theirs (Parts.Words), question words included.
var coreWords = map[string][]string{
	"en": {"help", "hello", "hi", "hey", "thanks", "thank", "thx", "good"},
	"fr": {"aide", "bonjour", "salut", "merci", "bonsoir", "allô", "coucou"},
	"":   {"?"},
}

// addWords adds first words by language and rebuilds the table: every
// English word, then every French one, then the shared ones, so that a
// word both languages write alike (« présent », "present") ends shared
// whatever the install order.
func (r *registry) addWords(words map[string][]string) {
	if r.wordLists == nil {
		r.wordLists = map[string][]string{}
	}
	for lang, ws := range words {
		r.wordLists[lang] = append(r.wordLists[lang], ws...)
	}
	r.words = map[string]commandWord{}
	for _, lang := range []string{"en", "fr", ""} {
		for _, w := range r.wordLists[lang] {
			r.words[Fold(w)] = commandWord{lang: lang, display: w}
		}
	}
}

// textLanguage guesses the language of a command or question from its
// first word; "" when the word does not tell.
func (s *Service) textLanguage(text string) string {
	words := strings.Fields(stripCommand(text, s.opts.Command))
	if len(words) == 0 {
		return ""
	}
	first := Fold(words[0])
	if w, known := s.reg.words[strings.TrimRightFunc(first, isSentencePunct)]; known {
		return w.lang // "" for a word both languages use
	}
	// A misspelt command ("statistique") is in the language of the
	// commands it is close to, when they agree.
	return s.reg.suggestionLanguage(closestWords(first, s.reg.commandNames()))
}

// suggestionLanguage is the language all of words share, else "".
func (r *registry) suggestionLanguage(words []string) string {
	lang := ""
	for _, w := range words {
		l := r.words[w].lang
		if l == "" || (lang != "" && l != lang) {
			return ""
		}
		lang = l
	}
	return lang
}

func isSentencePunct(r rune) bool { return (unicode.IsPunct(r) && r != '?') || unicode.IsSpace(r) }

// commandNames lists the folded names of every registered command, sorted.
func (r *registry) commandNames() []string {
	var out []string
	for _, cmd := range r.all() {
		for _, n := range cmd.Names {
			if n != "?" {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// closestWords returns the names nearest to the folded word w, at most a
// small edit away (one edit for words up to five letters, two for longer
// ones), in names' order.
func closestWords(w string, names []string) []string {
	w = strings.TrimRightFunc(w, isSentencePunct)
	if w == "" {
		return nil
	}
	limit := 1
	if len([]rune(w)) > 5 {
		limit = 2
	}
	best, out := limit+1, []string(nil)
	for _, k := range names {
		d := EditDistance(w, k)
		switch {
		case d < best:
			best, out = d, []string{k}
		case d == best:
			out = append(out, k)
		}
	}
	return out
}

// questionLanguage is the language of a question written out in full: three
// words or more, ending with a question mark, whose first word tells the
// language ("qui représente le Yukon ?", "who represents Yukon?"). A
// bilingual member who asks in French expects French back, whatever their
// saved language, for that reply only; commands ("qui Yukon", "stats")
// follow the saved language, as people type command words of either
// language out of habit. "" when the text is not such a question.
func (s *Service) questionLanguage(text string) string {
	t := strings.TrimSpace(stripCommand(text, s.opts.Command))
	if !strings.HasSuffix(t, "?") || len(strings.Fields(t)) < 3 {
		return ""
	}
	return s.textLanguage(t)
}
