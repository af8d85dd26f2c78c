package polls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// A poll is posted once per platform to a channel read in both languages.
// Its question and options are user text, in one language or in both
// ("Theme for March? / Thème de mars ?", see bilingual.go); the card shows
// them as typed. Everything copbot writes on it follows one rule: the
// channel is bilingual, so each option's count and everything around the
// options (turnout, deadline, how to vote) is written in English, then in
// French, as federal communications are. The card draws no bars: a screen
// reader spells glyph bars out one by one, while "3 votes, 60%" reads
// well to everyone. The result post has no user controls and is a plain
// Bilingual reply.

// pollView is what a poll card needs besides the poll: the turnout,
// counted over active members only (see storage.DB.PollTurnout). ok is
// false when it could not be read; the turnout is then left out.
type pollView struct {
	Voters  int // active members who voted
	Members int // active members
	ok      bool
	// Meeting is the meeting whose theme an open poll decides, nil when
	// there is none or it could not be read (the card then names it by
	// number only).
	Meeting *storage.Meeting
}

// pollCard renders the live poll message for the channel. The deadline is
// written once per language, in the small print.
func (f *Feature) pollCard(p *storage.Poll, v pollView) handlers.Reply {
	en, fr := f.langCall("en"), f.langCall("fr")
	d := map[string]any{"ID": p.ID}
	blocks := handlers.Title(handlers.User(p.Question), en.T("poll_number", d)+" / "+fr.T("poll_number", d))
	for _, l := range pollLines(p) {
		blocks = append(blocks, handlers.Section{Text: fmt.Sprintf("%d. %s\n%s / %s", l.Position, handlers.User(l.Label),
			en.pollCount(l), fr.pollCount(l))})
	}
	if p.Open() {
		blocks = append(blocks, f.pollButtons(p, handlers.User)...)
	}
	blocks = append(blocks, handlers.Context{Text: en.pollChrome(p, v)}, handlers.Context{Text: fr.pollChrome(p, v)})
	return handlers.Reply{Kind: "poll", Visibility: handlers.InChannel, Lang: "en+fr", Blocks: blocks, Text: handlers.BlocksText("en", blocks)}
}

// pollChrome is the small print of a card in the call's language: number,
// turnout, state, rules and how to vote without buttons.
func (c *call) pollChrome(p *storage.Poll, v pollView) string {
	d := c.With(map[string]any{"ID": p.ID, "Max": p.MaxVotes})
	parts := []string{c.T("poll_number", d)}
	if t := c.pollTurnout(v); t != "" {
		parts = append(parts, t)
	}
	if !p.Open() {
		parts = append(parts, c.T("poll_state_closed", nil), c.pollResult(p))
		return strings.Join(parts, c.PartSep())
	}
	if !p.ClosesAt.IsZero() {
		parts = append(parts, c.T("poll_closes", map[string]any{"When": c.pollWhen(p.ClosesAt)}))
	}
	if p.MaxVotes > 1 {
		parts = append(parts, c.N("poll_choose_up_to", p.MaxVotes, d))
	}
	if p.Anonymous {
		parts = append(parts, c.T("poll_anonymous_note", nil))
	}
	if p.AllowMemberOptions {
		parts = append(parts, c.T("poll_open_options_note", d))
	}
	parts = append(parts, c.pollPromises(p, v)...)
	key := "poll_how_to_vote"
	if p.Anonymous && p.MaxVotes > 1 {
		key = "poll_how_to_vote_ballot"
	}
	return strings.Join(append(parts, c.T(key, d)), c.PartSep())
}

// pollPromises are what an open poll will do besides counting: set a
// meeting's theme, remind those who have not voted. Voters should know
// before they vote.
func (c *call) pollPromises(p *storage.Poll, v pollView) []string {
	var out []string
	if p.MeetingID != 0 {
		d := map[string]any{"ID": p.MeetingID}
		if v.Meeting != nil && c.s.meetings != nil {
			d["Title"] = c.pollQuote(c.s.meetings.Title(c.Call, v.Meeting))
		}
		out = append(out, c.T("poll_meeting_note", d))
	}
	if p.RemindBefore > 0 && !p.ClosesAt.IsZero() {
		out = append(out, c.T("poll_remind_note", map[string]any{"Delay": c.pollDelay(p.RemindBefore)}))
	}
	return out
}

// pollDelay writes a delay in the largest whole unit: "2 days", "36 h",
// "90 min". A single day stays "24 h", as people type and say it.
func (c *call) pollDelay(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%day == 0 && d > day:
		return c.N("poll_delay_days", int(d/day), nil)
	case d%time.Hour == 0:
		return c.N("poll_delay_hours", int(d/time.Hour), nil)
	case d%time.Minute == 0:
		return c.N("poll_delay_minutes", int(d/time.Minute), nil)
	}
	return c.N("poll_delay_seconds", int(d.Round(time.Second)/time.Second), nil)
}

// pollButtons are one button per option, or for an anonymous
// multiple-choice poll a single button that opens the ballot form. show
// writes an option's text: whole on the channel's bilingual card
// (handlers.User), the reader's half for one person (Call.Own).
func (f *Feature) pollButtons(p *storage.Poll, show func(string) string) []handlers.Block {
	if p.Anonymous && p.MaxVotes > 1 {
		label := f.tr.T("en", "poll_ballot_button", nil) + " / " + f.tr.T("fr", "poll_ballot_button", nil)
		return []handlers.Block{handlers.Actions{Buttons: []handlers.Button{{ActionID: "poll_ballot", Label: label,
			Value: fmt.Sprint(p.ID), Style: handlers.StylePrimary}}}}
	}
	var rows []handlers.Block
	var row []handlers.Button
	labels := pollButtonLabels(p, show)
	for i, o := range p.Options {
		row = append(row, handlers.Button{ActionID: "poll_vote", Label: labels[i],
			Value: fmt.Sprintf("%d:%d", p.ID, o.ID)})
		if len(row) == 5 {
			rows, row = append(rows, handlers.Actions{Buttons: row}), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, handlers.Actions{Buttons: row})
	}
	return rows
}

// maxButtonLabel is the longest button label every platform shows whole
// (Slack's cap).
const maxButtonLabel = 75

// pollButtonLabel is "N. label", an option as its number and its text as
// show writes it.
func pollButtonLabel(o storage.PollOption, show func(string) string) string {
	return fmt.Sprintf("%d. %s", o.Position, show(o.Label))
}

// pollButtonLabels are the vote buttons' labels: "N. label" when every one
// fits a button, else the numbers alone, as the card lists each option
// whole above its button. No label is ever cut.
func pollButtonLabels(p *storage.Poll, show func(string) string) []string {
	labels := make([]string, len(p.Options))
	short := false
	for i, o := range p.Options {
		labels[i] = pollButtonLabel(o, show)
		short = short || handlers.TextLen(labels[i]) > maxButtonLabel
	}
	if short {
		for i, o := range p.Options {
			labels[i] = fmt.Sprint(o.Position)
		}
	}
	return labels
}

// pollResultReply is the closing announcement, in both languages. meeting
// is the linked meeting when the poll just set its theme.
func (f *Feature) pollResultReply(p *storage.Poll, v pollView, meeting *storage.Meeting) handlers.Reply {
	one := func(lang string) handlers.Reply {
		c := f.langCall(lang)
		blocks := []handlers.Block{handlers.Header{Text: c.T("poll_result_header", map[string]any{"ID": p.ID})},
			handlers.Section{Text: c.pollQuote(p.Question)}}
		var lines []string
		for _, l := range pollLines(p) {
			lines = append(lines, handlers.FieldLine(c.Lang, fmt.Sprintf("%d. %s", l.Position, c.Own(l.Label)), c.pollCount(l)))
		}
		blocks = append(blocks, handlers.Section{Text: strings.Join(lines, "\n")}, handlers.Section{Text: c.pollResult(p)})
		if t := c.pollTurnout(v); t != "" {
			blocks = append(blocks, handlers.Context{Text: t})
		}
		switch {
		case meeting != nil:
			blocks = append(blocks, handlers.Context{Text: c.T("poll_theme_set", map[string]any{
				"ID": meeting.ID, "Theme": c.pollQuote(meeting.Theme)})})
		case p.MeetingID != 0 && len(pollWinners(p.Options)) > 1:
			blocks = append(blocks, handlers.Context{Text: c.T("poll_theme_tie", map[string]any{"ID": p.MeetingID})})
		}
		return c.Reply("poll_result", handlers.InChannel, blocks...)
	}
	return handlers.Bilingual(one("en"), one("fr"))
}

// pollView reads what a card needs besides the poll.
func (f *Feature) pollView(ctx context.Context, p *storage.Poll) pollView {
	t, err := f.store.PollTurnout(ctx, p.ID)
	if err != nil {
		f.log.Warn("poll turnout", "poll", p.ID, "err", err)
	}
	return f.pollViewOf(ctx, p, t, err == nil)
}

// pollSnapshot reads a poll and its turnout in one transaction, so that a
// card's counts and footer agree (a quick vote and unvote between two
// reads once showed "1 vote" beside "No votes yet").
func (f *Feature) pollSnapshot(ctx context.Context, id int64) (*storage.Poll, pollView, error) {
	p, t, err := f.store.PollWithTurnout(ctx, id)
	if err != nil {
		return nil, pollView{}, err
	}
	return p, f.pollViewOf(ctx, p, t, true), nil
}

// pollViewOf completes a view from a turnout already read (ok false: it
// could not be).
func (f *Feature) pollViewOf(ctx context.Context, p *storage.Poll, t storage.Turnout, ok bool) pollView {
	var v pollView
	if ok {
		v = pollView{Voters: t.Voters, Members: t.Members, ok: true}
	}
	if p.MeetingID != 0 && p.Open() {
		m, err := f.store.MeetingByID(ctx, p.MeetingID)
		if err != nil {
			f.log.Warn("poll meeting", "poll", p.ID, "meeting", p.MeetingID, "err", err)
		}
		v.Meeting = m
	}
	return v
}

// pollDetail is a poll shown to one person: the card's content in their
// language, their own choices, and for the creator or a coordinator of a
// poll that is not anonymous, who chose what.
func (c *call) pollDetail(ctx context.Context, p *storage.Poll) handlers.Reply {
	s := c.s
	// Counts and turnout from one snapshot, as on the card.
	snap, view, err := s.pollSnapshot(ctx, p.ID)
	if err == nil {
		p = snap
	} else {
		view = s.pollView(ctx, p)
	}
	blocks := []handlers.Block{handlers.Header{Text: c.Own(p.Question)}}
	var lines []string
	for _, l := range pollLines(p) {
		lines = append(lines, c.pollOptionLine(l))
	}
	blocks = append(blocks, handlers.Section{Text: strings.Join(lines, "\n")})
	if p.Open() {
		blocks = append(blocks, s.pollButtons(p, c.Own)...)
	}
	blocks = append(blocks, handlers.Context{Text: c.pollChrome(p, view)})
	if mine := c.pollMine(ctx, p); mine != "" {
		blocks = append(blocks, handlers.Context{Text: mine})
	}
	if who := c.pollWho(ctx, p); who != "" {
		blocks = append(blocks, handlers.Section{Text: who})
	}
	return c.Reply("poll", handlers.Ephemeral, blocks...)
}

// pollMine says what the asker chose, or that they voted (anonymous).
func (c *call) pollMine(ctx context.Context, p *storage.Poll) string {
	if c.Member == nil {
		return ""
	}
	choices, voted, err := c.s.store.MemberChoices(ctx, p.ID, c.Member.ID)
	switch {
	case err != nil:
		c.s.log.Warn("poll choices", "poll", p.ID, "err", err)
		return ""
	case !voted:
		return c.T("poll_mine_none", nil)
	case p.Anonymous:
		return c.T("poll_mine_anonymous", nil)
	}
	return c.T("poll_mine", map[string]any{"Options": c.pollLabels(p, choices)})
}

// pollLabels quotes the labels of option ids as a list.
func (c *call) pollLabels(p *storage.Poll, ids []int64) string {
	var labels []string
	for _, id := range ids {
		if o, ok := p.Option(id); ok {
			labels = append(labels, c.pollQuote(o.Label))
		}
	}
	return c.AndList(labels)
}

// pollWho lists voters per option for those who manage the poll.
func (c *call) pollWho(ctx context.Context, p *storage.Poll) string {
	if p.Anonymous || !c.pollManager(p) || p.Voters == 0 {
		return ""
	}
	votes, err := c.s.store.PollVotes(ctx, p.ID)
	if err != nil {
		c.s.log.Warn("poll votes", "poll", p.ID, "err", err)
		return ""
	}
	names := map[int64][]string{}
	for _, v := range votes {
		names[v.OptionID] = append(names[v.OptionID], v.MemberName)
	}
	lines := []string{c.T("poll_who_header", nil)}
	for _, o := range p.Options {
		if len(names[o.ID]) > 0 {
			lines = append(lines, fmt.Sprintf("%d. %s", o.Position, strings.Join(names[o.ID], ", ")))
		}
	}
	return strings.Join(lines, "\n")
}

// pollManager reports whether the asker created the poll or coordinates.
func (c *call) pollManager(p *storage.Poll) bool {
	return c.Coordinator || (!c.Req.Identity.IsZero() && c.Req.Identity.Same(p.Creator))
}
