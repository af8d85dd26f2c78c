package meetings

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

func TestReminderPostedOnce(t *testing.T) {
	e := newMtgEnvOffsets(t, 24*time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, 24*time.Hour)
	if errs := e.runPending(); len(errs) != 0 || len(e.poster.Posts("")) != 0 {
		t.Fatalf("before due: errs %v, %d posts", errs, len(e.poster.Posts("")))
	}
	e.clock.Set(start.Add(-24 * time.Hour))
	jobs, err := pendingJobs(context.Background(), e.s)
	if err != nil || len(jobs) != 1 || jobs[0].Key != "reminder:1" || !jobs[0].Due.Equal(start.Add(-24*time.Hour)) {
		t.Fatalf("jobs = %+v, %v", jobs, err)
	}
	for i := 0; i < 3; i++ { // a job run again (a racing rescan) posts nothing more
		if err := jobs[0].Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	posts := e.poster.Posts("reminder")
	if len(posts) != 1 {
		t.Fatalf("%d reminder posts, want 1", len(posts))
	}
	mtgHas(t, posts[0], "Reminder: Quarterly meeting", "Starts in 1 day.", "When: Wednesday, February 3, 2027 at 10:00 a.m. EST",
		"Theme: Accessibility", "Video conference: https://meet.example.ca/cop", "/cop attend 1",
		"Rappel\u00a0: Quarterly meeting", "Début dans 1 jour.", "Quand\u00a0: mercredi 3 février 2027 à 10\u00a0h HNE",
		"Thème", "Vidéoconférence", "/cop participer 1")
	if strings.Contains(posts[0].Text, "late") {
		t.Errorf("an on-time reminder says late:\n%s", posts[0].Text)
	}
	var buttons []string
	var unix int64
	for _, b := range posts[0].Blocks {
		switch b := b.(type) {
		case handlers.Actions:
			for _, btn := range b.Buttons {
				buttons = append(buttons, btn.ActionID+":"+btn.Label)
			}
		case handlers.Time:
			unix = b.Unix
		}
	}
	if got := strings.Join(buttons, ", "); got != "rsvp_yes:I’ll attend / J’y serai, rsvp_no:Can’t attend / Je ne pourrai pas, meeting_link:Join the call / Rejoindre l’appel" {
		t.Errorf("buttons: %s", got)
	}
	if unix != start.Unix() {
		t.Errorf("time block unix %d, want %d", unix, start.Unix())
	}
	r := e.reminder(1)
	if r.Status != storage.ReminderSent || r.Late || len(r.Refs) != 1 || r.Refs[0].Channel != "C0COP" {
		t.Errorf("stored reminder %+v", r)
	}
}

// Restarting (a new Service on the same database) never posts a sent
// reminder again.
func TestReminderNotRepostedAfterRestarts(t *testing.T) {
	e := newMtgEnvOffsets(t, 24*time.Hour, time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, 24*time.Hour, time.Hour)
	e.clock.Set(start.Add(-24 * time.Hour))
	e.runPending()
	for i := 0; i < 3; i++ {
		e.restart()
		e.clock.Set(start.Add(-24*time.Hour + time.Duration(i+1)*time.Minute))
		if errs := e.runPending(); len(errs) != 0 {
			t.Fatal(errs)
		}
	}
	if n := len(e.poster.Posts("reminder")); n != 1 {
		t.Errorf("%d reminder posts after three restarts, want 1", n)
	}
}

// A reminder whose due time passed while the bot was down is posted once
// at start-up, marked late; one whose meeting started is skipped.
func TestReminderAfterDowntime(t *testing.T) {
	tests := []struct {
		name       string
		downUntil  time.Duration // after the 24h reminder's due time
		wantPosts  int
		wantStatus storage.ReminderStatus
		wantLate   bool
	}{
		{"back within the grace minute", 30 * time.Second, 1, storage.ReminderSent, false},
		{"back hours later", 5 * time.Hour, 1, storage.ReminderSent, true},
		{"back after the meeting started", 24*time.Hour + time.Minute, 0, storage.ReminderSkipped, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newMtgEnvOffsets(t, 24*time.Hour)
			start := mtgT0.Add(48 * time.Hour)
			e.addMeeting(start, 24*time.Hour)
			e.clock.Set(start.Add(-24*time.Hour + tt.downUntil))
			e.restart()
			for i := 0; i < 2; i++ {
				if errs := e.runPending(); len(errs) != 0 {
					t.Fatal(errs)
				}
			}
			posts := e.poster.Posts("reminder")
			if len(posts) != tt.wantPosts {
				t.Fatalf("%d posts, want %d", len(posts), tt.wantPosts)
			}
			r := e.reminder(1)
			if r.Status != tt.wantStatus || r.Late != tt.wantLate {
				t.Errorf("stored %s late=%v, want %s late=%v", r.Status, r.Late, tt.wantStatus, tt.wantLate)
			}
			if tt.wantLate {
				mtgHas(t, posts[0], "Reminder (late): Quarterly meeting", "Rappel (en retard)\u00a0: Quarterly meeting", "Starts in 19 hours.")
			}
		})
	}
}

// A failing platform: the failure is recorded and the error returned (the
// scheduler retries); the next attempt posts once. The reminder records a
// code its status translates, never the error's English text.
func TestReminderRetriesAfterPostFailure(t *testing.T) {
	e := newMtgEnvOffsets(t, time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, time.Hour)
	e.clock.Set(start.Add(-time.Hour))
	e.poster.FailNext(2, errMtgDown, false)
	for i := 1; i <= 2; i++ {
		errs := e.runPending()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "503") {
			t.Fatalf("attempt %d: errs %v, want the platform error", i, errs)
		}
		r := e.reminder(1)
		if r.Status != storage.ReminderPending || r.Attempts != i || r.LastError != reminderNotEverywhere {
			t.Errorf("after failure %d: %+v", i, r)
		}
	}
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	if n := len(e.poster.Posts("reminder")); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
	r := e.reminder(1)
	if r.Status != storage.ReminderSent || r.Attempts != 3 || r.LastError != "" {
		t.Errorf("after success: %+v", r)
	}
}

// A platform still failing when the meeting starts: the reminder is
// closed as failed, not posted after the start.
func TestReminderFailsWhenMeetingStarts(t *testing.T) {
	e := newMtgEnvOffsets(t, time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, time.Hour)
	e.clock.Set(start.Add(-time.Hour))
	e.poster.FailNext(1000, errMtgDown, false)
	e.runPending()
	e.clock.Set(start)
	e.poster.FailNext(0, nil, false)
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	r := e.reminder(1)
	if r.Status != storage.ReminderFailed || r.Reason != storage.ReasonStarted || len(e.poster.Posts("")) != 0 {
		t.Errorf("reminder %s/%s with %d posts, want failed/started and none", r.Status, r.Reason, len(e.poster.Posts("")))
	}
}

func TestReminderWithoutPosterIsRetried(t *testing.T) {
	e := newMtgEnvOffsets(t, time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, time.Hour)
	e.clock.Set(start.Add(-time.Hour))
	e.s.SetPoster(nil)
	if errs := e.runPending(); len(errs) != 1 {
		t.Fatalf("errs %v, want one", errs)
	}
	e.s.SetPoster(e.poster)
	if errs := e.runPending(); len(errs) != 0 || len(e.poster.Posts("reminder")) != 1 {
		t.Errorf("errs %v, %d posts", errs, len(e.poster.Posts("reminder")))
	}
}

// Changing the configured offsets applies to upcoming meetings at the next
// start: the Jobs source re-plans once.
func TestJobsReplanWithNewOffsets(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), 336*time.Hour, 24*time.Hour, time.Hour)
	e.opts.Meetings.Reminders = []time.Duration{48 * time.Hour}
	e.restart()
	jobs, err := pendingJobs(context.Background(), e.s)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || !jobs[0].Due.Equal(mtgT0.Add(28*24*time.Hour)) {
		t.Errorf("jobs after new offsets: %+v", jobs)
	}
}

// The end-to-end run: the real scheduler (cron, one-shot entries) on the
// test clock, moved by hand. A meeting a minute ahead with a reminder due
// in two seconds is posted once, at that second; three restarts post
// nothing more; a reminder that fell due while the bot was down is posted
// once, late, when it comes back.
func TestReminderEndToEndWithScheduler(t *testing.T) {
	offsets := []time.Duration{58 * time.Second, 299 * time.Second}
	e := newMtgEnvOffsets(t, offsets...)
	ctx := context.Background()
	start := e.clock.Now().Truncate(time.Second).Add(time.Minute)
	if _, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: "Smoke test", StartsAt: start, Zone: "America/Toronto",
		Duration: time.Hour, Reminders: offsets}); err != nil {
		t.Fatal(err)
	}
	due := start.Add(-58 * time.Second)
	sch := mtgStartScheduler(t, e)
	e.clock.Set(due.Add(-time.Second))
	mtgSettle(t, sch)
	if n := len(e.poster.Posts("reminder")); n != 0 {
		t.Fatalf("%d posts a second before the reminder is due", n)
	}
	e.clock.Set(due)
	mtgSettle(t, sch)
	if n := len(e.poster.Posts("reminder")); n != 1 {
		t.Fatalf("%d posts once the reminder is due, want 1", n)
	}
	sch.Stop()
	for i := 0; i < 3; i++ {
		e.restart()
		sch = mtgStartScheduler(t, e)
		e.clock.Add(time.Second)
		mtgSettle(t, sch)
		sch.Stop()
	}
	if posts := e.poster.Posts("reminder"); len(posts) != 1 {
		for _, p := range posts {
			t.Log(p.Text)
		}
		t.Fatalf("%d posts after three restarts, want 1", len(posts))
	}

	// Down: a second meeting's 299 s reminder falls due, and two minutes
	// pass; the meeting is still ahead.
	second, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: "Second", StartsAt: e.clock.Now().Add(300 * time.Second),
		Zone: "America/Toronto", Duration: time.Hour, Reminders: offsets})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(2 * time.Minute))
	e.restart()
	sch = mtgStartScheduler(t, e)
	defer sch.Stop()
	mtgSettle(t, sch)
	posts := e.poster.Posts("reminder")
	if len(posts) != 2 || !strings.Contains(posts[1].Text, "Reminder (late): Second") {
		t.Fatalf("posts: %d, last %q", len(posts), posts[len(posts)-1].Text)
	}
	if r := e.reminder(mtgReminderWith(t, e, second.ID, 299*time.Second)); r.Status != storage.ReminderSent || !r.Late {
		t.Errorf("second meeting's reminder: %+v", r)
	}
}

func mtgReminderWith(t *testing.T, e *mtgEnv, meetingID int64, offset time.Duration) int64 {
	t.Helper()
	rs, err := e.db.RemindersOf(context.Background(), meetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Offset == offset {
			return r.ID
		}
	}
	t.Fatalf("meeting %d has no %s reminder", meetingID, offset)
	return 0
}

func mtgStartScheduler(t *testing.T, e *mtgEnv) *scheduler.Scheduler {
	t.Helper()
	sch := scheduler.NewWithClock(e.clock, e.s.Log(), e.s.JobSources()...)
	e.s.SetReplan(sch.Reload)
	sch.Start(context.Background())
	mtgSettle(t, sch)
	return sch
}

// mtgSettle waits until the scheduler has run everything the clock made
// due (scheduler.Settled), with a guard against a hang.
func mtgSettle(t *testing.T, sch *scheduler.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard, not a speed target
	defer cancel()
	if err := sch.Settled(ctx); err != nil {
		t.Fatal(err)
	}
}

// Two processes on one database (an old one still shutting down while the
// new one starts, or the console opened on the production file) run the
// same due reminder at the same time: the lease lets one post; the other is
// refused with a conflict (so its scheduler retries) and its retry, once
// the post is recorded, posts nothing.
func TestReminderPostedOnceByTwoProcesses(t *testing.T) {
	e := newMtgEnvOffsets(t, time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, time.Hour)
	e.clock.Set(start.Add(-time.Hour))
	entered, hold := make(chan struct{}, 2), make(chan struct{})
	e.poster.HoldPosts(entered, hold)
	var jobs []scheduler.Job
	for _, s := range []*handlers.Service{e.s, e.second()} {
		js, err := pendingJobs(context.Background(), s)
		if err != nil || len(js) != 1 {
			t.Fatalf("jobs %+v, %v", js, err)
		}
		jobs = append(jobs, js[0])
	}
	errs := make(chan error, len(jobs))
	for _, j := range jobs {
		go func() { errs <- j.Run(context.Background()) }()
	}
	// One run claims the reminder and is held inside its post; the other
	// must return, refused, while the first is still posting.
	hang := time.After(10 * time.Second)
	var refused int
	select {
	case <-entered:
	case <-hang:
		t.Fatal("no run started posting")
	}
	select {
	case err := <-errs:
		if mtgErrKey(err) != "reminder_error_claimed" {
			t.Errorf("run during the other's post: %v, want reminder_error_claimed", err)
		} else {
			refused++
		}
	case <-entered:
		t.Fatal("both runs are posting the same reminder")
	case <-hang:
		t.Fatal("the second run did not return while the first was posting")
	}
	close(hold)
	if err := <-errs; err != nil {
		t.Errorf("posting run: %v", err)
	}
	e.poster.HoldPosts(nil, nil)
	if n := len(e.poster.Posts("reminder")); n != 1 || refused != 1 {
		t.Fatalf("%d posts, %d runs refused; want 1 post and the other run refused", n, refused)
	}
	for _, j := range jobs {
		if err := j.Run(context.Background()); err != nil {
			t.Errorf("retry after the post was recorded: %v", err)
		}
	}
	r := e.reminder(1)
	if n := len(e.poster.Posts("reminder")); n != 1 || r.Status != storage.ReminderSent || r.Attempts != 1 {
		t.Errorf("after retries: %d posts, reminder %s with %d attempts; want 1 post, sent after 1", n, r.Status, r.Attempts)
	}
}

// A start-up re-plan that fails (here: the first scan is cancelled) is
// tried again at the next scan, and a cancelled scan is not logged as an
// error.
func TestReplanRetriedAfterFailedScan(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), 336*time.Hour, 24*time.Hour, time.Hour)
	e.opts.Meetings.Reminders = []time.Duration{48 * time.Hour}
	var logs bytes.Buffer
	e.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.restart()
	src := e.s.JobSources()[0]
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.Pending(cancelled); err == nil {
		t.Fatal("a cancelled scan succeeded")
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a cancelled scan logged an error:\n%s", logs.String())
	}
	jobs, err := src.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || !jobs[0].Due.Equal(mtgT0.Add(28*24*time.Hour)) {
		t.Errorf("jobs after the retried re-plan: %+v, want one 48h reminder", jobs)
	}
}

// A start more than five years ahead is refused in both languages, and
// nothing is stored: such a start once made every reminder listing fail.
func TestMeetingAddTooFarAhead(t *testing.T) {
	e := newMtgEnv(t, nil)
	for _, tt := range []struct{ lang, text, want string }{
		{"en", "meeting add 9999-12-31 23:59 x", "at most 5 years ahead"},
		{"fr", "réunion ajouter 2032-02-02 10:00 x", "au plus 5 ans à l’avance"},
	} {
		r := e.ask("coord", tt.lang, tt.text)
		if r.Kind != "error" || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s: %s %q, want an error with %q", tt.text, r.Kind, r.Text, tt.want)
		}
	}
	if r := e.ask("coord", "en", "meeting add 2032-01-31 10:00 x"); r.Kind == "error" {
		t.Errorf("a start just under 5 years ahead is refused: %s", r.Text)
	}
	if ms := e.meetings(); len(ms) != 1 {
		t.Errorf("%d meetings stored, want only the one within 5 years", len(ms))
	}
}
