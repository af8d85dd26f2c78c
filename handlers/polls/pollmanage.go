package handlers

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"copbot/storage"
)

// managed loads a poll the asker may manage: its creator or a coordinator.
func (p *pollFeature) managed(ctx context.Context, c *Call, arg string) (*storage.Poll, Reply, bool) {
	poll, r, ok := p.load(ctx, c, arg)
	if !ok {
		return nil, r, false
	}
	if !c.pollManager(poll) {
		return nil, c.ErrorReply("poll_error_manager_only", map[string]any{"ID": poll.ID}), false
	}
	return poll, Reply{}, true
}

// close answers `poll close 7`: closes the poll and posts its result.
func (p *pollFeature) close(ctx context.Context, c *Call, arg string) Reply {
	poll, r, ok := p.managed(ctx, c, arg)
	if !ok {
		return r
	}
	closed, poll, err := p.s.store.ClosePoll(ctx, poll.ID)
	if err != nil {
		return c.Fail(err)
	}
	if !closed {
		return c.ErrorReply("poll_error_already_closed", map[string]any{"ID": poll.ID})
	}
	p.s.Replan()
	key := "poll_closed_by_hand"
	if err := p.announce(ctx, poll); err != nil {
		// The claim was released: the scheduler's job posts it later.
		p.s.log.Error("poll result", "poll", poll.ID, "err", err)
		key = "poll_closed_result_later"
	}
	return c.Reply("poll_closed", Ephemeral, Section{Text: c.T(key, map[string]any{"ID": poll.ID})})
}

// reopen answers `poll reopen 7 [--closes …]`. A poll that had a
// deadline keeps it when it is still ahead (closed early by hand); one
// that closed at its deadline needs a new one (or --closes none), and is
// left closed until it gets it. The result post, if any, is rewritten as
// withdrawn: it no longer stands.
func (p *pollFeature) reopen(ctx context.Context, c *Call, arg string, rest []string) Reply {
	poll, r, ok := p.managed(ctx, c, arg)
	if !ok {
		return r
	}
	a, perr := parsePollArgs(rest, p.s.now(), p.s.opts.Location)
	if perr != nil {
		return c.ErrorReply(perr.Key, c.With(perr.Data))
	}
	if poll.Open() {
		return c.ErrorReply("poll_error_already_open", map[string]any{"ID": poll.ID})
	}
	closes := a.ClosesAt
	if !a.set["closes"] {
		if !poll.ClosesAt.IsZero() && !poll.ClosesAt.After(p.s.now()) {
			return c.ErrorReply("poll_error_reopen_deadline", c.With(map[string]any{"ID": poll.ID,
				"When": c.pollWhen(poll.ClosesAt)}))
		}
		closes = poll.ClosesAt
	}
	poll, err := p.s.store.ReopenPoll(ctx, poll.ID, closes)
	if err != nil {
		return c.Fail(err)
	}
	p.upd.mark(poll.ID)
	p.s.Replan()
	p.withdrawResult(ctx, poll.ID)
	return c.Reply("poll_reopened", Ephemeral, Section{Text: c.pollReopened(poll, a.set["closes"])})
}

// pollReopened says a poll is open again and until when.
func (c *Call) pollReopened(poll *storage.Poll, newDeadline bool) string {
	d := c.With(map[string]any{"ID": poll.ID})
	switch {
	case poll.ClosesAt.IsZero():
		return c.T("poll_reopened_none", d)
	case newDeadline:
		d["When"] = c.pollWhen(poll.ClosesAt)
		return c.T("poll_reopened_until", d)
	}
	d["When"] = c.pollWhen(poll.ClosesAt)
	return c.T("poll_reopened_kept", d)
}

// withdrawResult rewrites the result posts of a reopened poll, which no
// longer stand; the next close posts a new result.
func (p *pollFeature) withdrawResult(ctx context.Context, id int64) {
	refs, err := p.s.store.TakePollResultMessages(ctx, id)
	if err != nil {
		p.s.log.Error("poll reopen: result posts", "poll", id, "err", err)
		return
	}
	p.tombstone(ctx, id, "poll_result_withdrawn", refs)
}

// edit answers `poll edit 7 ["Question?" ["A" "B" …]] [--flags]`. The
// question and options change only before the first vote (storage
// refuses after); flags may change while the poll is open.
func (p *pollFeature) edit(ctx context.Context, c *Call, arg string, rest []string) Reply {
	poll, r, ok := p.managed(ctx, c, arg)
	if !ok {
		return r
	}
	a, perr := parsePollArgs(rest, p.s.now(), p.s.opts.Location)
	if qerr := pollCheckQuotes(c.Req.Text, rest, a); qerr != nil {
		perr = qerr
		perr.Data = map[string]any{"Question": perr.Data["Question"], "Edit": true, "ID": poll.ID}
	}
	if perr != nil {
		return c.ErrorReply(perr.Key, c.With(perr.Data))
	}
	upd := pollUpdateOf(a)
	if pollUpdateEmpty(upd) {
		return c.ErrorReply("poll_error_edit_nothing", c.With(map[string]any{"ID": poll.ID}))
	}
	poll, err := p.s.store.UpdatePoll(ctx, poll.ID, upd)
	if err != nil {
		return c.Fail(err)
	}
	p.upd.mark(poll.ID)
	if upd.ClosesAt != nil || upd.RemindBefore != nil {
		p.s.Replan()
	}
	return c.Reply("poll_edited", Ephemeral, Section{Text: c.T("poll_edited", map[string]any{"ID": poll.ID})})
}

// pollUpdateOf turns the given arguments into an update: positional
// question (and options), and only the flags that were typed.
func pollUpdateOf(a pollArgs) storage.PollUpdate {
	var u storage.PollUpdate
	if a.Question != "" {
		u.Question = &a.Question
	}
	if len(a.Options) > 0 {
		u.Options = a.Options
	}
	if a.set["votes"] {
		u.MaxVotes = &a.MaxVotes
	}
	if a.set["anonymous"] {
		u.Anonymous = &a.Anonymous
	}
	if a.set["open-options"] {
		u.AllowMemberOptions = &a.OpenOptions
	}
	if a.set["closes"] {
		u.ClosesAt = &a.ClosesAt
	}
	if a.set["remind"] {
		u.RemindBefore = &a.Remind
	}
	if a.set["meeting"] {
		u.MeetingID = &a.MeetingID
	}
	return u
}

func pollUpdateEmpty(u storage.PollUpdate) bool {
	return u.Question == nil && u.Options == nil && u.MaxVotes == nil && u.Anonymous == nil &&
		u.AllowMemberOptions == nil && u.ClosesAt == nil && u.RemindBefore == nil && u.MeetingID == nil
}

// delete answers `poll delete 7` (coordinators): the poll goes, and its
// posted copies say so.
func (p *pollFeature) delete(ctx context.Context, c *Call, arg string) Reply {
	if !c.Coordinator {
		return c.CoordinatorOnly()
	}
	poll, r, ok := p.load(ctx, c, arg)
	if !ok {
		return r
	}
	refs, err := p.s.store.PollMessages(ctx, poll.ID)
	if err != nil {
		return c.Fail(err)
	}
	if err := p.s.store.DeletePoll(ctx, poll.ID); err != nil {
		return c.Fail(err)
	}
	p.s.Replan()
	p.upd.quiesce(poll.ID)
	p.tombstone(ctx, poll.ID, "poll_deleted_card", refs)
	return c.Reply("poll_deleted", Ephemeral, Section{Text: c.T("poll_deleted", map[string]any{"ID": poll.ID})})
}

// tombstone rewrites the posted copies of a poll that is going away with
// the notice key says (a deletion, a withdrawal), so their buttons go.
func (p *pollFeature) tombstone(ctx context.Context, id int64, key string, refs []storage.PollMessage) {
	poster := p.s.Poster()
	if poster == nil {
		return
	}
	one := func(lang string) Reply {
		return p.s.LangCall(lang).Reply("poll_deleted", InChannel, Context{Text: p.s.tr.T(lang, key, map[string]any{"ID": id})})
	}
	r := Bilingual(one("en"), one("fr"))
	for _, m := range refs {
		if err := poster.Update(ctx, MessageRef{Platform: m.Platform, Channel: m.Channel, ID: m.MessageID}, r); err != nil {
			p.s.log.Warn("poll tombstone", "poll", id, "err", err)
		}
	}
}

// addOption answers `poll add-option 7 "Label"`: members on polls open to
// their options, the creator and coordinators on any open poll.
func (p *pollFeature) addOption(ctx context.Context, c *Call, arg string, rest []string) Reply {
	poll, r, ok := p.load(ctx, c, arg)
	if !ok {
		return r
	}
	return p.doAddOption(ctx, c, poll, strings.Join(rest, " "))
}

func (p *pollFeature) doAddOption(ctx context.Context, c *Call, poll *storage.Poll, label string) Reply {
	var by int64
	switch {
	case c.pollManager(poll):
	case c.Member == nil:
		return c.pollJoinFirst()
	default:
		by = c.Member.ID
	}
	poll, err := p.s.store.AddPollOption(ctx, poll.ID, label, by)
	if err != nil {
		return c.Fail(err)
	}
	p.upd.mark(poll.ID)
	last := poll.Options[len(poll.Options)-1]
	return c.Reply("poll_option_added", Ephemeral, Section{Text: c.T("poll_option_added", map[string]any{
		"ID": poll.ID, "Number": last.Position, "Option": c.pollQuote(last.Label)})})
}

// actAddOption opens the one-field form to add an option.
func (p *pollFeature) actAddOption(ctx context.Context, c *Call, value string) Reply {
	poll, r, ok := p.load(ctx, c, value)
	if !ok {
		return r
	}
	text := c.T("poll_add_option_text", c.With(map[string]any{"ID": poll.ID}))
	return Reply{Kind: "poll_add_option", Lang: c.Lang, Text: text, Blocks: []Block{Section{Text: text}},
		Form: &Form{ID: "poll_add_option", Title: c.T("poll_add_option_title", nil), Submit: c.T("poll_add_option_submit", nil),
			State: fmt.Sprint(poll.ID), Fields: []FormField{{ID: "label", Label: c.T("poll_field_option", nil), Kind: FieldText}}}}
}

func (p *pollFeature) submitAddOption(ctx context.Context, c *Call, state string, values map[string]string) (Reply, map[string]string) {
	poll, r, ok := p.load(ctx, c, state)
	if !ok {
		return r, nil
	}
	r = p.doAddOption(ctx, c, poll, values["label"])
	if r.Kind == "error" {
		return r, map[string]string{"label": r.Text}
	}
	return r, nil
}

// export answers `poll export 7` with the CSV as text.
func (p *pollFeature) export(ctx context.Context, c *Call, arg string) Reply {
	poll, r, ok := p.managed(ctx, c, arg)
	if !ok {
		return r
	}
	var b bytes.Buffer
	if err := p.s.ExportPoll(ctx, poll.ID, &b); err != nil {
		return c.Fail(err)
	}
	return Reply{Kind: "poll_export", Lang: c.Lang, Text: b.String(), Blocks: []Block{
		Context{Text: c.T("poll_export_note", c.With(map[string]any{"ID": poll.ID}))}, Section{Text: b.String()}}}
}
