package teamsbot

import (
	"encoding/json"
	"strings"
	"time"

	"copbot/bot/internal/replytext"
	"copbot/handlers"
)

// This file renders neutral replies as Adaptive Cards 1.5, the richest
// version Teams desktop, web and mobile all show.

const (
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardVersion     = "1.5"
	// maxRowActions is how many buttons go in one row; Teams hides actions
	// past the sixth.
	maxRowActions = 5
	// cardTime is the timestamp format Adaptive Card DATE()/TIME() accept.
	cardTime = "2006-01-02T15:04:05Z"
)

// Size limits. Teams takes a bot message of up to 100 KB, measured on its
// JSON in UTF-16 (two bytes a code unit, four for a character outside the
// BMP). activityReserve is kept for what is added to the activity after
// it is rendered: the sender, recipient and conversation, and the
// connector's own fields.
const (
	maxActivityBytes = 100 << 10
	activityReserve  = 6 << 10
	// maxAltChars bounds the card's fallbackText and speak, and the
	// notification summary: the body holds the whole reply.
	maxAltChars = 4000
)

// card is an Adaptive Card. Field order is the JSON order golden files show.
type card struct {
	Type     string     `json:"type"`
	Schema   string     `json:"$schema"`
	Version  string     `json:"version"`
	Lang     string     `json:"lang,omitempty"`
	Fallback string     `json:"fallbackText,omitempty"`
	Speak    string     `json:"speak,omitempty"`
	Body     []*element `json:"body"`
	Actions  []*action  `json:"actions,omitempty"`
	MSTeams  *msteams   `json:"msteams,omitempty"`

	// overflow, when the reply did not fit in one message, is the whole
	// reply as a file; the card's last element names it.
	overflow *handlers.File
}

type msteams struct {
	Width string `json:"width"`
}

// element is any body element; only the fields its type uses are set.
type element struct {
	Type         string    `json:"type"`
	ID           string    `json:"id,omitempty"`
	Text         string    `json:"text,omitempty"`
	Label        string    `json:"label,omitempty"`
	Style        string    `json:"style,omitempty"`
	Size         string    `json:"size,omitempty"`
	Weight       string    `json:"weight,omitempty"`
	Color        string    `json:"color,omitempty"`
	IsSubtle     bool      `json:"isSubtle,omitempty"`
	Wrap         bool      `json:"wrap,omitempty"`
	Separator    bool      `json:"separator,omitempty"`
	Spacing      string    `json:"spacing,omitempty"`
	Facts        []fact    `json:"facts,omitempty"`
	Actions      []*action `json:"actions,omitempty"`
	Placeholder  string    `json:"placeholder,omitempty"`
	Value        string    `json:"value,omitempty"`
	IsMultiline  bool      `json:"isMultiline,omitempty"`
	Choices      []choice  `json:"choices,omitempty"`
	IsRequired   bool      `json:"isRequired,omitempty"`
	ErrorMessage string    `json:"errorMessage,omitempty"`
	Fallback     *element  `json:"fallback,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type choice struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type action struct {
	Type  string            `json:"type"`
	Title string            `json:"title"`
	Verb  string            `json:"verb,omitempty"`
	URL   string            `json:"url,omitempty"`
	Style string            `json:"style,omitempty"`
	Data  map[string]string `json:"data,omitempty"`
}

// renderer turns replies into cards; it needs the translator for the
// adapter's own texts (required-field errors, truncation notes).
type renderer struct {
	tr *handlers.Translator
}

// lang returns the language of the adapter's own texts for a reply.
func lang(r handlers.Reply) string {
	if r.Lang == "fr" {
		return "fr"
	}
	return "en"
}

// newCard starts a card for r. fallbackText is what clients that cannot
// show the card display; speak is what assistive and voice clients read
// aloud: the reply's plain text, which handlers write out in words (no
// glyph bars), without the backticks around commands.
func newCard(r handlers.Reply) *card {
	c := &card{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion,
		Fallback: handlers.Unmark(r.Text), Speak: speakable(r.Text), Body: []*element{}, MSTeams: &msteams{Width: "Full"}}
	if r.Lang == "en" || r.Lang == "fr" {
		c.Lang = r.Lang
	}
	return c
}

// card renders r, or its form when it has one, for a person: a reply too
// long for one message names the file the adapter sends them.
func (rd renderer) card(r handlers.Reply) *card { return rd.render(r, "teams_overflow") }

// channelCard renders r for a channel post, where no file can follow: a
// post too long says where to get all of it.
func (rd renderer) channelCard(r handlers.Reply) *card { return rd.render(r, "teams_overflow_channel") }

func (rd renderer) render(r handlers.Reply, overflowKey string) *card {
	if r.Form != nil {
		return rd.form(r, nil, nil)
	}
	c := newCard(r)
	sep, headers := false, 0
	for _, b := range r.Blocks {
		switch b.(type) {
		case handlers.Divider:
			sep = true
			continue
		case handlers.Header:
			headers++
		}
		els := blockElements(b)
		if _, ok := b.(handlers.Header); ok && headers > 1 && len(els) > 0 {
			els[0].Size = "Medium" // later headers title groups inside the message
		}
		if len(els) > 0 && sep {
			els[0].Separator, els[0].Spacing, sep = true, "Medium", false
		}
		c.Body = append(c.Body, els...)
	}
	if len(c.Body) == 0 && r.Text != "" {
		c.Body = append(c.Body, textBlock(r.Text))
	}
	rd.fit(c, r, overflowKey)
	return c
}

// blockElements renders one block; a block may need several elements.
// A TextBlock must have text: blank headers and small print are left out.
func blockElements(b handlers.Block) []*element {
	switch b := b.(type) {
	case handlers.Header:
		if strings.TrimSpace(b.Text) == "" {
			return nil
		}
		return []*element{{Type: "TextBlock", Text: escapeMD(b.Text), Style: "heading",
			Size: "Large", Weight: "Bolder", Wrap: true}}
	case handlers.Section:
		return sectionElements(b)
	case handlers.Actions:
		return actionRows(b.Buttons)
	case handlers.Context:
		if strings.TrimSpace(b.Text) == "" {
			return nil
		}
		return []*element{{Type: "TextBlock", Text: escapeMD(b.Text), Size: "Small",
			IsSubtle: true, Wrap: true}}
	case handlers.Time:
		return []*element{timeBlock(b)}
	}
	return nil
}

func textBlock(s string) *element {
	return &element{Type: "TextBlock", Text: escapeMD(s), Wrap: true}
}

func sectionElements(s handlers.Section) []*element {
	var els []*element
	if strings.TrimSpace(s.Text) != "" {
		els = append(els, textBlock(s.Text))
	}
	if len(s.Fields) > 0 {
		fs := &element{Type: "FactSet"}
		for _, f := range s.Fields {
			fs.Facts = append(fs.Facts, fact{Title: escapeMD(f.Label), Value: escapeMD(f.Value)})
		}
		els = append(els, fs)
	}
	return els
}

// actionRows splits buttons into ActionSets of at most maxRowActions.
func actionRows(buttons []handlers.Button) []*element {
	var rows []*element
	for i := 0; i < len(buttons); i += maxRowActions {
		row := &element{Type: "ActionSet"}
		for _, b := range buttons[i:min(i+maxRowActions, len(buttons))] {
			row.Actions = append(row.Actions, buttonAction(b))
		}
		rows = append(rows, row)
	}
	return rows
}

func buttonAction(b handlers.Button) *action {
	if b.URL != "" {
		return &action{Type: "Action.OpenUrl", Title: handlers.Unmark(b.Label), URL: b.URL}
	}
	a := &action{Type: "Action.Execute", Title: handlers.Unmark(b.Label), Verb: b.ActionID,
		Data: map[string]string{dataAction: b.ActionID, dataValue: b.Value}}
	switch b.Style {
	case handlers.StylePrimary:
		a.Style = "positive"
	case handlers.StyleDanger:
		a.Style = "destructive"
	}
	return a
}

// timeBlock shows the instant in each reader's zone with the card's DATE and
// TIME functions; hosts that cannot render the element show the community
// zone text instead.
func timeBlock(t handlers.Time) *element {
	ts := time.Unix(t.Unix, 0).UTC().Format(cardTime)
	return &element{Type: "TextBlock", Wrap: true,
		Text:     escapeMD(t.Prefix) + "{{DATE(" + ts + ", LONG)}}, {{TIME(" + ts + ")}}",
		Fallback: textBlock(t.Prefix + t.Fallback)}
}

// fit keeps c within one Teams message. The fallback and spoken texts are
// bounded (the body holds everything); a body still too long keeps the
// elements that fit, then a note naming the file that holds the whole
// reply, which the adapter sends to the reader (see sendFiles). Nothing is
// cut without a word.
func (rd renderer) fit(c *card, r handlers.Reply, noteKey string) {
	c.Fallback = truncate(c.Fallback, maxAltChars)
	c.Speak = truncate(c.Speak, maxAltChars)
	budget := maxActivityBytes - activityReserve
	if utf16Size(message(r, c)) <= budget {
		return
	}
	f := replytext.File(r)
	note := &element{Type: "TextBlock", Color: "Warning", Wrap: true,
		Text: escapeMD(rd.tr.T(lang(r), noteKey, map[string]any{"File": f.Name}))}
	body := c.Body
	c.Body, c.Actions, c.overflow = []*element{note}, nil, f
	base := utf16Size(message(r, c))
	used := base
	for i, e := range body {
		n := utf16Size(e) + 2 // the element, and the comma before it
		if used+n > budget {
			body = body[:i]
			break
		}
		used += n
	}
	c.Body = append(body[:len(body):len(body)], note)
}

// utf16Size is the size Teams measures: the JSON as sent, in UTF-16.
func utf16Size(v any) int {
	b, _ := json.Marshal(v)
	n := 0
	for _, r := range string(b) {
		if r >= 0x10000 {
			n += 4
		} else {
			n += 2
		}
	}
	return n
}

// speakable is text to read aloud: backticks (code marks a voice would
// spell out, and rarely meant as words where people type them) are dropped.
func speakable(s string) string { return strings.ReplaceAll(handlers.Unmark(s), "`", "") }

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

// mdEscaper neutralises the Markdown that TextBlock and FactSet render, so
// that a name like "*Bob*" or "[x](y)" shows as typed. Cards have no code
// style, so the backticks the catalogs put around commands are dropped,
// not shown; the backticks people type (userMDEscaper) are kept, escaped.
var mdEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "",
	`[`, `\[`, `]`, `\]`, `~`, `\~`)

var userMDEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`",
	`[`, `\[`, `]`, `\]`, `~`, `\~`)

// escapeMD makes a reply's text (catalog text, and user text marked by
// handlers.User) safe in a TextBlock or a FactSet.
func escapeMD(s string) string {
	var b strings.Builder
	for _, sp := range handlers.Spans(s) {
		if sp.User {
			b.WriteString(userMDEscaper.Replace(sp.Text))
		} else {
			b.WriteString(mdEscaper.Replace(sp.Text))
		}
	}
	s = b.String()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escapeListStart(l)
	}
	return strings.Join(lines, "\n")
}

// escapeListStart keeps a line that starts like "1. ", "# " or "> " from
// becoming a numbered list, heading or quote. Handlers' "- " and "• "
// bullets are left to render as lists, which is what they mean.
func escapeListStart(l string) string {
	if strings.HasPrefix(l, "#") || strings.HasPrefix(l, ">") {
		return `\` + l
	}
	n := 0
	for n < len(l) && l[n] >= '0' && l[n] <= '9' {
		n++
	}
	if n > 0 && strings.HasPrefix(l[n:], ". ") {
		return l[:n] + `\` + l[n:]
	}
	return l
}
