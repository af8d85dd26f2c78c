package email

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// Each person's copy of an event is one delivery in the ledger, under a
// key that names both for ever:
//
//	email:meeting:MEETING:MEMBER:SEQUENCE   an invitation, update or cancellation
//	email:reminder:REMINDER:MEMBER
//	email:poll:POLL:MEMBER
//	email:poll-remind:POLL:MEMBER            a poll's reminder to one who has not voted
//
// The attempt is recorded (committed) before the message is sent and its
// outcome after, so a restart never sends a message recorded as sent; a
// message whose answer was lost, or whose attempt a crash cut short, is
// sent again with the same Message-ID (derived from the key by the
// adapter), which mail systems take as the same message. Attempts are
// bounded (maxAttempts; a permanent refusal ends them at once), spaced
// (retryAfter, on the feature's clock), and what failed shows in
// `meeting status`.

// maxAttempts is how many times one message is tried before it is left
// as failed.
const maxAttempts = 5

func meetingKey(meeting, member int64, seq int) string {
	return fmt.Sprintf("email:meeting:%d:%d:%d", meeting, member, seq)
}
func reminderKey(rem, member int64) string { return fmt.Sprintf("email:reminder:%d:%d", rem, member) }
func pollKey(poll, member int64) string    { return fmt.Sprintf("email:poll:%d:%d", poll, member) }
func pollRemindKey(poll, member int64) string {
	return fmt.Sprintf("email:poll-remind:%d:%d", poll, member)
}

// keyMember reads the member id out of a key (its fourth part).
func keyMember(key string) int64 {
	parts := strings.Split(key, ":")
	if len(parts) < 4 {
		return 0
	}
	id, _ := strconv.ParseInt(parts[3], 10, 64)
	return id
}

// jobs lists one job per event that may have people to email: each
// upcoming meeting at its current sequence (an invitation, update or
// cancellation), each reminder of an upcoming meeting at its due time,
// each open poll, and the reminder of each open poll that asked for one
// (before its deadline, to those who have not voted). A job's due time is fixed by the event, and its key
// names the event and who gets email now, so that a job done stays done
// until the event or the recipients change (a newcomer then gets the
// invitation; the ledger keeps the others from getting it twice).
func (f *Feature) jobs(ctx context.Context) ([]scheduler.Job, error) {
	now := f.now()
	rs, err := f.recipients(ctx)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	h := fnv.New64a()
	for _, r := range rs {
		fmt.Fprintf(h, "%d,", r.m.ID)
	}
	who := fmt.Sprintf(":%x", h.Sum64())
	ms, err := f.store.FindMeetings(ctx, storage.MeetingFilter{From: now})
	if err != nil {
		return nil, err
	}
	var jobs []scheduler.Job
	for _, m := range ms {
		id := m.ID
		jobs = append(jobs, scheduler.Job{Key: fmt.Sprintf("email-meeting:%d:%d", id, m.Sequence) + who, Due: m.UpdatedAt,
			Run: func(ctx context.Context) error { return f.sendMeeting(ctx, id) }})
		if m.Status != storage.MeetingScheduled {
			continue
		}
		rs, err := f.store.RemindersOf(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.StartsAt.Equal(m.StartsAt) {
				rid := r.ID
				jobs = append(jobs, scheduler.Job{Key: "email-reminder:" + strconv.FormatInt(rid, 10) + who, Due: r.DueAt,
					Run: func(ctx context.Context) error { return f.sendReminder(ctx, rid) }})
			}
		}
	}
	open := storage.PollOpen
	ps, err := f.store.FindPolls(ctx, storage.PollFilter{Status: &open})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		id := p.ID
		jobs = append(jobs, scheduler.Job{Key: "email-poll:" + strconv.FormatInt(id, 10) + who, Due: p.CreatedAt,
			Run: func(ctx context.Context) error { return f.sendPoll(ctx, id) }})
		if p.RemindBefore > 0 && !p.ClosesAt.IsZero() {
			jobs = append(jobs, scheduler.Job{Key: "email-poll-remind:" + strconv.FormatInt(id, 10) + who,
				Due: p.ClosesAt.Add(-p.RemindBefore), Run: func(ctx context.Context) error { return f.sendPollReminder(ctx, id) }})
		}
	}
	return jobs, nil
}

// sendMeeting sends each recipient m's invitation at its current
// sequence: a first invitation, an update to those who had an earlier
// one, or, for a cancelled meeting, a cancellation to those who had one.
func (f *Feature) sendMeeting(ctx context.Context, id int64) error {
	m, err := f.store.MeetingByID(ctx, id)
	if err != nil || !f.now().Before(m.StartsAt) {
		return err
	}
	rs, err := f.recipients(ctx)
	if err != nil {
		return err
	}
	earlier, err := f.store.DeliveriesWithPrefix(ctx, Platform, fmt.Sprintf("email:meeting:%d:", id))
	if err != nil {
		return err
	}
	had := map[int64]bool{} // members an earlier sequence may have reached
	for _, d := range earlier {
		if !strings.HasSuffix(d.Key, ":"+strconv.Itoa(m.Sequence)) && (d.Status == storage.DeliverySent || d.Attempts > 0) {
			had[keyMember(d.Key)] = true
		}
	}
	return f.each(ctx, rs, func(r recipient) (string, builder) {
		kind := inviteNew
		switch {
		case m.Status == storage.MeetingCancelled && !had[r.m.ID]:
			return "", nil // never invited: nothing to withdraw
		case m.Status == storage.MeetingCancelled:
			kind = inviteCancel
		case had[r.m.ID]:
			kind = inviteUpdate
		}
		return meetingKey(id, r.m.ID, m.Sequence), built(func(r recipient) Message { return f.meetingMessage(r, m, kind) })
	})
}

// sendReminder emails reminder id to each recipient, unless its meeting
// has started, moved or been cancelled, or a later reminder of it is due
// too (after a stop, only the latest is worth sending).
func (f *Feature) sendReminder(ctx context.Context, id int64) error {
	rem, err := f.store.ReminderByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	m, err := f.store.MeetingByID(ctx, rem.MeetingID)
	now := f.now()
	if err != nil || m.Status != storage.MeetingScheduled || !now.Before(m.StartsAt) || !rem.StartsAt.Equal(m.StartsAt) {
		return err
	}
	all, err := f.store.RemindersOf(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != id && o.StartsAt.Equal(m.StartsAt) && o.DueAt.After(rem.DueAt) && !o.DueAt.After(now) {
			return nil // superseded by a later reminder, due too
		}
	}
	rs, err := f.recipients(ctx)
	if err != nil {
		return err
	}
	return f.each(ctx, rs, func(r recipient) (string, builder) {
		return reminderKey(id, r.m.ID), built(func(r recipient) Message { return f.reminderMessage(r, m) })
	})
}

// sendPoll emails poll id's invitation to each recipient while it is open.
func (f *Feature) sendPoll(ctx context.Context, id int64) error {
	p, err := f.store.PollByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil || !p.Open() || (!p.ClosesAt.IsZero() && !f.now().Before(p.ClosesAt)) {
		return err
	}
	rs, err := f.recipients(ctx)
	if err != nil {
		return err
	}
	return f.each(ctx, rs, func(r recipient) (string, builder) {
		return pollKey(id, r.m.ID), func(ctx context.Context, r recipient) (Message, error) {
			vote, err := f.voteLinkSecret(ctx, p, r)
			if err != nil {
				return Message{}, fmt.Errorf("vote link: %w", err)
			}
			return f.pollMessage(r, p, vote), nil
		}
	})
}

// sendPollReminder emails poll id's reminder, with fresh vote links, to
// each recipient who has not voted, while it takes votes: the chat members
// get theirs privately from the polls feature; email-only members have
// no chat to get it in.
func (f *Feature) sendPollReminder(ctx context.Context, id int64) error {
	p, err := f.store.PollByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil || !p.Open() || p.ClosesAt.IsZero() || !f.now().Before(p.ClosesAt) {
		return err
	}
	rs, err := f.recipients(ctx)
	if err != nil {
		return err
	}
	non, err := f.store.NonVoters(ctx, id)
	if err != nil {
		return err
	}
	waiting := map[int64]bool{}
	for _, m := range non {
		waiting[m.ID] = true
	}
	return f.each(ctx, rs, func(r recipient) (string, builder) {
		if !waiting[r.m.ID] {
			return "", nil
		}
		return pollRemindKey(id, r.m.ID), func(ctx context.Context, r recipient) (Message, error) {
			vote, err := f.voteLinkSecret(ctx, p, r)
			if err != nil {
				return Message{}, fmt.Errorf("vote link: %w", err)
			}
			return f.pollReminderMessage(r, p, vote), nil
		}
	})
}

// builder writes the message to r; an error leaves it unsent, and tried
// again later.
type builder func(ctx context.Context, r recipient) (Message, error)

// built is a builder that cannot fail.
func built(b func(recipient) Message) builder {
	return func(_ context.Context, r recipient) (Message, error) { return b(r), nil }
}

// each delivers to every recipient the message plan gives them (no key:
// none), one after the other. It returns an error while some message may
// still go out on a later attempt, so that the scheduler tries again with
// back-off; messages that are sent or given up on are not tried again.
func (f *Feature) each(ctx context.Context, rs []recipient, plan func(recipient) (string, builder)) error {
	var errs []error
	for _, r := range rs {
		key, build := plan(r)
		if key == "" {
			continue
		}
		if err := f.deliverOnce(ctx, r, key, build); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	return errors.Join(errs...)
}

// retryAfter is how long after a failed attempt (the n-th) the next one
// may start: 1, 4, 16 then 64 minutes, so that the attempts span an
// outage of the mail server of more than an hour rather than seconds.
func retryAfter(n int) time.Duration {
	return time.Minute << (2 * min(max(n-1, 0), 3))
}

// errNotYet is deliverOnce's answer for a message whose next attempt is
// not due yet: the job is not done.
var errNotYet = errors.New("the next attempt is not due yet")

// gaveUp reports whether d's message is no longer tried: too many
// attempts, or a permanent refusal (an SMTP 5xx answer).
func gaveUp(d *storage.Delivery) bool {
	if d == nil || d.Status != storage.DeliveryFailed {
		return false
	}
	return d.Attempts >= maxAttempts || (d.ErrorCode == storage.FailureRefused && strings.HasPrefix(d.LastError, "SMTP 5"))
}

// deliverOnce sends the message under key to r unless the ledger has it
// as sent or given up on; the attempt is committed before the send.
func (f *Feature) deliverOnce(ctx context.Context, r recipient, key string, build builder) error {
	ds, err := f.store.Deliveries(ctx, key)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Platform != Platform {
			continue
		}
		if d.Status == storage.DeliverySent || gaveUp(d) {
			return nil
		}
		if next := d.StartedAt.Add(retryAfter(d.Attempts)); d.Status == storage.DeliveryFailed && f.now().Before(next) {
			return errNotYet // the scheduler looks again, on its own back-off
		}
	}
	if r.token == "" {
		if r.token, err = f.store.EmailToken(ctx, r.m.ID); err != nil {
			return err
		}
	}
	msg, err := build(ctx, r)
	if err != nil {
		return err
	}
	msg.Key = key
	if _, err := f.store.BeginDelivery(ctx, key, Platform); err != nil {
		if storage.ErrorCode(err) == storage.ECONFLICT {
			return nil // recorded as sent meanwhile
		}
		return fmt.Errorf("recording the attempt: %w", err)
	}
	err = f.o.Sender.Send(ctx, msg)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err == nil {
		if rerr := f.store.RecordDeliverySent(rctx, key, storage.PostRef{Platform: Platform}); rerr != nil {
			// The next attempt sends it again, with the same Message-ID.
			return fmt.Errorf("recording %s as sent: %w", key, rerr)
		}
		return nil
	}
	code, detail := handlers.FailureCode(err)
	// A mail server's answer often quotes the recipient's address; the
	// log gets the key (member id, event), never the address.
	f.log.Warn("email not sent", "key", key, "code", code, "detail", withoutAddresses(detail),
		"err", withoutAddresses(err.Error()))
	if rerr := f.store.RecordDeliveryFailure(rctx, key, Platform, code, detail); rerr != nil {
		f.log.Error("recording a failed email", "key", key, "err", rerr)
	}
	return err
}

// addressLike matches what reads as an email address in a server's answer.
var addressLike = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// withoutAddresses replaces every address in s by "[address]".
func withoutAddresses(s string) string { return addressLike.ReplaceAllString(s, "[address]") }
