package polls

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// managed loads a poll the asker may manage: its creator or a coordinator.
func (f *Feature) managed(ctx context.Context, c *call, arg string) (*storage.Poll, handlers.Reply, bool) {
	poll, r, ok := f.load(ctx, c, arg)
	if !ok {
		return nil, r, false
	}
	if !c.pollManager(poll) {
		return nil, c.ErrorReply("poll_error_manager_only", map[string]any{"ID": poll.ID}), false
	}
	return poll, handlers.Reply{}, true
}

// close answers `poll close 7`: closes the poll and posts its result.
func (f *Feature) close(ctx context.Context, c *call, arg string) handlers.Reply {
	poll, r, ok := f.managed(ctx, c, arg)
	if !ok {
		return r
	}
	closed, poll, err := f.store.ClosePoll(ctx, poll.ID)
	if err != nil {
		return c.Fail(err)
	}
	if !closed {
		return c.ErrorReply("poll_error_already_closed", map[string]any{"ID": poll.ID})
	}
	f.svc.Replan()
	key := "poll_closed_by_hand"
	if err := f.announce(ctx, poll); err != nil {
		// The claim was released: the scheduler's job posts it later.
		f.log.Error("poll result", "poll", poll.ID, "err", err)
		key = "poll_closed_result_later"
	}
	return c.Reply("poll_closed", handlers.Ephemeral, handlers.Section{Text: c.T(key, map[string]any{"ID": poll.ID})})
}

// reopen answers `poll reopen 7 [--closes …]`. A poll that had a
// deadline keeps it when it is still ahead (closed early by hand); one
// that closed at its deadline needs a new one (or --closes none), and is
// left closed until it gets it. The result post, if any, is rewritten as
// withdrawn: it no longer stands.
func (f *Feature) reopen(ctx context.Context, c *call, arg string, rest []string) handlers.Reply {
	poll, r, ok := f.managed(ctx, c, arg)
	if !ok {
		return r
	}
	a, perr := parsePollArgs(rest, f.now(), f.opts.Location)
	if perr != nil {
		return c.ErrorReply(perr.Key, c.With(perr.Data))
	}
	if poll.Open() {
		return c.ErrorReply("poll_error_already_open", map[string]any{"ID": poll.ID})
	}
	closes := a.ClosesAt
	if !a.set["closes"] {
		if !poll.ClosesAt.IsZero() && !poll.ClosesAt.After(f.now()) {
			return c.ErrorReply("poll_error_reopen_deadline", c.With(map[string]any{"ID": poll.ID,
				"When": c.pollWhen(poll.ClosesAt)}))
		}
		closes = poll.ClosesAt
	}
	poll, err := f.store.ReopenPoll(ctx, poll.ID, closes)
	if err != nil {
		return c.Fail(err)
	}
	f.upd.mark(poll.ID)
	f.svc.Replan()
	f.withdrawResult(ctx, poll.ID)
	return c.Reply("poll_reopened", handlers.Ephemeral, handlers.Section{Text: c.pollReopened(poll, a.set["closes"])})
}

// pollReopened says a poll is open again and until when.
func (c *call) pollReopened(poll *storage.Poll, newDeadline bool) string {
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
func (f *Feature) withdrawResult(ctx context.Context, id int64) {
	refs, err := f.store.TakePollResultMessages(ctx, id)
	if err != nil {
		f.log.Error("poll reopen: result posts", "poll", id, "err", err)
		return
	}
	f.tombstone(ctx, id, "poll_result_withdrawn", refs)
}

// edit answers `poll edit 7 ["Question?" ["A" "B" …]] [--flags]`. The
// question and options change only before the first vote (storage
// refuses after); flags may change while the poll is open.
func (f *Feature) edit(ctx context.Context, c *call, arg string, rest []string) handlers.Reply {
	poll, r, ok := f.managed(ctx, c, arg)
	if !ok {
		return r
	}
	a, perr := parsePollArgs(rest, f.now(), f.opts.Location)
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
	poll, err := f.store.UpdatePoll(ctx, poll.ID, upd)
	if err != nil {
		return c.Fail(err)
	}
	f.upd.mark(poll.ID)
	if upd.ClosesAt != nil || upd.RemindBefore != nil {
		f.svc.Replan()
	}
	return c.Reply("poll_edited", handlers.Ephemeral, handlers.Section{Text: c.T("poll_edited", map[string]any{"ID": poll.ID})})
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
func (f *Feature) delete(ctx context.Context, c *call, arg string) handlers.Reply {
	if !c.Coordinator {
		return c.CoordinatorOnly()
	}
	poll, r, ok := f.load(ctx, c, arg)
	if !ok {
		return r
	}
	refs, err := f.store.PollMessages(ctx, poll.ID)
	if err != nil {
		return c.Fail(err)
	}
	// A copy of the card whose record a lost answer or a crash kept from
	// poll_messages is found by its key first, so that it is withdrawn too.
	found, unsure, err := f.svc.Reconcile(ctx, storage.PollCardKey(poll.ID))
	if err != nil {
		return c.Fail(err)
	}
	refs = addMessages(refs, pollMessages(found))
	if err := f.store.DeletePoll(ctx, poll.ID); err != nil {
		return c.Fail(err)
	}
	f.svc.Replan()
	f.upd.quiesce(poll.ID)
	f.tombstone(ctx, poll.ID, "poll_deleted_card", refs)
	blocks := []handlers.Block{handlers.Section{Text: c.T("poll_deleted", map[string]any{"ID": poll.ID})}}
	for _, p := range unsure {
		blocks = append(blocks, handlers.Context{Text: c.T("poll_deleted_unsure", map[string]any{
			"Platform": c.T("meeting_platform_"+string(p), nil)})})
	}
	return c.Reply("poll_deleted", handlers.Ephemeral, blocks...)
}

// addMessages is ms with the messages of more it lacks.
func addMessages(ms, more []storage.PollMessage) []storage.PollMessage {
	for _, m := range more {
		if !slices.Contains(ms, m) {
			ms = append(ms, m)
		}
	}
	return ms
}

// tombstone rewrites the posted copies of a poll that is going away with
// the notice key says (a deletion, a withdrawal), so their buttons go.
func (f *Feature) tombstone(ctx context.Context, id int64, key string, refs []storage.PollMessage) {
	poster := f.svc.Poster()
	if poster == nil {
		return
	}
	one := func(lang string) handlers.Reply {
		return f.langCall(lang).Reply("poll_deleted", handlers.InChannel, handlers.Context{Text: f.tr.T(lang, key, map[string]any{"ID": id})})
	}
	r := handlers.Bilingual(one("en"), one("fr"))
	for _, m := range refs {
		if err := poster.Update(ctx, handlers.MessageRef{Platform: m.Platform, Channel: m.Channel, ID: m.MessageID}, r); err != nil {
			f.log.Warn("poll tombstone", "poll", id, "err", err)
		}
	}
}

// addOption answers `poll add-option 7 "Label"`: members on polls open to
// their options, the creator and coordinators on any open poll.
func (f *Feature) addOption(ctx context.Context, c *call, arg string, rest []string) handlers.Reply {
	poll, r, ok := f.load(ctx, c, arg)
	if !ok {
		return r
	}
	return f.doAddOption(ctx, c, poll, strings.Join(rest, " "))
}

func (f *Feature) doAddOption(ctx context.Context, c *call, poll *storage.Poll, label string) handlers.Reply {
	var by int64
	switch {
	case c.pollManager(poll):
	case c.Member == nil:
		return c.pollJoinFirst()
	default:
		by = c.Member.ID
	}
	poll, err := f.store.AddPollOption(ctx, poll.ID, label, by)
	if err != nil {
		return c.Fail(err)
	}
	f.upd.mark(poll.ID)
	last := poll.Options[len(poll.Options)-1]
	return c.Reply("poll_option_added", handlers.Ephemeral, handlers.Section{Text: c.T("poll_option_added", map[string]any{
		"ID": poll.ID, "Number": last.Position, "Option": c.pollQuote(last.Label)})})
}

// actAddOption opens the one-field form to add an option, to whom its
// submission would accept: the poll's managers, and members when the poll
// takes their options. Anyone else is told why at the click, rather than
// after typing an option.
func (f *Feature) actAddOption(ctx context.Context, c *call, value string) handlers.Reply {
	poll, r, ok := f.load(ctx, c, value)
	if !ok {
		return r
	}
	switch {
	case c.pollManager(poll):
	case c.Member == nil:
		return c.pollJoinFirst()
	case !poll.AllowMemberOptions:
		return c.ErrorReply("poll_error_options_closed", c.With(map[string]any{"ID": poll.ID}))
	}
	if !poll.Open() {
		return c.ErrorReply("poll_error_closed", map[string]any{"ID": poll.ID})
	}
	text := c.T("poll_add_option_text", c.With(map[string]any{"ID": poll.ID}))
	return handlers.Reply{Kind: "poll_add_option", Lang: c.Lang, Text: text, Blocks: []handlers.Block{handlers.Section{Text: text}},
		Form: &handlers.Form{ID: "poll_add_option", Title: c.T("poll_add_option_title", nil), Submit: c.T("poll_add_option_submit", nil),
			State: fmt.Sprint(poll.ID), Fields: []handlers.FormField{{ID: "label", Label: c.T("poll_field_option", nil), Kind: handlers.FieldText}}}}
}

func (f *Feature) submitAddOption(ctx context.Context, c *call, state string, values map[string]string) (handlers.Reply, map[string]string) {
	poll, r, ok := f.load(ctx, c, state)
	if !ok {
		return r, nil
	}
	r = f.doAddOption(ctx, c, poll, values["label"])
	if r.Kind == "error" {
		return r, map[string]string{"label": r.Text}
	}
	return r, nil
}

// export answers `poll export 7` with the CSV as a file (a Slack upload,
// a Teams file card, a file the console writes), to the person who asked
// only: it names who voted.
func (f *Feature) export(ctx context.Context, c *call, arg string) handlers.Reply {
	poll, r, ok := f.managed(ctx, c, arg)
	if !ok {
		return r
	}
	var b bytes.Buffer
	if err := f.ExportPoll(ctx, poll.ID, &b); err != nil {
		return c.Fail(err)
	}
	name := fmt.Sprintf("copbot-poll-%d.csv", poll.ID)
	rows := bytes.Count(b.Bytes(), []byte("\n")) - 1 // the header is not a row
	r = c.Reply("poll_export", handlers.Ephemeral,
		handlers.Section{Text: c.Count("poll_export_file", rows, map[string]any{"ID": poll.ID, "File": name})},
		handlers.Context{Text: c.T("poll_export_note", c.With(map[string]any{"ID": poll.ID}))})
	r.File = &handlers.File{Name: name, MIME: "text/csv; charset=utf-8", Data: b.Bytes()}
	return r
}
