package handlers

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"copbot/storage"
)

// directoryLimit caps a directory answer; the rest is counted ("and 12
// more") so a chat message stays readable.
const directoryLimit = 50

// cmdWho answers "who <place>" and the questions that start with who/qui
// ("who represents Yukon?", "qui représente le Yukon ?").
func (s *Service) cmdWho(ctx context.Context, c *call) Reply {
	q := parsePlaceQuery(strings.Join(c.args, " "))
	if q.place == "" {
		return c.errorReply("who_usage", c.slashData())
	}
	j, ok := q.match(q.stripped)
	if !ok {
		return c.reply("error", Ephemeral, Section{Text: c.unknownPlaceText(q.place)})
	}
	return s.directory(ctx, c, j)
}

// question answers a directory question that is not a command: "anyone
// from Nunavut?", "y a-t-il quelqu'un du Nunavut ?", or a bare place name.
// It returns false for anything else.
func (s *Service) question(ctx context.Context, c *call) (Reply, bool) {
	q := parsePlaceQuery(stripCommand(c.req.Text, s.opts.Command))
	if q.place == "" || (q.stripped && !q.cued) {
		return Reply{}, false
	}
	j, ok := q.match(true)
	if !ok {
		// Only a near miss ("anyone from Saskatchwan?") is surely a place;
		// "anyone up for lunch?" is left to the unknown-command answer.
		if !q.cued || len(SuggestJurisdictions(q.place)) == 0 {
			return Reply{}, false
		}
		return c.reply("error", Ephemeral, Section{Text: c.unknownPlaceText(q.place)}), true
	}
	return s.directory(ctx, c, j), true
}

// placeQuery is a directory question taken apart: the place as typed, and
// what was dropped before it.
type placeQuery struct {
	place    string
	stripped bool // words were dropped before the place
	cued     bool // one of them asks for people ("who", "anyone", "qui"…)
}

// parsePlaceQuery drops question words from the front of text and polite
// words from its end; what is left is the place, as typed.
func parsePlaceQuery(text string) placeQuery {
	words := wordSpans(text)
	var q placeQuery
	for len(words) > 0 && isQuestionWord(words[0].fold) {
		q.stripped = true
		q.cued = q.cued || isQuestionCue(words[0].fold)
		words = words[1:]
	}
	for len(words) > 0 && isTrailingWord(words[len(words)-1].fold) {
		words = words[:len(words)-1]
	}
	if len(words) > 0 {
		q.place = strings.TrimSpace(text[words[0].start:words[len(words)-1].end])
	}
	return q
}

// match resolves the place. strict refuses lower-case words that are also
// common words ("on", "que", "ça"), which in a sentence are rarely a code.
func (q placeQuery) match(strict bool) (storage.Jurisdiction, bool) {
	j, ok := MatchJurisdiction(q.place)
	if ok && strict && isCommonWord(placeKey(q.place)) && strings.ToLower(q.place) == q.place {
		return storage.Jurisdiction{}, false
	}
	return j, ok
}

// wordSpan is one word of a text: its folded form and byte range.
type wordSpan struct {
	fold       string
	start, end int
}

// wordSpans splits text into runs of letters and digits.
func wordSpans(text string) []wordSpan {
	var out []wordSpan
	start := -1
	for i, r := range text {
		in := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, wordSpan{Fold(text[start:i]), start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, wordSpan{Fold(text[start:]), start, len(text)})
	}
	return out
}

// isQuestionWord reports whether a folded word can come before the place in
// a directory question, in English or French. None starts a place name.
func isQuestionWord(w string) bool {
	if isQuestionCue(w) || isLeadingFiller(w) {
		return true
	}
	switch w {
	case "is", "are", "s", "est", "sont", "our", "notre", "nos", "there", "any", "y", "t", "il", "un", "une",
		"we", "do", "does", "have", "has", "nous", "avons", "vient", "viennent", "comes", "come", "currently",
		"actuellement", "list", "liste", "show", "me", "moi", "montre", "all", "tous", "toutes", "what",
		"pour", "par", "dans", "chez", "at", "with", "avec", "vos", "votre", "your", "my", "mon", "ma", "mes":
		return true
	}
	return false
}

// isQuestionCue reports whether a folded word asks for people.
func isQuestionCue(w string) bool {
	switch w {
	case "who", "whos", "qui", "anyone", "anybody", "someone", "somebody", "quelqu", "quelquun",
		"rep", "reps", "representative", "representatives", "represents", "represent", "representing",
		"representant", "representante", "representants", "representantes", "represente", "representent",
		"members", "member", "membres", "membre", "people", "personnes", "contact", "contacts":
		return true
	}
	return false
}

func isTrailingWord(w string) bool {
	switch w {
	case "please", "pls", "now", "yet", "svp", "stp", "plait", "maintenant", "encore", "actuellement", "currently":
		return true
	}
	return false
}

// isCommonWord lists place keys that are also everyday words.
func isCommonWord(k string) bool {
	switch k {
	case "on", "ont", "ne", "que", "man", "nu", "ca":
		return true
	}
	return false
}

// unknownPlaceText says the place is unknown, with suggestions if any.
func (c *call) unknownPlaceText(place string) string {
	if utf8.RuneCountInString(place) > 60 {
		place = string([]rune(place)[:60]) + "…"
	}
	sugg := SuggestJurisdictions(place)
	if len(sugg) == 0 {
		return c.T("error_place_unknown", c.with(map[string]any{"Place": place}))
	}
	names := make([]string, len(sugg))
	for i, j := range sugg {
		names[i] = j.Name(c.lang)
	}
	return c.T("error_place_suggest", c.with(map[string]any{"Place": place,
		"Suggestions": strings.Join(names, c.T("list_or", nil))}))
}

// directory lists the active members of j, grouped by order of government.
func (s *Service) directory(ctx context.Context, c *call, j storage.Jurisdiction) Reply {
	ms, total, err := s.store.FindMembers(ctx, storage.MemberFilter{Jurisdiction: &j.Code, Limit: directoryLimit})
	if err != nil {
		return c.fail(err)
	}
	place := j.Name(c.lang)
	if total == 0 {
		return c.reply("directory", Ephemeral, Section{Text: c.T("directory_empty", c.with(map[string]any{"Place": place}))})
	}
	blocks := []Block{Header{Text: c.count("directory_title", total, map[string]any{"Place": place})}}
	showEmail := s.opts.ShowEmails || c.coordinator
	for _, o := range storage.Orders {
		var lines []string
		for _, m := range ms {
			if m.Order == o {
				lines = append(lines, "• "+directoryLine(m, showEmail))
			}
		}
		if len(lines) > 0 {
			blocks = append(blocks, Header{Text: c.T("order_group_"+string(o), nil)}, Section{Text: strings.Join(lines, "\n")})
		}
	}
	if total > len(ms) {
		blocks = append(blocks, Context{Text: c.count("directory_more", total-len(ms), nil)})
	}
	return c.reply("directory", Ephemeral, blocks...)
}

// directoryLine is "Name — Title, Organization · email": punctuation only,
// the same in both languages.
func directoryLine(m *storage.Member, showEmail bool) string {
	line := m.Name + " — "
	if m.Title != "" {
		line += m.Title + ", "
	}
	line += m.Organization
	if showEmail && m.Email != "" {
		line += " · " + m.Email
	}
	return line
}
