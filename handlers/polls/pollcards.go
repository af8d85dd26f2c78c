package polls

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// A poll's card goes to the community channel through the delivery
// ledger, under a key that names the poll for ever (storage.PollCardKey:
// poll ids are never given twice). A card whose post failed, lost its
// answer or was cut short by a crash is retried by the scheduler
// (cardJobs), which finds a copy already in the channel by its key and
// records it, so that votes update it; a lost answer never deletes a poll
// whose card may be live.

// createAndPost stores the poll and posts its card. A poll whose card
// certainly reached no channel, or whose posts could not be recorded, is
// deleted again, so that the creator, told it failed, finds nothing half
// made. One whose card may be in a channel (an answer lost) is kept and
// its card retried.
func (f *Feature) createAndPost(ctx context.Context, c *call, in storage.PollInput) handlers.Reply {
	poll, err := f.store.CreatePoll(ctx, in)
	if err != nil {
		return c.Fail(err)
	}
	refs, err := f.post(ctx, poll)
	var rec *recordError
	switch {
	case errors.As(err, &rec) || (len(refs) == 0 && handlers.Unsettled(err) && !handlers.MayHavePosted(err)):
		f.log.Error("poll post", "poll", poll.ID, "err", err)
		if rec != nil {
			f.tombstone(ctx, poll.ID, "poll_withdrawn_card", pollMessages(refs))
		}
		if derr := f.store.DeletePoll(ctx, poll.ID); derr != nil {
			f.log.Error("poll post: undo", "poll", poll.ID, "err", derr)
		}
		return c.ErrorReply("poll_error_post_failed", nil)
	}
	f.svc.Replan() // its closing job, the retry of its card, its email invitations
	created := "poll_created"
	if len(refs) == 0 {
		created = "poll_created_pending" // no copy known yet: an answer was lost
	}
	blocks := []handlers.Block{handlers.Section{Text: c.T(created, c.With(map[string]any{"ID": poll.ID}))}}
	switch {
	case handlers.Unsettled(err) && len(refs) > 0:
		f.log.Warn("poll card not on every platform yet; retried", "poll", poll.ID, "err", err)
		blocks = append(blocks, handlers.Context{Text: c.T("poll_card_retried", nil)})
	case err != nil:
		blocks = append(blocks, handlers.Context{Text: c.T("poll_card_uncertain", c.SlashData())})
	}
	return c.Reply("poll_created", handlers.Ephemeral, blocks...)
}

// recordError is a card posted that its poll could not record.
type recordError struct{ err error }

func (e *recordError) Error() string { return "record post: " + e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// post publishes the card where it is not yet and records where it went
// (a copy recorded before is ignored). Copies that did post are kept when
// another platform failed; the error says which (see PostOnce). A copy
// that cannot be recorded is a *recordError.
func (f *Feature) post(ctx context.Context, poll *storage.Poll) ([]handlers.MessageRef, error) {
	refs, err := f.svc.PostOnce(ctx, storage.PollCardKey(poll.ID), f.pollCard(poll, f.pollView(ctx, poll)))
	for _, r := range refs {
		m := storage.PollMessage{Platform: r.Platform, Channel: r.Channel, MessageID: r.ID}
		if rerr := f.store.AddPollMessage(ctx, poll.ID, m); rerr != nil {
			return refs, &recordError{rerr}
		}
	}
	return refs, err
}

// pollMessages converts an adapter's refs to the stored form.
func pollMessages(refs []handlers.MessageRef) []storage.PollMessage {
	out := make([]storage.PollMessage, len(refs))
	for i, r := range refs {
		out[i] = storage.PollMessage{Platform: r.Platform, Channel: r.Channel, MessageID: r.ID}
	}
	return out
}

// cardJobs lists a retry of every unfinished card, a little after its
// latest attempt began (handlers.RetryGrace), so as never to race the
// command that posts it; at start-up, after a crash, that is at once.
func (f *Feature) cardJobs(ctx context.Context) ([]scheduler.Job, error) {
	cards, err := f.store.UnfinishedPollCards(ctx)
	if err != nil {
		return nil, err
	}
	jobs := make([]scheduler.Job, 0, len(cards))
	for _, u := range cards {
		id := u.ID
		jobs = append(jobs, scheduler.Job{Key: "poll-card:" + strconv.FormatInt(id, 10), Due: u.StartedAt.Add(handlers.RetryGrace),
			Run: func(ctx context.Context) error { return f.retryCard(ctx, id) }})
	}
	return jobs, nil
}

// retryCard brings poll id's card to the platforms that do not have it and
// records every copy; a copy left to a coordinator ends the job.
func (f *Feature) retryCard(ctx context.Context, id int64) error {
	poll, err := f.store.PollByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	refs, err := f.post(ctx, poll)
	var rec *recordError
	if handlers.Unsettled(err) || errors.As(err, &rec) {
		return err
	}
	f.log.Info("poll card retried", "poll", id, "messages", len(refs), "left_to_check", err != nil)
	return nil
}

// postKinds are the polls' keyed posts, for the delivery command: cards
// and results.
func (f *Feature) postKinds() []handlers.PostKind {
	return []handlers.PostKind{
		{Prefix: "poll:", Describe: f.describePost("poll:", "poll_card_named"), Repost: f.repostCard},
		{Prefix: "poll-result:", Describe: f.describePost("poll-result:", "poll_result_named"), Repost: f.repostResult},
	}
}

// describePost names the card or result of the poll in a key.
func (f *Feature) describePost(prefix, msg string) func(context.Context, *handlers.Call, string) string {
	return func(ctx context.Context, c *handlers.Call, key string) string {
		poll, err := f.keyPoll(ctx, key, prefix)
		if err != nil {
			return ""
		}
		return c.T(msg, map[string]any{"ID": poll.ID, "Question": c.Own(poll.Question)})
	}
}

// keyPoll is the poll a card or result key names ("poll:7",
// "poll-result:7:1700000000").
func (f *Feature) keyPoll(ctx context.Context, key, prefix string) (*storage.Poll, error) {
	id, _, _ := strings.Cut(strings.TrimPrefix(key, prefix), ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || !strings.HasPrefix(key, prefix) {
		return nil, storage.ErrNotFound
	}
	poll, err := f.store.PollByID(ctx, n)
	if errors.Is(err, storage.ErrNotFound) || storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, storage.Errorf(storage.ENOTFOUND, "delivery_error_gone", map[string]any{"Key": key}, "poll %d is gone", n)
	}
	return poll, err
}

// repostCard posts a card again where a coordinator found it missing.
func (f *Feature) repostCard(ctx context.Context, key string) error {
	poll, err := f.keyPoll(ctx, key, "poll:")
	if err != nil {
		return err
	}
	_, err = f.post(ctx, poll)
	return err
}

// repostResult posts a result again where a coordinator found it missing,
// unless the poll was reopened since (its result is then another post).
func (f *Feature) repostResult(ctx context.Context, key string) error {
	poll, err := f.keyPoll(ctx, key, "poll-result:")
	if err != nil {
		return err
	}
	if poll.Open() || resultKey(poll) != key {
		return storage.Errorf(storage.EINVALID, "delivery_error_too_late", map[string]any{"Key": key},
			"poll %d was reopened since", poll.ID)
	}
	meeting, err := f.linkedMeeting(ctx, poll)
	if err != nil {
		return err
	}
	refs, err := f.svc.PostOnce(ctx, key, f.pollResultReply(poll, f.pollView(ctx, poll), meeting))
	f.recordResult(ctx, poll.ID, refs)
	return err
}

// linkedMeeting is the meeting whose theme poll's sole winner set, as
// setTheme found it, or nil.
func (f *Feature) linkedMeeting(ctx context.Context, poll *storage.Poll) (*storage.Meeting, error) {
	if poll.MeetingID == 0 || len(pollWinners(poll.Options)) != 1 {
		return nil, nil
	}
	m, err := f.store.MeetingByID(ctx, poll.MeetingID)
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, nil
	}
	return m, err
}

// resultKey is the key of the result of poll's latest closing: the
// closing time is in it, so that the result of a reopened and closed-again
// poll is a new post.
func resultKey(poll *storage.Poll) string {
	return fmt.Sprintf("poll-result:%d:%d", poll.ID, poll.ClosedAt.Unix())
}
