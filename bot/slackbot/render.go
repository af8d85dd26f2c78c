package slackbot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"copbot/bot/internal/replytext"
	"copbot/handlers"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxHeaderChars   = 150
	maxSectionChars  = 3000
	maxFieldChars    = 2000
	maxFields        = 10
	maxContextChars  = 3000
	maxButtons       = 25
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxActionID      = 255
	maxURL           = 3000
	// maxFallbackChars is where Slack cuts a message's text.
	maxFallbackChars = 40000
	// maxMessageChars is the text all blocks of one message may hold:
	// Slack answers msg_blocks_too_long past "12,000 text characters with
	// a buffer for block containers" (slackapi/bolt-js #2509). Each block
	// counts blockOverhead more for its container; with it, every message
	// measured in slackapi/bolt-js #2867 is classed as Slack classed it.
	maxMessageChars = 12000
	blockOverhead   = 40
	// maxSummaryChars bounds the text of a message whose blocks could not
	// hold the whole reply: the beginning, then the note naming the file.
	maxSummaryChars = 3000
)

// surface is where blocks go: a message, or a view (App Home, modal),
// which takes more blocks and has no documented total.
type surface struct {
	blocks int
	chars  int // 0: no limit on the total
}

var (
	messageSurface = surface{blocks: maxMessageBlocks, chars: maxMessageChars}
	viewSurface    = surface{blocks: maxViewBlocks}
)

// linkActionPrefix marks the action_id of a link button. Slack still sends
// block_actions when one is clicked; those are not routed to the service.
const linkActionPrefix = "copbot_link_"

// actionSep separates an ActionID from the counter the renderer appends when
// one message holds the same ActionID twice (Slack requires unique ids).
const actionSep = "#"

// mrkdwnEscaper escapes the three characters Slack's mrkdwn treats as
// control characters. With them escaped, user text can never form a
// <@mention>, <!here> or <link>.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// userEscaper also neutralizes, in what people typed, the characters
// mrkdwn reads as formatting. Slack documents no escape for them (only
// &, < and >; a backslash does not escape), so each is written as the
// character that looks like it: a name full of *, _, ~ or backticks shows
// as typed instead of turning into bold, italics, strike-through or a
// code block running over the rest of the message.
var userEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;",
	"*", "\u2217", "_", "\u02cd", "~", "\u223c", "`", "\u02cb")

// escape makes a reply's text safe inside a mrkdwn text object: the
// catalog's formatting (`code` spans) renders, and user text (marked by
// handlers.User) shows as typed.
func escape(s string) string {
	spans := handlers.Spans(s)
	if len(spans) == 1 && !spans[0].User {
		return mrkdwnEscaper.Replace(spans[0].Text) // s itself when nothing needs escaping
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, sp := range spans {
		if sp.User {
			b.WriteString(userEscaper.Replace(sp.Text))
		} else {
			b.WriteString(mrkdwnEscaper.Replace(sp.Text))
		}
	}
	return b.String()
}

// mrkdwn is a mrkdwn text object with verbatim set, so that Slack does not
// auto-link channel names or parse "@here" in user-supplied text.
func mrkdwn(escaped string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: escaped, Verbatim: true}
}

// plain is a plain_text object, which Slack shows as it is: user text
// needs no more than its marks taken out.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, handlers.Unmark(s), false, false)
}

// rendered is a reply as one Slack message or view. When the reply does
// not fit, blocks hold its beginning and end with a note naming overflow,
// a file with the whole reply as text, which the adapter sends with the
// message: nothing is cut without a word.
type rendered struct {
	blocks   []slack.Block
	text     string
	overflow *handlers.File
}

// files are the documents to hand over with the message: the reply's own
// (a report, an export), then the overflow.
func (m rendered) files(r handlers.Reply) []*handlers.File {
	var out []*handlers.File
	for _, f := range []*handlers.File{r.File, m.overflow} {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// render turns a neutral Reply into Block Kit within s's limits and the
// escaped fallback text (notifications, screen readers). note writes the
// overflow note, translated, naming the file.
//
// Every block is within its own limits without losing text: long text is
// split into several sections, an over-long header or field becomes a
// section, a button label that does not fit is also written out in full.
// A reply with too many blocks has its paragraphs merged; if that is
// still too much, it overflows.
func render(r handlers.Reply, s surface, note func(file string) string) rendered {
	rd := renderer{used: map[string]int{}}
	var blocks []slack.Block
	for _, b := range r.Blocks {
		blocks = append(blocks, rd.block(b)...)
	}
	text := replytext.Text(r)
	if len(blocks) == 0 {
		blocks = textSections(text)
	}
	if !s.fits(blocks) {
		blocks = mergeSections(blocks)
	}
	escText := escape(text)
	if s.fits(blocks) && utf8.RuneCountInString(escText) <= maxFallbackChars {
		return rendered{blocks: blocks, text: escText}
	}
	return overflow(r, text, blocks, s, note)
}

// overflow keeps the blocks that fit with the note, and makes the whole
// reply a text file.
func overflow(r handlers.Reply, text string, blocks []slack.Block, s surface, note func(string) string) rendered {
	f := replytext.File(r)
	noteText := escape(note(f.Name))
	nb := slack.NewContextBlock("", mrkdwn(noteText))
	var kept []slack.Block
	used := blockChars(nb)
	for _, b := range blocks {
		n := blockChars(b)
		if len(kept)+2 > s.blocks || s.chars > 0 && used+n > s.chars {
			break
		}
		kept, used = append(kept, b), used+n
	}
	summary := truncEscaped(escape(prefix(text, maxSummaryChars)), maxSummaryChars-utf8.RuneCountInString(noteText)-2)
	return rendered{blocks: append(kept, nb), text: summary + "\n\n" + noteText, overflow: f}
}

// prefix is at most the first n characters of s.
func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// fits reports whether blocks are within the surface's limits.
func (s surface) fits(blocks []slack.Block) bool {
	if len(blocks) > s.blocks {
		return false
	}
	if s.chars == 0 {
		return true
	}
	n := 0
	for _, b := range blocks {
		n += blockChars(b)
	}
	return n <= s.chars
}

// blockChars is what a block counts towards maxMessageChars: the
// characters of all its text, and its container.
func blockChars(b slack.Block) int {
	n := blockOverhead
	count := func(t *slack.TextBlockObject) {
		if t != nil {
			n += utf8.RuneCountInString(t.Text)
		}
	}
	switch b := b.(type) {
	case *slack.HeaderBlock:
		count(b.Text)
	case *slack.SectionBlock:
		count(b.Text)
		for _, f := range b.Fields {
			count(f)
		}
	case *slack.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				count(t)
			}
		}
	case *slack.ActionBlock:
		for _, e := range b.Elements.ElementSet {
			if btn, ok := e.(*slack.ButtonBlockElement); ok {
				count(btn.Text)
			}
		}
	}
	return n
}

// mergeSections joins runs of text-only sections into as few sections as
// their 3000-character cap allows, keeping everything else in place.
func mergeSections(blocks []slack.Block) []slack.Block {
	var out []slack.Block
	var run []string
	flush := func() {
		for _, chunk := range splitEscaped(strings.Join(run, "\n"), maxSectionChars) {
			out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
		run = nil
	}
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil && s.Text.Type == slack.MarkdownType &&
			len(s.Fields) == 0 && s.Accessory == nil {
			run = append(run, s.Text.Text)
			continue
		}
		flush()
		out = append(out, b)
	}
	flush()
	return out
}

// renderer keeps per-message state: the action ids already used.
type renderer struct {
	used  map[string]int
	links int
}

func (rd *renderer) block(b handlers.Block) []slack.Block {
	switch b := b.(type) {
	case handlers.Header:
		return header(b.Text)
	case handlers.Section:
		return section(b)
	case handlers.Actions:
		return rd.actions(b)
	case handlers.Context:
		var out []slack.Block
		for _, chunk := range splitEscaped(escape(b.Text), maxContextChars) {
			out = append(out, slack.NewContextBlock("", mrkdwn(chunk)))
		}
		return out
	case handlers.Divider:
		return []slack.Block{slack.NewDividerBlock()}
	case handlers.Time:
		return []slack.Block{slack.NewSectionBlock(mrkdwn(timeText(b)), nil, nil)}
	}
	return nil
}

// header is a header block, or, for a title longer than a header takes, a
// section holding it whole.
func header(text string) []slack.Block {
	text = strings.TrimSpace(handlers.Unmark(text))
	if text == "" {
		return nil
	}
	if utf8.RuneCountInString(text) <= maxHeaderChars {
		return []slack.Block{slack.NewHeaderBlock(plain(text))}
	}
	var out []slack.Block
	for _, chunk := range splitEscaped(text, maxSectionChars) {
		out = append(out, slack.NewSectionBlock(plain(chunk), nil, nil))
	}
	return out
}

// section renders text split at Slack's 3000-character cap, then the fields
// ten per section; a field too long for one is a section of its own.
func section(s handlers.Section) []slack.Block {
	var out []slack.Block
	for _, chunk := range splitEscaped(escape(s.Text), maxSectionChars) {
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	var fields []*slack.TextBlockObject
	flush := func() {
		if len(fields) > 0 {
			out = append(out, slack.NewSectionBlock(nil, fields, nil))
			fields = nil
		}
	}
	for _, f := range s.Fields {
		text := fieldText(f)
		if utf8.RuneCountInString(text) > maxFieldChars {
			flush()
			for _, chunk := range splitEscaped(text, maxSectionChars) {
				out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
			}
			continue
		}
		if fields = append(fields, mrkdwn(text)); len(fields) == maxFields {
			flush()
		}
	}
	flush()
	return out
}

// fieldText is "*Label*\nValue"; Slack rejects empty text, hence the dash.
func fieldText(f handlers.Field) string {
	v := escape(f.Value)
	if strings.TrimSpace(v) == "" {
		v = "—"
	}
	if f.Label == "" {
		return v
	}
	return "*" + escape(strings.ReplaceAll(f.Label, "*", "")) + "*\n" + v
}

// actions renders buttons 25 to a row. Labels longer than a button takes
// are shortened on the button and written out whole in a section above.
func (rd *renderer) actions(a handlers.Actions) []slack.Block {
	var out []slack.Block
	var long []string
	for _, b := range a.Buttons {
		if handlers.TextLen(b.Label) > maxButtonText {
			long = append(long, "• "+escape(b.Label))
		}
	}
	if len(long) > 0 {
		for _, chunk := range splitEscaped(strings.Join(long, "\n"), maxSectionChars) {
			out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	for i := 0; i < len(a.Buttons); i += maxButtons {
		var els []slack.BlockElement
		for _, b := range a.Buttons[i:min(i+maxButtons, len(a.Buttons))] {
			els = append(els, rd.button(b))
		}
		out = append(out, slack.NewActionBlock("", els...))
	}
	return out
}

func (rd *renderer) button(b handlers.Button) *slack.ButtonBlockElement {
	btn := slack.NewButtonBlockElement(rd.actionID(b), truncate(b.Value, maxButtonValue),
		plain(truncate(handlers.Unmark(b.Label), maxButtonText)))
	if b.URL != "" {
		btn.URL = truncate(b.URL, maxURL)
	}
	switch b.Style {
	case handlers.StylePrimary:
		btn.Style = slack.StylePrimary
	case handlers.StyleDanger:
		btn.Style = slack.StyleDanger
	}
	return btn
}

// actionID returns a message-unique action_id: the ActionID itself the first
// time, then ActionID#2, #3… (routeAction strips the suffix).
func (rd *renderer) actionID(b handlers.Button) string {
	if b.URL != "" || b.ActionID == "" {
		rd.links++
		return linkActionPrefix + strconv.Itoa(rd.links)
	}
	id := truncate(b.ActionID, maxActionID-4)
	rd.used[id]++
	if n := rd.used[id]; n > 1 {
		return id + actionSep + strconv.Itoa(n)
	}
	return id
}

// routeAction maps a clicked action_id back to the ActionID the service
// registered; ok is false for link buttons, which route nowhere.
func routeAction(actionID string) (id string, ok bool) {
	if strings.HasPrefix(actionID, linkActionPrefix) {
		return "", false
	}
	id, _, _ = strings.Cut(actionID, actionSep)
	return id, true
}

// timeText renders a Time with Slack's date token, which each reader sees
// in their own time zone; the fallback is the community-zone time.
func timeText(t handlers.Time) string {
	fallback := strings.ReplaceAll(escape(t.Fallback), "|", "/")
	return fmt.Sprintf("%s<!date^%d^{date_long_pretty} {time}|%s>", escape(t.Prefix), t.Unix, fallback)
}

// textSections renders plain text as sections.
func textSections(text string) []slack.Block {
	var out []slack.Block
	for _, chunk := range splitEscaped(escape(text), maxSectionChars) {
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	return out
}
