package polls

import (
	"context"
	"errors"
	"fmt"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// jobs lists the poll closings (and vote reminders) still to run:
// "poll-close:ID" at the deadline of each open poll, and again for each
// closed poll whose result is not posted yet (a failed or interrupted
// post); "poll-remind:ID" before the deadline of polls that asked for it.
func (f *Feature) jobs(ctx context.Context) ([]scheduler.Job, error) {
	open, err := f.store.FindPolls(ctx, storage.PollFilter{Scheduled: true})
	if err != nil {
		return nil, err
	}
	var jobs []scheduler.Job
	for _, poll := range open {
		jobs = append(jobs, scheduler.Job{Key: pollCloseKey(poll.ID), Due: poll.ClosesAt, Run: f.closeJob(poll.ID)})
		if poll.RemindBefore > 0 && poll.RemindedAt.IsZero() {
			jobs = append(jobs, scheduler.Job{Key: fmt.Sprintf("poll-remind:%d", poll.ID),
				Due: poll.ClosesAt.Add(-poll.RemindBefore), Run: f.remindJob(poll.ID)})
		}
	}
	pending, err := f.store.FindPolls(ctx, storage.PollFilter{ResultPending: true})
	if err != nil {
		return nil, err
	}
	for _, poll := range pending {
		// Unclaimed (a failed post released it): due at once; claimed: due
		// when the claim goes stale.
		jobs = append(jobs, scheduler.Job{Key: pollCloseKey(poll.ID),
			Due: poll.ResultClaimedAt.Add(pollResultStale), Run: f.closeJob(poll.ID)})
	}
	return jobs, nil
}

func pollCloseKey(id int64) string { return fmt.Sprintf("poll-close:%d", id) }

// closeJob closes the poll at its deadline and posts the result. Any
// number of runs, in any number of processes, close it once and post its
// result once: ClosePoll lets one caller win and hands it the duty to
// post; others only take the duty over if the winner never recorded the
// post (crashed) within pollResultStale. The window left is a crash after
// the post and before MarkPollResultPosted: then the result is posted
// twice, never lost.
func (f *Feature) closeJob(id int64) func(context.Context) error {
	return func(ctx context.Context) error {
		poll, err := f.store.PollByID(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if poll.Open() && (poll.ClosesAt.IsZero() || f.now().Add(time.Second).Before(poll.ClosesAt)) {
			return nil // the deadline moved since the job was planned
		}
		closed, poll, err := f.store.ClosePoll(ctx, id)
		if err != nil {
			return err
		}
		if !closed {
			ok, err := f.store.ClaimPollResult(ctx, id, pollResultStale)
			if err != nil || !ok {
				return err
			}
		}
		return f.announce(ctx, poll)
	}
}

// announce sets the linked meeting's theme, posts the result and records
// it. The caller holds the claim; a failure gives it back for a retry.
func (f *Feature) announce(ctx context.Context, poll *storage.Poll) error {
	f.upd.mark(poll.ID)
	err := f.post1(ctx, poll)
	if err == nil {
		return f.store.MarkPollResultPosted(ctx, poll.ID)
	}
	if rerr := f.store.ReleasePollResult(ctx, poll.ID); rerr != nil {
		f.log.Error("poll result: release", "poll", poll.ID, "err", rerr)
	}
	return err
}

func (f *Feature) post1(ctx context.Context, poll *storage.Poll) error {
	meeting, err := f.setTheme(ctx, poll)
	if err != nil {
		return err
	}
	// Keyed: a retry posts only to the platforms that do not have it yet.
	refs, err := f.svc.PostOnce(ctx, resultKey(poll), f.pollResultReply(poll, f.pollView(ctx, poll), meeting))
	if len(refs) > 0 {
		f.recordResult(ctx, poll.ID, refs) // a copy already recorded is ignored
	}
	if handlers.Unsettled(err) {
		return fmt.Errorf("post result of poll %d: %w", poll.ID, err)
	}
	if err != nil {
		f.log.Warn("poll result left to a coordinator on some platform", "poll", poll.ID, "err", err)
	}
	return nil
}

// recordResult remembers where a result went, so that a reopening can
// withdraw it. Failing that is logged, not retried: the result is posted.
func (f *Feature) recordResult(ctx context.Context, id int64, refs []handlers.MessageRef) {
	for _, r := range refs {
		m := storage.PollMessage{Platform: r.Platform, Channel: r.Channel, MessageID: r.ID, Result: true}
		if err := f.store.AddPollMessage(ctx, id, m); err != nil {
			f.log.Warn("poll result: record post", "poll", id, "err", err)
		}
	}
}

// setTheme makes the sole winner the linked meeting's theme. A tie, no
// votes, or no meeting leave it alone; a meeting that was cancelled or
// deleted is logged and skipped, as retrying cannot help.
func (f *Feature) setTheme(ctx context.Context, poll *storage.Poll) (*storage.Meeting, error) {
	win := pollWinners(poll.Options)
	if poll.MeetingID == 0 || len(win) != 1 {
		return nil, nil
	}
	theme := win[0].Label
	m, err := f.store.UpdateMeeting(ctx, poll.MeetingID, storage.MeetingUpdate{Theme: &theme})
	if err != nil && storage.ErrorCode(err) != storage.EINTERNAL {
		f.log.Warn("poll theme not set", "poll", poll.ID, "meeting", poll.MeetingID, "err", err)
		return nil, nil
	}
	return m, err
}

// remindJob reminds the members who have not voted. With private
// messages each person is a delivery of its own in the ledger (remindOne),
// so a run cut short by a crash or a failure is run again for those not yet
// reached, and nobody is reminded twice; the poll is marked reminded once
// everyone was. A channel reminder is one post, claimed before it is sent.
func (f *Feature) remindJob(id int64) func(context.Context) error {
	return func(ctx context.Context) error {
		poll, err := f.store.PollByID(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		poster := f.svc.Poster()
		if poster == nil {
			return errors.New("no poster configured")
		}
		if dm, ok := poster.(handlers.DirectMessenger); ok {
			if !poll.Open() || !poll.RemindedAt.IsZero() {
				return nil
			}
			if err := f.remindEach(ctx, dm, poll); err != nil {
				return err
			}
			_, err := f.store.ClaimPollReminder(ctx, id)
			return err
		}
		return f.remindChannel(ctx, poster, poll)
	}
}

// remindChannel posts one bilingual reminder to the channel, once.
func (f *Feature) remindChannel(ctx context.Context, poster handlers.Poster, poll *storage.Poll) error {
	ok, err := f.store.ClaimPollReminder(ctx, poll.ID)
	if err != nil || !ok {
		return err
	}
	_, err = poster.Post(ctx, handlers.Bilingual(f.reminder("en", "poll_reminder_channel", poll),
		f.reminder("fr", "poll_reminder_channel", poll)))
	if err != nil {
		if rerr := f.store.ReleasePollReminder(ctx, poll.ID); rerr != nil {
			f.log.Error("poll reminder: release", "poll", poll.ID, "err", rerr)
		}
	}
	return err
}

// reminderKey is the ledger key of poll's private reminder to member. It
// must not start like a card's or a result's key ("poll:", "poll-result:"):
// the delivery command would take it for one and repost a card.
func reminderKey(poll, member int64) string { return fmt.Sprintf("poll-reminder:%d:%d", poll, member) }

// maxReminderAttempts bounds the attempts to remind one person whose
// platform keeps refusing the message.
const maxReminderAttempts = 4

// remindEach writes to each non-voter privately. It fails, so that the job
// runs again, while someone could still be reached.
func (f *Feature) remindEach(ctx context.Context, dm handlers.DirectMessenger, poll *storage.Poll) error {
	non, err := f.store.NonVoters(ctx, poll.ID)
	if err != nil {
		return err
	}
	var retry error
	for _, m := range non {
		to := pollIdentity(m)
		if to.IsZero() {
			continue
		}
		if err := f.remindOne(ctx, dm, poll, m, to); err != nil {
			retry = err
		}
	}
	return retry
}

// remindOne reminds m once: the attempt is recorded before the message is
// sent and its outcome after. An attempt whose outcome was never recorded
// (a crash) or whose answer was lost may have reached the person: it is
// left as uncertain, never sent again. It returns an error only when a
// retry could still reach m.
func (f *Feature) remindOne(ctx context.Context, dm handlers.DirectMessenger, poll *storage.Poll, m *storage.Member, to storage.Identity) error {
	key := reminderKey(poll.ID, m.ID)
	dl, err := f.store.BeginDelivery(ctx, key, to.Platform)
	if storage.ErrorCode(err) == storage.ECONFLICT {
		return nil // reminded, or left uncertain
	}
	if err != nil {
		return err
	}
	if dl.LostAttempts() > 1 {
		return f.store.MarkDeliveryUncertain(ctx, key, to.Platform)
	}
	err = dm.Direct(ctx, to, f.reminder(m.Language, "poll_reminder_dm", poll))
	if err == nil {
		return f.store.RecordDeliverySent(ctx, key, storage.PostRef{Platform: to.Platform, Channel: to.ID})
	}
	code, detail := handlers.FailureCode(err)
	if rerr := f.store.RecordDeliveryFailure(ctx, key, to.Platform, code, detail); rerr != nil {
		return rerr
	}
	f.log.Warn("poll reminder not delivered", "poll", poll.ID, "member", m.ID, "code", code)
	if code == storage.FailureLost {
		return f.store.MarkDeliveryUncertain(ctx, key, to.Platform)
	}
	if dl.Attempts >= maxReminderAttempts {
		return nil
	}
	return fmt.Errorf("poll %d reminder to member %d: %w", poll.ID, m.ID, err)
}

func (f *Feature) reminder(lang, key string, poll *storage.Poll) handlers.Reply {
	c := f.langCall(lang)
	t := c.T(key, c.With(map[string]any{"ID": poll.ID, "Question": c.pollQuote(poll.Question),
		"When": c.pollWhen(poll.ClosesAt)}))
	return handlers.Reply{Kind: "poll_reminder", Visibility: handlers.InChannel, Lang: c.Lang, Text: t, Blocks: []handlers.Block{handlers.Section{Text: t},
		handlers.Actions{Buttons: []handlers.Button{{ActionID: "poll_show", Label: c.T("poll_show_button", nil), Value: fmt.Sprint(poll.ID)}}}}}
}

// pollIdentity is where to reach a member privately: Slack, else Teams,
// else the console.
func pollIdentity(m *storage.Member) storage.Identity {
	switch {
	case m.SlackID != "":
		return storage.Identity{Platform: storage.PlatformSlack, ID: m.SlackID}
	case m.TeamsID != "":
		return storage.Identity{Platform: storage.PlatformTeams, ID: m.TeamsID}
	}
	return storage.Identity{Platform: storage.PlatformConsole, ID: m.ConsoleID}
}
