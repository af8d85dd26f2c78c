package meetings

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// reminderGrace is how long after its due time a reminder still counts as
// on time; later ones say "(late)".
const reminderGrace = time.Minute

// reminderPostTimeout bounds one post, so a hung platform call turns into a
// retry rather than a stuck job.
const reminderPostTimeout = 30 * time.Second

// reminderHeartbeat is how often a running delivery attempt renews its
// lease: three beats fit in one lease, so one slow write does not lose it.
const reminderHeartbeat = storage.ReminderLease / 3

// reminderRunner posts reminders exactly once. owner identifies it in the
// database's delivery leases, so that another process on the same database
// never posts a reminder this one claimed; beat is how often a running
// attempt renews its lease.
type reminderRunner struct {
	s     *Feature
	owner string
	beat  time.Duration

	planMu  sync.Mutex // held across the start-up re-plan, so it runs once at a time
	planned bool       // the start-up re-plan succeeded
}

// newReminderRunner is the reminders' job source of one process. It
// re-plans upcoming meetings with the configured offsets at its first
// successful scan (and tries again at the next scan until it succeeds), so
// a changed [meetings] reminders setting applies after a restart.
func newReminderRunner(s *Feature) *reminderRunner {
	return &reminderRunner{s: s, owner: newClaimOwner(), beat: reminderHeartbeat}
}

// jobs lists the pending reminders. Rows storage could not read are logged
// and left out; the others are still scheduled.
func (r *reminderRunner) jobs(ctx context.Context) ([]scheduler.Job, error) {
	r.replanOnce(ctx)
	pending, err := r.s.store.PendingReminders(ctx)
	var bad *storage.UnreadableRowsError
	if errors.As(err, &bad) {
		r.s.log.Error("skipping unreadable reminders", "ids", bad.IDs, "err", err)
		err = nil
	}
	if err != nil {
		return nil, err
	}
	jobs := make([]scheduler.Job, 0, len(pending))
	for _, p := range pending {
		id := p.ID
		jobs = append(jobs, scheduler.Job{Key: reminderKey(id), Due: p.DueAt,
			Run: func(ctx context.Context) error { return r.run(ctx, id) }})
	}
	return jobs, nil
}

// replanOnce re-plans upcoming meetings until that succeeds once. A scan
// cancelled by shutdown is not a failure worth an error in the log.
func (r *reminderRunner) replanOnce(ctx context.Context) {
	r.planMu.Lock()
	defer r.planMu.Unlock()
	if r.planned {
		return
	}
	err := r.s.replanUpcoming(ctx)
	switch {
	case err == nil:
		r.planned = true
	case ctx.Err() != nil:
		r.s.log.Debug("re-planning reminders interrupted", "err", err)
	default:
		r.s.log.Error("re-planning reminders; will retry at the next scan", "err", err)
	}
}

// replanUpcoming plans the configured offsets for every meeting that has
// not started. A meeting that fails does not keep the others from being
// re-planned; the errors are joined.
func (s *Feature) replanUpcoming(ctx context.Context) error {
	ms, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: s.now(), Status: storage.MeetingScheduled})
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range ms {
		if err := s.store.PlanReminders(ctx, m.ID, s.meetingOffsets()); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, fmt.Errorf("meeting %d: %w", m.ID, err))
		}
	}
	return errors.Join(errs...)
}

// reminderKey is a reminder's job key: the scheduler's, and the one its
// posts carry so that they can be found again in the channel.
func reminderKey(id int64) string { return "reminder:" + strconv.FormatInt(id, 10) }

// run delivers one reminder. The database decides (ClaimReminder): a
// reminder already sent or skipped is done; one whose meeting started is
// closed and logged; one another process has claimed returns its conflict
// error, so the scheduler retries until that process records it (or its
// lease goes stale: the owner renews it while it works, so a dead owner's
// lease lapses within ReminderLease); otherwise this runner holds the
// lease, posts it to every platform that does not have it yet (postOnce:
// each copy is keyed, its attempt recorded before it is sent, an uncertain
// one looked up before it is sent again) and records it as sent once every
// platform has it. A platform that failed is recorded and returned, so the
// scheduler retries that platform alone, with backoff, until it goes out
// or the meeting starts.
func (r *reminderRunner) run(ctx context.Context, id int64) error {
	rem, m, ok, err := r.s.store.ClaimReminder(ctx, id, r.owner)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // its meeting was re-planned away
	}
	if err != nil || !ok {
		r.logClosed(rem, err)
		return err
	}
	late := r.s.now().After(rem.DueAt.Add(reminderGrace))
	msg := r.s.reminderMessage(m, late)
	// A shutdown does not cut the attempt short: from here on the work
	// ignores the scheduler's cancellation (Stop waits for it) and is
	// bounded by its own timeout, or ended when the lease is lost.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reminderPostTimeout)
	defer cancel()
	stop := r.heartbeat(ctx, id, cancel)
	refs, err := r.s.svc.PostOnce(ctx, reminderKey(id), msg)
	stop()
	if handlers.Unsettled(err) {
		r.fail(ctx, id, err)
		return err
	}
	if err != nil {
		r.s.log.Warn("reminder left to a coordinator on some platform", "reminder", id, "err", err)
	}
	return r.record(ctx, id, storageRefs(refs), late)
}

// heartbeat renews this runner's lease on reminder id every r.beat, on
// the feature's clock, until the returned stop is called. If the lease is
// lost (another process took it over after a stall), lost is called so
// that the attempt ends as soon as it can. Each beat sets the next one
// once it is done, so beats never overlap; stop waits for one under way.
func (r *reminderRunner) heartbeat(ctx context.Context, id int64, lost func()) (stop func()) {
	var (
		mu      sync.Mutex
		stopped bool
		cancel  func() bool
		running sync.WaitGroup
	)
	var beat func()
	next := func() { // mu held
		running.Add(1)
		cancel = r.s.clock.AfterFunc(r.beat, beat)
	}
	beat = func() {
		defer running.Done()
		if ctx.Err() != nil {
			return
		}
		if err := r.s.store.RenewReminderClaim(ctx, id, r.owner); err != nil {
			r.s.log.Warn("reminder lease not renewed", "reminder", id, "err", err)
			if storage.ErrorCode(err) == storage.ECONFLICT {
				lost()
				return
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			next()
		}
	}
	mu.Lock()
	next()
	mu.Unlock()
	return func() {
		mu.Lock()
		stopped = true
		if cancel() {
			running.Done() // the beat it cancelled will not run
		}
		mu.Unlock()
		running.Wait()
	}
}

func (r *reminderRunner) logClosed(rem *storage.Reminder, err error) {
	if err != nil || rem == nil || rem.Reason == storage.ReasonNone || rem.Status == storage.ReminderSent {
		return
	}
	r.s.log.Warn("reminder not posted", "reminder", rem.ID, "meeting", rem.MeetingID,
		"status", rem.Status, "reason", rem.Reason, "attempts", rem.Attempts, "last_error", rem.LastError)
}

// fail records a failed attempt. The reminder's own record says only
// that some platform does not have it yet (reminderNotEverywhere): each
// platform's delivery says why, in words the status translates, never an
// error's text.
func (r *reminderRunner) fail(ctx context.Context, id int64, cause error) {
	r.s.log.Warn("reminder post failed", "reminder", id, "err", cause)
	if err := r.s.store.MarkReminderFailed(ctx, id, r.owner, reminderNotEverywhere); err != nil {
		r.s.log.Error("recording reminder failure", "reminder", id, "err", err)
	}
}

// reminderNotEverywhere is a reminder's last error after an attempt that
// did not reach every platform: a code the status translates.
const reminderNotEverywhere = "not_everywhere"

// describeReminder names a reminder: which, of which meeting.
func (s *Feature) describeReminder(ctx context.Context, hc *handlers.Call, key string) string {
	rem, m, err := s.reminder(ctx, key)
	if err != nil {
		return ""
	}
	c := s.call(hc)
	return c.T("meeting_reminder_named", map[string]any{"Offset": c.meetingSpan(rem.Offset), "ID": m.ID,
		"Title": c.meetingTitle(m)})
}

// repostReminder posts reminder key again where a coordinator found it
// missing, unless its meeting has started or moved since: it would be
// late, or wrong.
func (s *Feature) repostReminder(ctx context.Context, key string) error {
	rem, m, err := s.reminder(ctx, key)
	if err != nil {
		return err
	}
	if !s.now().Before(m.StartsAt) || !rem.StartsAt.Equal(m.StartsAt) || m.Status != storage.MeetingScheduled {
		return storage.Errorf(storage.EINVALID, "delivery_error_too_late", map[string]any{"Key": key},
			"reminder %d: its meeting started, moved or was cancelled", rem.ID)
	}
	_, err = s.svc.PostOnce(ctx, key, s.reminderMessage(m, s.now().After(rem.DueAt.Add(reminderGrace))))
	return err
}

// reminder is the reminder under key with its meeting.
func (s *Feature) reminder(ctx context.Context, key string) (*storage.Reminder, *storage.Meeting, error) {
	id, ok := keyID(key, "reminder:")
	if !ok {
		return nil, nil, storage.ErrNotFound
	}
	rem, err := s.store.ReminderByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.store.MeetingByID(ctx, rem.MeetingID)
	return rem, m, err
}

// record marks a reminder sent on every platform. If the database
// refuses, the retry finds every copy in the delivery ledger (or its
// channel) and records it without posting again.
func (r *reminderRunner) record(ctx context.Context, id int64, refs []storage.PostRef, late bool) error {
	err := r.s.store.MarkReminderSent(ctx, id, refs, late)
	if err != nil && storage.ErrorCode(err) != storage.ECONFLICT {
		return fmt.Errorf("recording reminder %d as sent: %w", id, err)
	}
	r.s.log.Info("reminder posted", "reminder", id, "late", late, "messages", len(refs))
	return nil
}

// newClaimOwner is a random id for this process's reminder claims; the pid
// in front only helps a reader of the database tell processes apart.
func newClaimOwner() string {
	return strconv.Itoa(os.Getpid()) + "-" + rand.Text()[:12]
}

func storageRefs(refs []handlers.MessageRef) []storage.PostRef {
	out := make([]storage.PostRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, storage.PostRef{Platform: r.Platform, Channel: r.Channel, ID: r.ID})
	}
	return out
}

// reminderMessage is the bilingual community post for a meeting: what,
// when (each reader's zone where the platform can), theme, agenda, link,
// and one row of RSVP buttons labelled in both languages.
func (s *Feature) reminderMessage(m *storage.Meeting, late bool) handlers.Reply {
	en, fr := s.langCall("en"), s.langCall("fr")
	post := handlers.Bilingual(s.reminderPart(en, m, late), s.reminderPart(fr, m, late))
	post.Blocks = append(post.Blocks, s.bilingualButtons(m, true))
	return post
}

// bilingualButtons is the row of a community post's meeting buttons (RSVP,
// and the link while the meeting is open when open), each labelled in
// both languages: the post is read by everyone, in either.
func (s *Feature) bilingualButtons(m *storage.Meeting, open bool) handlers.Actions {
	en, fr := s.langCall("en"), s.langCall("fr")
	enButtons, frButtons := en.meetingButtons(m, open, true), fr.meetingButtons(m, open, true)
	for i := range enButtons {
		enButtons[i].Label += " / " + frButtons[i].Label
	}
	return handlers.Actions{Buttons: enButtons}
}

func (s *Feature) reminderPart(c *call, m *storage.Meeting, late bool) handlers.Reply {
	key := "reminder_header"
	if late {
		key = "reminder_header_late"
	}
	return c.Reply("reminder", handlers.InChannel, append(c.meetingHeader(key, m),
		handlers.Section{Text: c.T("reminder_starts_in", map[string]any{"In": c.meetingSpan(reminderLeft(m, s.now()))})},
		c.meetingTime(m),
		// The post carries both languages in one message, which renderers
		// type-set in one language: lines written here keep each half's
		// typography (« Durée : » in French).
		handlers.Section{Text: c.fieldLines(c.meetingFields(m, true))},
		handlers.Context{Text: c.T("meeting_rsvp_hint", c.With(map[string]any{"ID": m.ID}))})...)
}

// reminderLeft is the time until the start, rounded to the minute (and at
// least a second, for the seconds-scale offsets tests use).
func reminderLeft(m *storage.Meeting, now time.Time) time.Duration {
	left := m.StartsAt.Sub(now)
	if left >= time.Minute {
		return left.Round(time.Minute)
	}
	return max(left.Round(time.Second), time.Second)
}
