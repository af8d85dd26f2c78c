package meetings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// keyedFake is one platform's community channel. Posts that "reach" it are
// kept with their key, whatever happens to the answer; failing ones do not.
type keyedFake struct {
	p        storage.Platform
	lookup   bool // FindKeyed works (Slack); else ErrNoLookup (Teams)
	mu       sync.Mutex
	keys     []string
	fails    int // the next fails posts fail before reaching the channel
	loses    int // the next loses posts reach it, but their answer is lost
	findErrs int // the next findErrs look-ups fail
}

func (f *keyedFake) Platform() storage.Platform { return f.p }

func (f *keyedFake) PostKeyed(_ context.Context, key string, _ handlers.Reply) (handlers.MessageRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return handlers.MessageRef{}, handlers.Refused("HTTP 502", fmt.Errorf("%s: 502 Bad Gateway", f.p))
	}
	f.keys = append(f.keys, key)
	if f.loses > 0 {
		f.loses--
		return handlers.MessageRef{}, fmt.Errorf("%s: context deadline exceeded", f.p)
	}
	return f.ref(len(f.keys)), nil
}

func (f *keyedFake) ref(n int) handlers.MessageRef {
	return handlers.MessageRef{Platform: f.p, Channel: "C-" + string(f.p), ID: fmt.Sprint(n)}
}

func (f *keyedFake) FindKeyed(_ context.Context, key string, _ time.Time) (handlers.MessageRef, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.lookup {
		return handlers.MessageRef{}, false, handlers.ErrNoLookup
	}
	if f.findErrs > 0 {
		f.findErrs--
		return handlers.MessageRef{}, false, errors.New("conversations.history: 500")
	}
	for i, k := range f.keys {
		if k == key {
			return f.ref(i + 1), true, nil
		}
	}
	return handlers.MessageRef{}, false, nil
}

// count is how many messages carrying key the channel shows.
func (f *keyedFake) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, k := range f.keys {
		if k == key {
			n++
		}
	}
	return n
}

// keyedFanout is the app's fanout over fakes: Post is what the code before
// the ledger called (it posts everywhere, every time), KeyedChannels what
// postOnce uses.
type keyedFanout []*keyedFake

func (k keyedFanout) KeyedChannels() []handlers.KeyedChannel {
	out := make([]handlers.KeyedChannel, len(k))
	for i, f := range k {
		out[i] = f
	}
	return out
}

func (k keyedFanout) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	var refs []handlers.MessageRef
	var errs []error
	for _, f := range k {
		ref, err := f.PostKeyed(ctx, "", r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		refs = append(refs, ref)
	}
	return refs, errors.Join(errs...)
}

func (k keyedFanout) Update(context.Context, handlers.MessageRef, handlers.Reply) error { return nil }

func newKeyedEnv(t *testing.T) (*mtgEnv, *keyedFake, *keyedFake, time.Time) {
	e := newMtgEnvOffsets(t, 24*time.Hour)
	slack := &keyedFake{p: storage.PlatformSlack, lookup: true}
	teams := &keyedFake{p: storage.PlatformTeams}
	e.s.SetPoster(keyedFanout{slack, teams})
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, 24*time.Hour)
	e.clock.Set(start.Add(-24 * time.Hour))
	return e, slack, teams, start
}

// Finding 2: with Slack and Teams both configured, a reminder that reached
// Slack but not Teams stays pending and is retried for Teams alone; Slack
// is never posted again; meeting status shows each platform, in both
// languages.
func TestReminderRetriesOnlyTheMissingPlatform(t *testing.T) {
	e, slack, teams, _ := newKeyedEnv(t)
	teams.fails = 2
	for i := 0; i < 2; i++ {
		if errs := e.runPending(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "teams: 502") {
			t.Fatalf("run %d: errs %v, want the Teams failure", i+1, errs)
		}
		e.clock.Set(e.clock.Now().Add(time.Minute))
	}
	if r := e.reminder(1); r.Status != storage.ReminderPending || r.Attempts != 2 {
		t.Fatalf("after Teams failed twice: %s with %d attempts, want pending with 2", r.Status, r.Attempts)
	}
	st := e.ask("coord", "en", "meeting status 1").Text
	// The refusal is said in words, with the platform's own code (HTTP
	// 502), never the error's English text.
	for _, want := range []string{"Slack: posted on", "Microsoft Teams: refused on", "(HTTP 502), so not posted"} {
		if !strings.Contains(st, want) {
			t.Errorf("meeting status lacks %q:\n%s", want, st)
		}
	}
	if st := e.ask("coord", "fr", "meeting status 1").Text; !hasLine(st, "Slack", "publié le") ||
		!hasLine(st, "Microsoft Teams", "refusé le") || strings.Contains(st, "Bad Gateway") {
		t.Errorf("French meeting status lacks the platforms:\n%s", st)
	}
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	if s, tm := slack.count("reminder:1"), teams.count("reminder:1"); s != 1 || tm != 1 {
		t.Errorf("posts: Slack %d, Teams %d; want 1 each", s, tm)
	}
	r := e.reminder(1)
	if r.Status != storage.ReminderSent || len(r.Refs) != 2 {
		t.Errorf("reminder %s with refs %v, want sent with both refs", r.Status, r.Refs)
	}
	st = e.ask("coord", "en", "meeting status 1").Text
	if strings.Count(st, ": posted on") != 2 {
		t.Errorf("meeting status after the retry:\n%s", st)
	}
}

// Finding 1 in the handlers: a post whose answer was lost is found by its
// key before the retry posts again, so the channel shows it once; a failed
// look-up refuses to post blindly and is retried.
func TestLostAnswerFoundByKey(t *testing.T) {
	e, slack, teams, _ := newKeyedEnv(t)
	slack.loses, slack.findErrs = 1, 1
	for i, want := range []string{"deadline exceeded", "looking for reminder:1 before posting again"} {
		errs := e.runPending()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), want) {
			t.Fatalf("run %d: errs %v, want %q", i+1, errs, want)
		}
	}
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	if s, tm := slack.count("reminder:1"), teams.count("reminder:1"); s != 1 || tm != 1 {
		t.Errorf("posts: Slack %d, Teams %d; want 1 each", s, tm)
	}
	ds, err := e.db.Deliveries(context.Background(), "reminder:1")
	if err != nil || len(ds) != 2 || ds[0].Platform != storage.PlatformSlack || ds[0].Status != storage.DeliverySent ||
		ds[0].Ref.ID != "1" || ds[0].Attempts != 1 {
		t.Errorf("deliveries %v, %v; want Slack sent as message 1 after one attempt", ds, err)
	}
	if r := e.reminder(1); r.Status != storage.ReminderSent {
		t.Errorf("reminder %s, want sent", r.Status)
	}
}

// A crash between the post and its record: the intent was committed before
// the post, so a new process finds the attempt uncertain and looks the key
// up instead of posting again.
func TestCrashBetweenPostAndRecord(t *testing.T) {
	e, slack, teams, _ := newKeyedEnv(t)
	ctx := context.Background()
	// What the dead process left: its intents, and the message in Slack.
	for _, p := range []storage.Platform{storage.PlatformSlack, storage.PlatformTeams} {
		if _, err := e.db.BeginDelivery(ctx, "reminder:1", p); err != nil {
			t.Fatal(err)
		}
	}
	slack.PostKeyed(ctx, "reminder:1", handlers.Reply{})
	e.restart()
	e.s.SetPoster(keyedFanout{slack, teams})
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	// Teams cannot be searched: its uncertain attempt is posted again.
	if s, tm := slack.count("reminder:1"), teams.count("reminder:1"); s != 1 || tm != 1 {
		t.Errorf("posts: Slack %d, Teams %d; want 1 each", s, tm)
	}
}

// hasLine reports whether a line of text starts, after its indent, with
// name and goes on to contain state (whatever space French typography puts
// before the colon).
func hasLine(text, name, state string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, name) && strings.Contains(l, state) {
			return true
		}
	}
	return false
}

// The heartbeat: while a post is slow, the runner renews its lease on the
// injected clock, so another process is still refused a lease later; once
// the post ends, the reminder is recorded and nobody posts it again.
func TestReminderHeartbeatHoldsTheLease(t *testing.T) {
	e := newMtgEnvOffsets(t, 24*time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, 24*time.Hour)
	due := start.Add(-24 * time.Hour)
	e.clock.Set(due)
	entered, hold := make(chan struct{}, 1), make(chan struct{})
	e.poster.HoldPosts(entered, hold)
	e.f.clock = e.clock // the beats' timers fire as the test moves the clock
	r := &reminderRunner{s: e.f, owner: "A", beat: storage.ReminderLease / 3}
	done := make(chan error, 1)
	go func() { done <- r.run(context.Background(), 1) }()
	<-entered
	// A's claim alone would have lapsed; each beat on the way renewed it,
	// the last one now (the clock's timers run as Set moves it).
	e.clock.Set(due.Add(storage.ReminderLease + storage.ReminderLease/3))
	if at := e.reminder(1).ClaimedAt; !at.Equal(e.clock.Now()) {
		t.Fatalf("lease not renewed: claimed at %v, clock %v", at, e.clock.Now())
	}
	other := &reminderRunner{s: e.featureOf(e.second()), owner: "B", beat: time.Hour}
	if err := other.run(context.Background(), 1); storage.ErrorCode(err) != storage.ECONFLICT {
		t.Errorf("B's run while A beats: %v, want a conflict", err)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := other.run(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if n := len(e.poster.Posts("reminder")); n != 1 || e.reminder(1).Status != storage.ReminderSent {
		t.Errorf("%d posts, status %s; want 1, sent", n, e.reminder(1).Status)
	}
}

// Issue 15 item 7: a Teams post whose answer is lost (Teams cannot be
// searched without Graph) is retried once, never more: after the second
// lost answer the copy is left to a coordinator, the reminder job ends,
// and meeting status says so in both languages, with the commands to
// settle it and no error's text. Before, every retry posted it again.
func TestLostTeamsAnswerRetriedOnceThenLeftToACoordinator(t *testing.T) {
	e, slack, teams, _ := newKeyedEnv(t)
	teams.loses = 10
	for i := range 6 {
		e.runPending()
		e.clock.Set(e.clock.Now().Add(time.Minute))
		if i == 0 && teams.count("reminder:1") != 1 {
			t.Fatalf("first attempt: %d Teams posts", teams.count("reminder:1"))
		}
	}
	if s, tm := slack.count("reminder:1"), teams.count("reminder:1"); s != 1 || tm != 2 {
		t.Errorf("posts after six runs: Slack %d, Teams %d; want 1 and 2 (one retry after a lost answer)", s, tm)
	}
	ds, _ := e.db.Deliveries(context.Background(), "reminder:1")
	if len(ds) != 2 || ds[1].Status != storage.DeliveryUncertain || ds[1].Lost != 2 {
		t.Fatalf("deliveries %+v, want Teams uncertain after 2 lost answers", ds)
	}
	if r := e.reminder(1); r.Status != storage.ReminderSent {
		t.Errorf("reminder %s: the job must end once only a coordinator can settle it", r.Status)
	}
	if jobs, _ := pendingJobs(context.Background(), e.s); len(jobs) != 0 {
		t.Errorf("jobs still pending: %+v", jobs)
	}
	en := e.ask("coord", "en", "meeting status 1").Text
	for _, want := range []string{"to check in the channel", "Slack: posted on",
		"Microsoft Teams: uncertain: no answer came and the channel cannot be searched",
		"`/cop delivery posted reminder:1 teams`", "`/cop delivery repost reminder:1 teams`"} {
		if !strings.Contains(en, want) {
			t.Errorf("meeting status lacks %q:\n%s", want, en)
		}
	}
	fr := e.ask("coord", "fr", "réunion statut 1").Text
	for _, want := range []string{"à vérifier dans le canal", "incertain", "`/cop diffusion publiée reminder:1 teams`",
		"`/cop diffusion republier reminder:1 teams`"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French meeting status lacks %q:\n%s", want, fr)
		}
	}
	for _, st := range []string{en, fr} {
		if strings.Contains(st, "deadline") || strings.Contains(st, "teams:") {
			t.Errorf("meeting status shows an error's text:\n%s", st)
		}
	}
}

// The delivery command, for coordinators: it lists what to check (in the
// caller's language, with what each post is); "repost" posts it again
// once, and a lost answer again leaves it to them at once; "posted"
// records it as in the channel, after which nothing posts it again.
func TestDeliveryCommandSettlesAnUncertainPost(t *testing.T) {
	e, _, teams, _ := newKeyedEnv(t)
	teams.loses = 2
	for range 3 {
		e.runPending()
		e.clock.Set(e.clock.Now().Add(time.Minute))
	}
	if r := e.ask("ana", "en", "delivery"); r.Kind != "error" || !strings.Contains(r.Text, "Only coordinators") {
		t.Errorf("a member asked: %s %s", r.Kind, r.Text)
	}
	list := e.ask("coord", "fr", "diffusion").Text
	for _, want := range []string{"Messages à vérifier dans le canal", "le rappel de 1 jour de la réunion nº\u00a01", "incertain"} {
		if !strings.Contains(list, want) {
			t.Errorf("delivery list lacks %q:\n%s", want, list)
		}
	}
	teams.loses = 1
	r := e.ask("coord", "en", "delivery repost reminder:1")
	if teams.count("reminder:1") != 3 || !strings.Contains(r.Text, "posted again") || !strings.Contains(r.Text, "uncertain") {
		t.Errorf("repost with its answer lost again: %d Teams posts, reply %s", teams.count("reminder:1"), r.Text)
	}
	r = e.ask("coord", "en", "delivery repost reminder:1 teams")
	if teams.count("reminder:1") != 4 || !strings.Contains(r.Text, "Microsoft Teams: posted on") {
		t.Errorf("repost: %d Teams posts, reply %s", teams.count("reminder:1"), r.Text)
	}
	if r := e.ask("coord", "en", "delivery posted reminder:1 teams"); r.Kind != "error" || !strings.Contains(r.Text, "not waiting to be checked") {
		t.Errorf("marking a sent post: %s %s", r.Kind, r.Text)
	}
	// Another post, settled as seen in the channel.
	teams.loses = 2
	m2 := e.addMeeting(e.clock.Now().Add(48*time.Hour), 24*time.Hour)
	// Its reminder's id is not 2: ids are never given twice (storage's
	// migration 0027), and an earlier reminder had it.
	rs, err := e.db.RemindersOf(context.Background(), m2.ID)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reminders of the second meeting: %v, %v", rs, err)
	}
	key := fmt.Sprintf("reminder:%d", rs[0].ID)
	e.clock.Set(e.clock.Now().Add(24 * time.Hour))
	for range 3 {
		e.runPending()
		e.clock.Set(e.clock.Now().Add(time.Minute))
	}
	// Too late to post it again once the meeting has started: refused,
	// and still listed to check.
	now := e.clock.Now()
	e.clock.Set(now.Add(25 * time.Hour))
	if r := e.ask("coord", "en", "delivery repost "+key); r.Kind != "error" || !strings.Contains(r.Text, "It is too late") {
		t.Errorf("repost after the start: %s %s", r.Kind, r.Text)
	}
	if r := e.ask("coord", "en", "delivery"); !strings.Contains(r.Text, key+" teams") {
		t.Errorf("the refused repost is no longer listed: %s", r.Text)
	}
	e.clock.Set(now)
	r = e.ask("coord", "en", "delivery posted "+key)
	if !strings.Contains(r.Text, "Recorded: the 1 day reminder of #2") || !strings.Contains(r.Text, "will not post it again") {
		t.Errorf("posted: %s", r.Text)
	}
	if st := e.ask("coord", "en", "meeting status 2").Text; !strings.Contains(st, "in the channel, as a coordinator confirmed") {
		t.Errorf("meeting status after the confirmation:\n%s", st)
	}
	if r := e.ask("coord", "en", "delivery"); !strings.Contains(r.Text, "No post is waiting") {
		t.Errorf("delivery list once settled: %s", r.Text)
	}
	if n := teams.count(key); n != 2 {
		t.Errorf("%d Teams posts of the confirmed reminder, want 2", n)
	}
}

// Issue 16: a meeting's notices carry stable keys (announcement:<id>, no
// time stamp) and are retried by the scheduler like reminders: a lost
// Slack answer is found by its key (never posted twice), a Teams refusal
// is posted later; a notice superseded by a newer one of the same meeting
// is never posted late, and one still pending when the meeting starts is
// dropped.
func TestAnnouncementsRetriedUnderStableKeys(t *testing.T) {
	e, slack, teams, start := newKeyedEnv(t)
	slack.loses, teams.fails = 1, 1
	r := e.ask("coord", "en", "meeting move 1 "+start.Add(time.Hour).In(e.opts.Location).Format("2006-01-02 15:04"))
	if !strings.Contains(r.Text, "has not reached the community channel yet") {
		t.Errorf("move with the channel failing: %s", r.Text)
	}
	if s, tm := slack.count("announcement:1"), teams.count("announcement:1"); s != 1 || tm != 0 {
		t.Fatalf("first attempt: Slack %d, Teams %d", s, tm)
	}
	e.retryLater()
	if s, tm := slack.count("announcement:1"), teams.count("announcement:1"); s != 1 || tm != 1 {
		t.Errorf("after the retry: Slack %d, Teams %d; want 1 each", s, tm)
	}
	st := e.ask("coord", "en", "meeting status 1").Text
	if !strings.Contains(st, "• change of time, ") || !strings.Contains(st, ": posted") {
		t.Errorf("meeting status lacks the notice:\n%s", st)
	}
	// Two moves while Teams refuses: the first notice is superseded.
	teams.fails = 2
	for _, d := range []time.Duration{2 * time.Hour, 3 * time.Hour} {
		e.ask("coord", "en", "meeting move 1 "+start.Add(d).In(e.opts.Location).Format("2006-01-02 15:04"))
	}
	e.retryLater()
	if a2, a3 := teams.count("announcement:2"), teams.count("announcement:3"); a2 != 0 || a3 != 1 {
		t.Errorf("Teams: superseded notice %d times, newest %d; want 0 and 1", a2, a3)
	}
	// A notice still pending when the meeting starts is dropped.
	teams.fails = 1
	e.ask("coord", "en", "meeting cancel 1")
	e.clock.Set(start.Add(4 * time.Hour))
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	as, _ := e.db.AnnouncementsOf(context.Background(), 1)
	if last := as[len(as)-1]; last.Status != storage.AnnouncementDropped || teams.count(storage.AnnouncementKey(last.ID)) != 0 {
		t.Errorf("notice pending at the start: %+v, posted %d times on Teams", last, teams.count(storage.AnnouncementKey(last.ID)))
	}
	for _, key := range []string{"announcement:1", "announcement:2", "announcement:3"} {
		if n := slack.count(key); n != 1 {
			t.Errorf("Slack shows %s %d times, want 1", key, n)
		}
	}
}

// retryLater moves the clock past the grace the retries give a command's
// own attempt and runs what is then due, twice (a retry's own re-read).
func (e *mtgEnv) retryLater() {
	e.t.Helper()
	e.clock.Set(e.clock.Now().Add(handlers.RetryGrace))
	for range 2 {
		if errs := e.runPending(); len(errs) != 0 {
			e.t.Fatal(errs)
		}
	}
}
