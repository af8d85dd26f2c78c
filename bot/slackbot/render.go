package slackbot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

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
	maxFallbackChars = 40000
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

// escape makes plain text safe inside a mrkdwn text object.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// mrkdwn is a mrkdwn text object with verbatim set, so that Slack does not
// auto-link channel names or parse "@here" in user-supplied text.
func mrkdwn(escaped string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: escaped, Verbatim: true}
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// render turns a neutral Reply into Block Kit blocks and the escaped
// fallback text (notifications, screen readers). limit is the most blocks
// the surface accepts; a reply that would exceed it, or has no blocks, is
// sent as its Text split into sections, so nothing is silently dropped.
func render(r handlers.Reply, limit int) ([]slack.Block, string) {
	rd := renderer{used: map[string]int{}}
	var blocks []slack.Block
	for _, b := range r.Blocks {
		blocks = append(blocks, rd.block(b)...)
	}
	text := r.Text
	if text == "" {
		text = plainText(r.Lang, r.Blocks)
	}
	if len(blocks) > limit || len(blocks) == 0 {
		blocks = textSections(text, limit)
	}
	return blocks, truncEscaped(escape(text), maxFallbackChars)
}

// renderer keeps per-message state: the action ids already used.
type renderer struct {
	used  map[string]int
	links int
}

func (rd *renderer) block(b handlers.Block) []slack.Block {
	switch b := b.(type) {
	case handlers.Header:
		if strings.TrimSpace(b.Text) == "" {
			return nil
		}
		return []slack.Block{slack.NewHeaderBlock(plain(truncate(b.Text, maxHeaderChars)))}
	case handlers.Section:
		return section(b)
	case handlers.Actions:
		return rd.actions(b)
	case handlers.Context:
		if strings.TrimSpace(b.Text) == "" {
			return nil
		}
		return []slack.Block{slack.NewContextBlock("", mrkdwn(truncEscaped(escape(b.Text), maxContextChars)))}
	case handlers.Divider:
		return []slack.Block{slack.NewDividerBlock()}
	case handlers.Time:
		return []slack.Block{slack.NewSectionBlock(mrkdwn(timeText(b)), nil, nil)}
	}
	return nil
}

// section renders text split at Slack's 3000-character cap, then the fields
// ten per section.
func section(s handlers.Section) []slack.Block {
	var out []slack.Block
	for _, chunk := range splitEscaped(escape(s.Text), maxSectionChars) {
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	for i := 0; i < len(s.Fields); i += maxFields {
		var fields []*slack.TextBlockObject
		for _, f := range s.Fields[i:min(i+maxFields, len(s.Fields))] {
			fields = append(fields, mrkdwn(fieldText(f)))
		}
		out = append(out, slack.NewSectionBlock(nil, fields, nil))
	}
	return out
}

// fieldText is "*Label*\nValue"; Slack rejects empty text, hence the dash.
func fieldText(f handlers.Field) string {
	v := escape(f.Value)
	if strings.TrimSpace(v) == "" {
		v = "—"
	}
	if f.Label == "" {
		return truncEscaped(v, maxFieldChars)
	}
	label := "*" + escape(strings.ReplaceAll(f.Label, "*", "")) + "*\n"
	return label + truncEscaped(v, maxFieldChars-len([]rune(label)))
}

func (rd *renderer) actions(a handlers.Actions) []slack.Block {
	var out []slack.Block
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
		plain(truncate(b.Label, maxButtonText)))
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

// textSections renders plain text as at most limit sections.
func textSections(text string, limit int) []slack.Block {
	var out []slack.Block
	for _, chunk := range splitEscaped(escape(text), maxSectionChars) {
		if len(out) == limit {
			break
		}
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	return out
}

// plainText derives a fallback from the blocks when a reply has no Text.
func plainText(lang string, blocks []handlers.Block) string {
	var lines []string
	for _, b := range blocks {
		switch b := b.(type) {
		case handlers.Header:
			lines = append(lines, b.Text)
		case handlers.Section:
			lines = append(lines, b.Text)
			for _, f := range b.Fields {
				lines = append(lines, handlers.FieldLine(lang, f.Label, f.Value))
			}
		case handlers.Context:
			lines = append(lines, b.Text)
		case handlers.Time:
			lines = append(lines, b.Prefix+b.Fallback)
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// truncEscaped truncates escaped mrkdwn without cutting an &entity; in half.
func truncEscaped(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := entitySafe(r, n-1)
	return string(r[:cut]) + "…"
}

// splitEscaped splits escaped mrkdwn into chunks of at most n characters,
// preferring line breaks, then spaces, and never splitting an entity.
// Empty or blank text yields no chunk.
func splitEscaped(s string, n int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	var out []string
	r := []rune(s)
	for len(r) > n {
		cut := breakPoint(r[:n])
		out = append(out, strings.TrimRight(string(r[:cut]), " \n"))
		r = trimBreaks(r[cut:])
	}
	if len(r) > 0 {
		out = append(out, string(r))
	}
	return out
}

// trimBreaks drops the spaces and newlines a chunk starts with.
func trimBreaks(r []rune) []rune {
	for len(r) > 0 && (r[0] == ' ' || r[0] == '\n') {
		r = r[1:]
	}
	return r
}

// breakPoint picks where to cut r (already at most the limit long): the last
// newline or space in its second half, else the end, moved off any entity.
func breakPoint(r []rune) int {
	for _, sep := range []rune{'\n', ' '} {
		for i := len(r) - 1; i > len(r)/2; i-- {
			if r[i] == sep {
				return i + 1
			}
		}
	}
	return entitySafe(r, len(r))
}

// entitySafe moves cut back before an "&…;" entity it would split. The
// escaped text holds '&' only as an entity start, and entities are at most
// five characters long ("&amp;").
func entitySafe(r []rune, cut int) int {
	for i := cut - 1; i >= 0 && i > cut-5; i-- {
		if r[i] == ';' {
			return cut
		}
		if r[i] == '&' {
			return i
		}
	}
	return cut
}
