package directory

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

// A directory answer is one page of a place's members. A page is sized by
// what it says, not only by a count of people: at most directoryPageChars
// characters of member lines (a long name, title and organization take
// more room than a short one), so that a page fits one message on every
// platform (Slack's 12,000 characters, with room for the page's other text
// and for escaping), and at most directoryLimit members, so that it stays
// readable. The rest is counted ("and 12 more") with buttons to move.
const (
	directoryLimit     = 50
	directoryPageChars = 6000
)

// pageStarts splits lines of the given lengths into pages and returns the
// index of each page's first line. A line longer than a page is a page.
func pageStarts(lengths []int) []int {
	starts := []int{0}
	chars, n := 0, 0
	for i, l := range lengths {
		if n > 0 && (n == directoryLimit || chars+l > directoryPageChars) {
			starts = append(starts, i)
			chars, n = 0, 0
		}
		chars, n = chars+l, n+1
	}
	return starts
}

// cmdWho answers "who <place> [ORDER] [page N]" and the questions that
// start with who/qui ("who represents Yukon?", "qui représente le Yukon ?").
func (s *Feature) cmdWho(ctx context.Context, c *call) handlers.Reply {
	args, page, badPage := takePage(c.Args)
	if badPage != "" {
		return c.ErrorReply("directory_page_invalid", c.With(map[string]any{"Value": badPage}))
	}
	q, order := takeOrder(args)
	if q.place == "" {
		return c.ErrorReply("who_usage", c.SlashData())
	}
	j, ok := q.match(q.stripped)
	if !ok {
		return c.Reply("error", handlers.Ephemeral, handlers.Section{Text: c.unknownPlaceText(q.place)})
	}
	if order == storage.OrderFederal && j.Code != storage.FederalCode {
		// Federal members have no province: "Ontario — Federal: no
		// member yet" would wrongly suggest a gap.
		return c.Reply("directory", handlers.Ephemeral, handlers.Section{Text: c.T("directory_federal_elsewhere",
			c.With(map[string]any{"Place": j.Name(c.Lang)}))})
	}
	return s.directory(ctx, c, dirQuery{place: j, order: order, page: page})
}

// takePage removes a trailing "page N" from args. page is 1 without one;
// bad is the offending text when N is not a whole number from 1.
func takePage(args []string) (rest []string, page int, bad string) {
	n := len(args)
	switch {
	case n >= 1 && handlers.Fold(args[n-1]) == "page":
		return nil, 0, args[n-1]
	case n < 2 || handlers.Fold(args[n-2]) != "page":
		return args, 1, ""
	}
	v := strings.TrimRight(args[n-1], "?!. ")
	page, err := strconv.Atoi(v)
	if err != nil || page < 1 {
		return nil, 0, args[n-1]
	}
	return args[:n-2], page, ""
}

// takeOrder parses the place of args, with an order of government as its
// last or first word ("who Ontario municipal") when what remains is still
// a place; order is "" for none.
func takeOrder(args []string) (placeQuery, storage.Order) {
	whole := parsePlaceQuery(strings.Join(args, " "))
	if len(args) < 2 {
		return whole, ""
	}
	for _, i := range []int{len(args) - 1, 0} {
		o, ok := filterOrder(args[i])
		if !ok {
			continue
		}
		rest := slices.Delete(slices.Clone(args), i, i+1)
		q := parsePlaceQuery(strings.Join(rest, " "))
		if _, found := q.match(q.stripped); found && q.place != "" {
			return q, o
		}
	}
	return whole, ""
}

// filterOrder reads an order word that may filter a directory. Words that
// are also part of place names ("Yukon Territory", "Territoire du Yukon")
// do not count.
func filterOrder(word string) (storage.Order, bool) {
	switch w := handlers.Fold(word); w {
	case "province", "territory", "territoire", "city", "ville", "local", "pt", "prov", "fed", "muni":
		return "", false
	case "municipalities", "municipalites":
		return storage.OrderMunicipal, true
	default:
		return orderWord(w)
	}
}

// question answers a directory question that is not a command: "anyone
// from Nunavut?", "y a-t-il quelqu'un du Nunavut ?", or a bare place name.
// It returns false for anything else.
func (s *Feature) question(ctx context.Context, c *call) (handlers.Reply, bool) {
	q := parsePlaceQuery(c.Text())
	if q.place == "" || (q.stripped && !q.cued) {
		return handlers.Reply{}, false
	}
	j, ok := q.match(true)
	if !ok {
		// Only a near miss ("anyone from Saskatchwan?") is surely a place;
		// "anyone up for lunch?" is left to the unknown-command answer.
		if AmbiguousJurisdictions(q.place) == nil && (!q.cued || len(SuggestJurisdictions(q.place)) == 0) {
			return handlers.Reply{}, false
		}
		return c.Reply("error", handlers.Ephemeral, handlers.Section{Text: c.unknownPlaceText(q.place)}), true
	}
	return s.directory(ctx, c, dirQuery{place: j, page: 1}), true
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
	for len(words) > 0 && isQuestionWord(words[0].fold) && !abbreviationAt(text, words[0]) {
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

// abbreviationAt reports whether w is one letter followed by a period: the
// start of a dotted abbreviation such as « T.N.-O. » or « T.-N.-L. », not
// the « t » of « y a-t-il ».
func abbreviationAt(text string, w wordSpan) bool {
	return utf8.RuneCountInString(w.fold) == 1 && strings.HasPrefix(text[w.end:], ".")
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
			out = append(out, wordSpan{handlers.Fold(text[start:i]), start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, wordSpan{handlers.Fold(text[start:]), start, len(text)})
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
	if js := AmbiguousJurisdictions(place); js != nil {
		codes := make([]string, len(js))
		for i, j := range js {
			codes[i] = j.Code
		}
		return c.T("error_place_ambiguous", c.suggestionArgs(map[string]any{"Place": place}, codes))
	}
	sugg := SuggestJurisdictions(place)
	if len(sugg) == 0 {
		return c.T("error_place_unknown", c.With(map[string]any{"Place": place}))
	}
	names := make([]string, len(sugg))
	for i, j := range sugg {
		names[i] = c.Place(j.Code, handlers.PlaceThe)
	}
	return c.T("error_place_suggest", c.With(map[string]any{"Place": place,
		"Suggestions": strings.Join(names, c.T("list_or", nil))}))
}

// dirQuery is one directory page: a jurisdiction, optionally one order of
// government, and a page number from 1.
type dirQuery struct {
	place storage.Jurisdiction
	order storage.Order // "" for all
	page  int
}

// directory lists a page of q's active members, grouped by order of
// government, and says how to see the next page.
func (s *Feature) directory(ctx context.Context, c *call, q dirQuery) handlers.Reply {
	f := storage.MemberFilter{Jurisdiction: &q.place.Code}
	if q.order != "" {
		f.Order = &q.order
	}
	all, total, err := s.store.FindMembers(ctx, f)
	if err != nil {
		return c.Fail(err)
	}
	place := c.dirPlace(q)
	showEmail := s.opts.ShowEmails || c.Coordinator
	lengths := make([]int, len(all))
	for i, m := range all {
		lengths[i] = handlers.TextLen(c.directoryLine(m, showEmail))
	}
	starts := pageStarts(lengths)
	pages := len(starts)
	switch {
	case total == 0:
		return c.Reply("directory", handlers.Ephemeral, handlers.Section{Text: c.T("directory_empty", c.With(map[string]any{"Place": place}))})
	case q.page > pages:
		return c.Reply("error", handlers.Ephemeral, handlers.Section{Text: c.Count("directory_page_out", pages,
			map[string]any{"Place": place, "Page": c.Num(q.page), "Last": c.nextPage(q, pages)})})
	}
	end := len(all)
	if q.page < pages {
		end = starts[q.page]
	}
	ms := all[starts[q.page-1]:end]
	blocks := []handlers.Block{handlers.Header{Text: c.Count("directory_title", total, map[string]any{"Place": place})}}
	blocks = append(blocks, c.directoryGroups(ms, showEmail)...)
	if pages > 1 {
		blocks = append(blocks, handlers.Context{Text: c.T("directory_page", map[string]any{"Page": c.Num(q.page), "Pages": c.Num(pages)})},
			c.pageButtons(q, pages))
	}
	if rest := total - end; rest > 0 {
		blocks = append(blocks, handlers.Context{Text: c.Count("directory_more", rest, map[string]any{"Next": c.nextPage(q, q.page+1)})})
	}
	return c.Reply("directory", handlers.Ephemeral, blocks...)
}

// pageButtons move to the previous and next pages of q.
func (c *call) pageButtons(q dirQuery, pages int) handlers.Actions {
	var bs []handlers.Button
	if q.page > 1 {
		bs = append(bs, handlers.Button{ActionID: "directory_page", Label: c.T("directory_previous", nil), Value: q.value(q.page - 1)})
	}
	if q.page < pages {
		bs = append(bs, handlers.Button{ActionID: "directory_page", Label: c.T("directory_next", nil), Value: q.value(q.page + 1),
			Style: handlers.StylePrimary})
	}
	return handlers.Actions{Buttons: bs}
}

// value is the button value for page n of q: "ON|municipal|3".
func (q dirQuery) value(n int) string {
	return q.place.Code + "|" + string(q.order) + "|" + strconv.Itoa(n)
}

// actPage answers a click on a page button with that page, in place of the
// message clicked.
func (s *Feature) actPage(ctx context.Context, c *call, value string) handlers.Reply {
	parts := strings.Split(value, "|")
	if len(parts) != 3 {
		return c.ErrorReply("error_unknown_action", nil)
	}
	j, ok := storage.JurisdictionByCode(parts[0])
	page, err := strconv.Atoi(parts[2])
	order := storage.Order(parts[1])
	if !ok || err != nil || page < 1 || (order != "" && !slices.Contains(storage.Orders[:], order)) {
		return c.ErrorReply("error_unknown_action", nil)
	}
	r := s.directory(ctx, c, dirQuery{place: j, order: order, page: page})
	r.Replace = r.Kind == "directory"
	return r
}

// directoryGroups lists ms under a header per order of government.
func (c *call) directoryGroups(ms []*storage.Member, showEmail bool) []handlers.Block {
	var blocks []handlers.Block
	for _, o := range storage.Orders {
		var lines []string
		for _, m := range ms {
			if m.Order == o {
				lines = append(lines, "• "+c.directoryLine(m, showEmail))
			}
		}
		if len(lines) > 0 {
			blocks = append(blocks, handlers.Header{Text: c.T("order_group_"+string(o), nil)}, handlers.Section{Text: strings.Join(lines, "\n")})
		}
	}
	return blocks
}

// dirPlace names q's place, with its order when the directory is filtered:
// "Ontario — Municipal".
func (c *call) dirPlace(q dirQuery) string {
	place := q.place.Name(c.Lang)
	if q.order == "" {
		return place
	}
	return c.T("directory_place_order", map[string]any{"Place": place, "Order": c.T("order_group_"+string(q.order), nil)})
}

// nextPage is the command that shows page n of q, in the call's language.
func (c *call) nextPage(q dirQuery, n int) string {
	order := ""
	if q.order != "" {
		order = c.T("order_word_"+string(q.order), nil)
	}
	return c.T("directory_command", c.With(map[string]any{"Place": q.place.Code, "Order": order, "Page": n}))
}

// directoryLine is "Name — Title, Organization · email": punctuation only,
// the same in both languages. Coordinators also see the member number
// that `coordinator link` takes.
func (c *call) directoryLine(m *storage.Member, showEmail bool) string {
	line := handlers.User(m.Name) + " — "
	if m.Title != "" {
		line += handlers.User(m.Title) + ", "
	}
	line += handlers.User(m.OrganizationIn(c.Lang))
	if showEmail && m.Email != "" {
		line += " · " + m.Email
	}
	if c.Coordinator {
		line += " · " + c.T("member_number", map[string]any{"ID": m.ID})
	}
	return line
}
