package polls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/scheduler"
	"copbot/storage"
)

func (e *ptEnv) meeting(theme string) *storage.Meeting {
	e.t.Helper()
	m, err := e.db.CreateMeeting(context.Background(), storage.MeetingInput{Title: "March meeting", Theme: theme,
		StartsAt: time.Now().Add(30 * 24 * time.Hour), Zone: "America/Toronto", Duration: time.Hour})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// TestPollCloseJobExactlyOnce runs the closing job of one poll twice in
// each of two Services sharing the database, all at once: the poll closes
// once, its result is posted once, and the linked meeting's theme becomes
// the winner.
func TestPollCloseJobExactlyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copbot.db")
	clock := newPtClock()
	a := newPtEnvClock(t, path, &handlerstest.Poster{}, clock)
	b := newPtEnvClock(t, path, &handlerstest.Poster{}, clock)
	for i, lang := range []string{"en", "fr", "en"} {
		a.join(fmt.Sprintf("m%d", i), fmt.Sprintf("Member %d", i), lang)
	}
	m := a.meeting("")
	p := a.create(fmt.Sprintf(`"Theme for March?" "Accessibility technology" "Serving vulnerable communities" --closes 1h --meeting %d`, m.ID))
	for i, opt := range []int{2, 2, 1} {
		a.vote(ptUser(fmt.Sprintf("m%d", i)), p, opt)
	}
	key := pollCloseKey(p.ID)
	job := a.ptJob(key)
	if job == nil || !job.Due.Equal(p.ClosesAt) {
		t.Fatalf("job %s = %+v", key, job)
	}
	clock.Add(time.Hour + time.Second)
	var wg sync.WaitGroup
	for _, e := range []*ptEnv{a, b, a, b} {
		j := e.ptJob(key)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if j == nil {
				return // another run already finished
			}
			if err := j.Run(context.Background()); err != nil {
				t.Errorf("Run: %v", err)
			}
		}()
	}
	wg.Wait()
	results := append(a.fake.Posts("poll_result"), b.fake.Posts("poll_result")...)
	if len(results) != 1 {
		t.Fatalf("%d result posts, want 1", len(results))
	}
	ptHas(t, results[0], "Result: “Serving vulnerable communities” wins with 2 votes (67% of voters).",
		fmt.Sprintf("Meeting %d’s theme is now “Serving vulnerable communities”.", m.ID),
		"Le thème de la réunion")
	got := a.poll(p.ID)
	if got.Open() || got.ResultPostedAt.IsZero() {
		t.Errorf("poll after close = %+v", got)
	}
	if mt, _ := a.db.MeetingByID(context.Background(), m.ID); mt.Theme != "Serving vulnerable communities" {
		t.Errorf("meeting theme = %q", mt.Theme)
	}
	if j := b.ptJob(key); j != nil {
		t.Errorf("closed and posted poll still has job %+v", j)
	}
	a.s.Close()
	b.s.Close()
	ups := append(a.fake.Updates(), b.fake.Updates()...)
	if len(ups) == 0 || !strings.Contains(ups[len(ups)-1].Reply.Text, "Closed · Result: “Serving vulnerable communities” wins") {
		t.Errorf("the poll message was not rewritten as closed: %d updates", len(ups))
	}
	for _, u := range ups {
		if len(ptButtons(u.Reply)) > 0 && strings.Contains(u.Reply.Text, "Closed") {
			t.Error("a closed poll message still has vote buttons")
		}
	}
}

// TestPollClosesAcrossRestart: the process that created the poll stops
// before the deadline; a scheduler in a new process closes it once, and a
// third process started after that does nothing more.
func TestPollClosesAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copbot.db")
	clock := newPtClock()
	a := newPtEnvClock(t, path, &handlerstest.Poster{}, clock)
	a.join("m1", "Alex Martin", "en")
	m := a.meeting("Old theme")
	p := a.create(fmt.Sprintf(`"Theme?" "Wellness" "AI" --closes 1h --meeting %d`, m.ID))
	a.vote(ptUser("m1"), p, 2)
	a.s.Close() // the first process goes away
	clock.Add(time.Hour + time.Second)

	// The second process's scheduler finds the poll overdue and closes it.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := newPtEnvClock(t, path, &handlerstest.Poster{}, clock)
	sch := scheduler.NewWithClock(clock, log, scheduler.SourceFunc(e.f.jobs))
	e.s.SetReplan(sch.Reload)
	sch.Start(context.Background())
	// Settled: the overdue job has run to its end, post and record, before
	// Stop (which cancels a job's context) is called.
	hang, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard, not a speed target
	defer cancel()
	if err := sch.Settled(hang); err != nil {
		t.Fatal(err)
	}
	sch.Stop()
	if e.poll(p.ID).ResultPostedAt.IsZero() {
		t.Fatal("result not recorded as posted")
	}
	if n := len(e.fake.Posts("poll_result")); n != 1 {
		t.Fatalf("%d result posts, want 1", n)
	}
	// A third process has nothing left to do for the poll.
	third := newPtEnvClock(t, path, &handlerstest.Poster{}, clock)
	if j := third.ptJob(pollCloseKey(p.ID)); j != nil {
		t.Errorf("after the result was posted a new process still plans %+v", j)
	}
	if mt, _ := a.db.MeetingByID(context.Background(), m.ID); mt.Theme != "AI" {
		t.Errorf("meeting theme = %q, want AI", mt.Theme)
	}
}

func TestPollCloseJobRetriesFailedPost(t *testing.T) {
	clock := newPtClock()
	e := newPtEnvClock(t, filepath.Join(t.TempDir(), "copbot.db"), &handlerstest.Poster{}, clock)
	e.join("m1", "Alex Martin", "en")
	p := e.create(`"Theme?" "A" "B" --closes 1h`)
	e.vote(ptUser("m1"), p, 1)
	clock.Add(time.Hour + time.Second)
	e.fake.FailNext(-1, errPtDown, false)
	if err := e.ptJob(pollCloseKey(p.ID)).Run(context.Background()); err == nil {
		t.Fatal("Run with the channel down returned nil")
	}
	if got := e.poll(p.ID); got.Open() || !got.ResultPostedAt.IsZero() || !got.ResultClaimedAt.IsZero() {
		t.Fatalf("after failed post: %+v", got)
	}
	e.fake.FailNext(0, nil, false)
	job := e.ptJob(pollCloseKey(p.ID))
	if job == nil || job.Due.After(clock.Now()) {
		t.Fatalf("retry job = %+v, want one due now", job)
	}
	for range 2 {
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.fake.Posts("poll_result")); n != 1 {
		t.Errorf("%d result posts, want 1", n)
	}
}

func TestPollCloseTieKeepsTheme(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	m := e.meeting("Chosen by hand")
	p := e.create(fmt.Sprintf(`"Theme?" "Wellness" "AI" "Data" --meeting %d`, m.ID))
	e.vote(ptUser("m1"), p, 1)
	e.vote(ptUser("m2"), p, 3)
	e.ask(ptCoordinator, fmt.Sprintf("poll close %d", p.ID))
	results := e.fake.Posts("poll_result")
	if len(results) != 1 {
		t.Fatalf("%d result posts", len(results))
	}
	ptHas(t, results[0], "Tie: “Wellness” and “Data” have 1 vote each.",
		fmt.Sprintf("Because of the tie, meeting %d’s theme was not changed", m.ID),
		"Égalité"+nbsp+": «"+nbsp+"Wellness"+nbsp+"» et «"+nbsp+"Data"+nbsp+"» obtiennent chacun 1 voix.")
	if mt, _ := e.db.MeetingByID(context.Background(), m.ID); mt.Theme != "Chosen by hand" {
		t.Errorf("tie changed the theme to %q", mt.Theme)
	}
}

func TestPollCloseJobNotDue(t *testing.T) {
	clock := newPtClock()
	e := newPtEnvClock(t, filepath.Join(t.TempDir(), "copbot.db"), &handlerstest.Poster{}, clock)
	early := e.create(`"Theme?" "A" "B" --closes 1h`)
	if err := e.ptJob(pollCloseKey(early.ID)).Run(context.Background()); err != nil || !e.poll(early.ID).Open() {
		t.Errorf("a run before the deadline closed the poll (err %v)", err)
	}
	// The deadline moved after the job was planned: the old job does nothing.
	p := e.create(`"Theme?" "A" "B" --closes 1s`)
	job := e.ptJob(pollCloseKey(p.ID))
	ptHas(t, e.ask(ptCoordinator, fmt.Sprintf("poll edit %d --closes 3d", p.ID)), "is updated")
	clock.Add(2 * time.Second)
	if err := job.Run(context.Background()); err != nil || !e.poll(p.ID).Open() {
		t.Errorf("stale job closed the poll: %v", err)
	}
	if j := e.ptJob(pollCloseKey(p.ID)); j == nil || j.Due.Before(clock.Now().Add(2*24*time.Hour)) {
		t.Errorf("job after edit = %+v", j)
	}
}

func TestPollReminder(t *testing.T) {
	dm := &handlerstest.DMPoster{}
	e := newPtEnvAt(t, filepath.Join(t.TempDir(), "copbot.db"), dm)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	e.join("m3", "Sam Lee", "en")
	p := e.create(`"Theme?" "A" "B" --closes 3h --remind 150m`)
	e.click(ptUser("m1"), "poll_vote", voteValue(p, 1))
	job := e.ptJob(fmt.Sprintf("poll-remind:%d", p.ID))
	if job == nil || !job.Due.Equal(p.ClosesAt.Add(-150*time.Minute)) {
		t.Fatalf("reminder job = %+v", job)
	}
	for range 2 {
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(dm.DMs()) != 2 {
		t.Fatalf("%d reminders, want 2 (m2, m3): %+v", len(dm.DMs()), dm.DMs())
	}
	got := map[string]string{}
	for _, d := range dm.DMs() {
		got[d.To.ID] = d.Reply.Text
	}
	if !strings.Contains(got["m2"], "Rappel"+nbsp+": le sondage nº") || !strings.Contains(got["m3"], "you have not voted yet") {
		t.Errorf("reminders = %q", got)
	}
	if e.ptJob(fmt.Sprintf("poll-remind:%d", p.ID)) != nil {
		t.Error("reminder still listed after it was sent")
	}

	// A Poster without private messages gets one channel reminder.
	c := newPtEnv(t)
	q := c.create(`"Theme?" "A" "B" --closes 3h --remind 1h`)
	if err := c.ptJob(fmt.Sprintf("poll-remind:%d", q.ID)).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	posts := c.fake.Posts("poll_reminder")
	if len(posts) != 1 {
		t.Fatalf("%d channel reminders", len(posts))
	}
	ptHas(t, posts[0], "If you have not voted yet, there is still time", "il est encore temps")
}

// TestPollVoteStorm: 500 members (100 under the race detector) click at
// once through Service.Act. Every vote is acknowledged and stored; the
// poll message is rewritten about once a second, and the last rewrite
// shows all the votes.
func TestPollVoteStorm(t *testing.T) {
	e := newPtEnv(t)
	const n = stormVotes
	rows := make([]storage.MemberInput, n)
	for i := range rows {
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Voter %03d", i), Organization: "Service Canada",
			Order: storage.OrderFederal, Jurisdiction: "CA", ConsoleID: fmt.Sprintf("v%03d", i)}
	}
	if _, err := e.db.ImportMembers(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	p := e.create(`"Theme?" "Accessibility technology" "Serving vulnerable communities" "Wellness"`)
	var wg sync.WaitGroup
	var failed atomic.Int32
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			r := e.click(ptUser(fmt.Sprintf("v%03d", i)), "poll_vote", voteValue(p, i%3+1))
			if r.Kind != "poll_vote" {
				failed.Add(1)
				t.Logf("v%03d: %s %q", i, r.Kind, r.Text)
			}
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	acked := time.Since(start)
	e.s.Close() // flushes the pending update
	elapsed := time.Since(start)
	if failed.Load() != 0 {
		t.Fatalf("%d votes failed", failed.Load())
	}
	got := e.poll(p.ID)
	tally := []int{(n + 2) / 3, (n + 1) / 3, n / 3} // option i%3+1 for member i
	if got.Voters != n || !slicesEqual(pollVotesOf(got), tally) {
		t.Errorf("stored: %d voters, tally %v, want %v", got.Voters, pollVotesOf(got), tally)
	}
	ups := e.fake.Updates()
	if len(ups) == 0 {
		t.Fatal("no update")
	}
	ptHas(t, ups[len(ups)-1].Reply, fmt.Sprintf("%d of %d members voted", n, n), fmt.Sprintf("%d votes", tally[0]),
		fmt.Sprintf("%d votes", tally[2]))
	if limit := int(elapsed/time.Second) + 2; len(ups) > limit {
		t.Errorf("%d updates in %v, want at most %d", len(ups), elapsed, limit)
	}
	t.Logf("%d votes acknowledged in %v; %d updates in %v", n, acked, len(ups), elapsed)
}

func slicesEqual(a, b []int) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// BenchmarkPollVote measures Service.Act on vote clicks from parallel
// goroutines: each click votes for one option (added, moved or kept), one write
// transaction each.
func BenchmarkPollVote(b *testing.B) {
	e := newPtEnv(b)
	const members = 1000
	rows := make([]storage.MemberInput, members)
	for i := range rows {
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Voter %04d", i), Organization: "Service Canada",
			Order: storage.OrderFederal, Jurisdiction: "CA", ConsoleID: fmt.Sprintf("b%04d", i)}
	}
	if _, err := e.db.ImportMembers(context.Background(), rows); err != nil {
		b.Fatal(err)
	}
	p := e.create(`"Theme?" "A" "B" "C"`)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			r := e.click(ptUser(fmt.Sprintf("b%04d", i%members)), "poll_vote", voteValue(p, int(i%3)+1))
			if r.Kind != "poll_vote" {
				b.Errorf("%s %q", r.Kind, r.Text)
			}
		}
	})
}

// TestPollReminderOncePerPerson: each non-voter is a delivery of their
// own. A refusal for one person is retried for that person alone; an
// attempt cut short by a crash, or whose answer was lost, may have reached
// the person and is never repeated; the poll counts as reminded only once
// nobody is left to try.
func TestPollReminderOncePerPerson(t *testing.T) {
	dm := &handlerstest.DMPoster{}
	e := newPtEnvAt(t, filepath.Join(t.TempDir(), "copbot.db"), dm)
	for _, u := range []string{"m1", "m2", "m3", "m4"} {
		e.join(u, "Person "+u, "en")
	}
	p := e.create(`"Theme?" "A" "B" --closes 3h --remind 150m`)
	key := fmt.Sprintf("poll-remind:%d", p.ID)
	// m4's reminder was being sent when the process died.
	m4, err := e.db.MemberByIdentity(context.Background(), storage.Identity{Platform: storage.PlatformConsole, ID: "m4"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.BeginDelivery(context.Background(), reminderKey(p.ID, m4.ID), storage.PlatformConsole); err != nil {
		t.Fatal(err)
	}
	refuse, lose := true, true
	dm.Fail = func(to storage.Identity) error {
		switch {
		case to.ID == "m2" && refuse:
			return &handlers.PostFailure{Refused: true, Detail: "HTTP 429", Err: errors.New("rate limited")}
		case to.ID == "m3" && lose:
			return errors.New("connection reset: no answer")
		}
		return nil
	}
	if err := e.ptJob(key).Run(context.Background()); err == nil {
		t.Fatal("a run that could not reach m2 succeeded: it would not be retried")
	}
	if e.ptJob(key) == nil {
		t.Fatal("reminder no longer listed while m2 was not reached")
	}
	refuse, lose = false, false
	if err := e.ptJob(key).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j := e.ptJob(key); j != nil {
		t.Errorf("reminder still listed after everyone was tried: %+v", j)
	}
	got := map[string]int{}
	for _, d := range dm.DMs() {
		got[d.To.ID]++
	}
	if want := map[string]int{"m1": 1, "m2": 1}; !maps.Equal(got, want) {
		t.Errorf("reminders per person = %v, want %v (m3's answer was lost and m4's attempt crashed: maybe reached, never twice)", got, want)
	}
}

// TestReminderKeyIsNoPostKind: the delivery command finds a post's kind by
// its key's prefix; a private reminder taken for a card would be reposted
// to the channel by `delivery repost`.
func TestReminderKeyIsNoPostKind(t *testing.T) {
	f := &Feature{}
	for _, k := range f.postKinds() {
		if key := reminderKey(7, 12); strings.HasPrefix(key, k.Prefix) {
			t.Errorf("reminder key %q reads as a %q post", key, k.Prefix)
		}
	}
}
