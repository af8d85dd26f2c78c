package handlers

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"copbot/storage"
)

// A poll is posted once per platform to a channel read in both languages.
// Its question and options are user text in one language (the creator's),
// so the card shows them once, with counts in that language's style, and
// writes everything copbot says around them (turnout, deadline, how to
// vote) twice: English, then French, as federal communications are. The
// result post has no user controls and is a plain Bilingual reply.

// pollView is what a poll card needs besides the poll.
type pollView struct {
	Members int // active members, for turnout
}

// pollCard renders the live poll message for the channel.
func (s *Service) pollCard(p *storage.Poll, v pollView) Reply {
	blocks := []Block{Header{Text: p.Question}}
	lines := pollLines(p)
	var text []string
	for _, l := range lines {
		line := pollOptionLine(s.tr, p.Language, l)
		blocks = append(blocks, Section{Text: line})
		text = append(text, line)
	}
	if p.Open() {
		blocks = append(blocks, s.pollButtons(p)...)
	}
	for _, lang := range []string{"en", "fr"} {
		blocks = append(blocks, Context{Text: s.pollChrome(lang, p, v)})
	}
	if !p.ClosesAt.IsZero() && p.Open() {
		// Platforms that can show each reader's own zone do; the fallback
		// is the community zone, written the same in both languages.
		blocks = append(blocks, Time{Prefix: "⏰ ", Unix: p.ClosesAt.Unix(),
			Fallback: p.ClosesAt.In(s.opts.Location).Format("2006-01-02 15:04 MST")})
	}
	return Reply{Kind: "poll", Visibility: InChannel, Lang: "en+fr", Blocks: blocks, Text: blocksText(blocks)}
}

// pollChrome is the small print of a card in one language: number,
// turnout, state, rules and how to vote without buttons.
func (s *Service) pollChrome(lang string, p *storage.Poll, v pollView) string {
	d := map[string]any{"ID": p.ID, "Slash": s.opts.Command, "Max": p.MaxVotes}
	parts := []string{s.tr.T(lang, "poll_number", d), pollTurnout(s.tr, lang, p.Voters, v.Members)}
	if !p.Open() {
		parts = append(parts, s.tr.T(lang, "poll_state_closed", nil), pollResult(s.tr, lang, p))
		return strings.Join(parts, " · ")
	}
	if !p.ClosesAt.IsZero() {
		parts = append(parts, s.tr.T(lang, "poll_closes", map[string]any{"When": pollWhen(s.tr, lang, p.ClosesAt, s.opts.Location)}))
	}
	if p.MaxVotes > 1 {
		parts = append(parts, s.tr.N(lang, "poll_choose_up_to", p.MaxVotes, d))
	}
	if p.Anonymous {
		parts = append(parts, s.tr.T(lang, "poll_anonymous_note", nil))
	}
	if p.AllowMemberOptions {
		parts = append(parts, s.tr.T(lang, "poll_open_options_note", d))
	}
	key := "poll_how_to_vote"
	if p.Anonymous && p.MaxVotes > 1 {
		key = "poll_how_to_vote_ballot"
	}
	return strings.Join(append(parts, s.tr.T(lang, key, d)), " · ")
}

// pollButtons are one button per option, or for an anonymous
// multiple-choice poll a single button that opens the ballot form.
func (s *Service) pollButtons(p *storage.Poll) []Block {
	if p.Anonymous && p.MaxVotes > 1 {
		label := s.tr.T("en", "poll_ballot_button", nil) + " / " + s.tr.T("fr", "poll_ballot_button", nil)
		return []Block{Actions{Buttons: []Button{{ActionID: "poll_ballot", Label: label,
			Value: fmt.Sprint(p.ID), Style: StylePrimary}}}}
	}
	var rows []Block
	var row []Button
	for _, o := range p.Options {
		row = append(row, Button{ActionID: "poll_vote", Label: pollButtonLabel(o),
			Value: fmt.Sprintf("%d:%d", p.ID, o.ID)})
		if len(row) == 5 {
			rows, row = append(rows, Actions{Buttons: row}), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, Actions{Buttons: row})
	}
	return rows
}

// pollButtonLabel fits "N. label" in a Slack button's 75 characters.
func pollButtonLabel(o storage.PollOption) string {
	l := fmt.Sprintf("%d. %s", o.Position, o.Label)
	if utf8.RuneCountInString(l) <= 75 {
		return l
	}
	return string([]rune(l)[:74]) + "…"
}

// pollResultReply is the closing announcement, in both languages. meeting
// is the linked meeting when the poll just set its theme.
func (s *Service) pollResultReply(p *storage.Poll, v pollView, meeting *storage.Meeting) Reply {
	one := func(lang string) Reply {
		blocks := []Block{Header{Text: s.tr.T(lang, "poll_result_header", map[string]any{"ID": p.ID})},
			Section{Text: pollQuote(s.tr, lang, p.Question)}}
		var lines []string
		for _, l := range pollLines(p) {
			lines = append(lines, pollOptionLine(s.tr, lang, l))
		}
		blocks = append(blocks, Section{Text: strings.Join(lines, "\n")},
			Section{Text: pollResult(s.tr, lang, p)}, Context{Text: pollTurnout(s.tr, lang, p.Voters, v.Members)})
		switch {
		case meeting != nil:
			blocks = append(blocks, Context{Text: s.tr.T(lang, "poll_theme_set", map[string]any{
				"ID": meeting.ID, "Theme": pollQuote(s.tr, lang, meeting.Theme)})})
		case p.MeetingID != 0 && len(pollWinners(p.Options)) > 1:
			blocks = append(blocks, Context{Text: s.tr.T(lang, "poll_theme_tie", map[string]any{"ID": p.MeetingID})})
		}
		return Reply{Kind: "poll_result", Visibility: InChannel, Lang: lang, Blocks: blocks, Text: textIn(lang, blocks)}
	}
	return Bilingual(one("en"), one("fr"))
}

// pollView reads what a card needs besides the poll.
func (s *Service) pollView(ctx context.Context) pollView {
	st, err := s.store.Stats(ctx)
	if err != nil {
		s.log.Warn("poll turnout: stats", "err", err)
	}
	return pollView{Members: st.People}
}

// pollDetail is a poll shown to one person: the card's content in their
// language, their own choices, and for the creator or a coordinator of a
// poll that is not anonymous, who chose what.
func (c *call) pollDetail(ctx context.Context, p *storage.Poll) Reply {
	s := c.s
	blocks := []Block{Header{Text: p.Question}}
	var lines []string
	for _, l := range pollLines(p) {
		lines = append(lines, pollOptionLine(s.tr, c.lang, l))
	}
	blocks = append(blocks, Section{Text: strings.Join(lines, "\n")})
	if p.Open() {
		blocks = append(blocks, s.pollButtons(p)...)
	}
	blocks = append(blocks, Context{Text: s.pollChrome(c.lang, p, s.pollView(ctx))})
	if mine := c.pollMine(ctx, p); mine != "" {
		blocks = append(blocks, Context{Text: mine})
	}
	if who := c.pollWho(ctx, p); who != "" {
		blocks = append(blocks, Section{Text: who})
	}
	return c.reply("poll", Ephemeral, blocks...)
}

// pollMine says what the asker chose, or that they voted (anonymous).
func (c *call) pollMine(ctx context.Context, p *storage.Poll) string {
	if c.member == nil {
		return ""
	}
	choices, voted, err := c.s.store.MemberChoices(ctx, p.ID, c.member.ID)
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
			labels = append(labels, pollQuote(c.s.tr, c.lang, o.Label))
		}
	}
	return pollList(c.s.tr, c.lang, labels)
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
		names[v.OptionID] = append(names[v.OptionID], c.pollMemberName(ctx, v.MemberID))
	}
	lines := []string{c.T("poll_who_header", nil)}
	for _, o := range p.Options {
		if len(names[o.ID]) > 0 {
			lines = append(lines, fmt.Sprintf("%d. %s", o.Position, strings.Join(names[o.ID], ", ")))
		}
	}
	return strings.Join(lines, "\n")
}

func (c *call) pollMemberName(ctx context.Context, id int64) string {
	m, err := c.s.store.MemberByID(ctx, id)
	if err != nil {
		return fmt.Sprintf("#%d", id)
	}
	return m.Name
}

// pollManager reports whether the asker created the poll or coordinates.
func (c *call) pollManager(p *storage.Poll) bool {
	return c.coordinator || (!c.req.Identity.IsZero() && c.req.Identity == p.Creator)
}
