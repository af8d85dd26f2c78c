package handlers

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/scheduler"
	"copbot/storage"
)

// Helpers of the meetings tests. Names start with "mtg" so they cannot
// clash with other features' test helpers in this package.

var mtgCoordinator = storage.Identity{Platform: storage.PlatformConsole, ID: "coord"}

// mtgT0 is when meetings tests start: Monday 1 February 2027, 10:00 in Toronto.
var mtgT0 = time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)

func mtgToronto(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// mtgClock is a test clock. Stopped, it reads what was set; running, it
// moves at real speed from there (for the scheduler tests).
type mtgClock struct {
	mu      sync.Mutex
	at      time.Time
	since   time.Time
	running bool
}

func (c *mtgClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return c.at.Add(time.Since(c.since))
	}
	return c.at
}

// Set moves the clock to t (it keeps running if it was).
func (c *mtgClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.since = t, time.Now()
}

// Run makes the clock move at real speed from its current reading.
func (c *mtgClock) Run() {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.since, c.running = now, time.Now(), true
}

// mtgPoster is a fake community channel: it records every post and can be
// told to fail.
type mtgPoster struct {
	mu      sync.Mutex
	posts   []Reply
	fails   int           // the next fails posts return an error
	err     error         // returned while fails > 0
	partial bool          // failing posts still reach Slack (another platform failed)
	delay   time.Duration // how long each post takes
	// entered, when set, is sent to as each post begins; the post then waits
	// until hold is closed.
	entered chan<- struct{}
	hold    <-chan struct{}
}

func (p *mtgPoster) Post(ctx context.Context, r Reply) ([]MessageRef, error) {
	p.mu.Lock()
	delay, entered, hold := p.delay, p.entered, p.hold
	p.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
		<-hold
	}
	time.Sleep(delay)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fails > 0 && !p.partial {
		p.fails--
		return nil, p.err
	}
	p.posts = append(p.posts, r)
	ref := MessageRef{Platform: storage.PlatformSlack, Channel: "C0COP", ID: strconv.Itoa(len(p.posts)) + ".000100"}
	if p.fails > 0 {
		p.fails--
		return []MessageRef{ref}, p.err
	}
	return []MessageRef{ref}, nil
}

// holdPosts makes every post announce itself on entered and wait for hold.
func (p *mtgPoster) holdPosts(entered chan<- struct{}, hold <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.entered, p.hold = entered, hold
}

func (p *mtgPoster) Update(ctx context.Context, ref MessageRef, r Reply) error { return nil }

func (p *mtgPoster) failNext(n int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails, p.err = n, err
}

// Posts returns a copy of what was posted, of the given kind ("" for all).
func (p *mtgPoster) Posts(kind string) []Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Reply
	for _, r := range p.posts {
		if kind == "" || r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// mtgEnv is a Service on a fresh database with a fake clock and channel.
type mtgEnv struct {
	t      testing.TB
	path   string
	db     *storage.DB
	s      *Service
	clock  *mtgClock
	poster *mtgPoster
	opts   Options
}

func mtgOptions(t testing.TB) Options {
	return Options{Coordinators: []storage.Identity{mtgCoordinator}, DefaultLanguage: "en", Command: "/cop",
		Location: mtgToronto(t), Meetings: MeetingOptions{Rule: "third wednesday 13:00",
			Reminders: []time.Duration{336 * time.Hour, 24 * time.Hour, time.Hour}, Duration: 90 * time.Minute}}
}

func newMtgEnv(t testing.TB, mod func(*Options)) *mtgEnv {
	t.Helper()
	e := &mtgEnv{t: t, path: filepath.Join(t.TempDir(), "copbot.db"), clock: &mtgClock{at: mtgT0},
		poster: &mtgPoster{}, opts: mtgOptions(t)}
	if mod != nil {
		mod(&e.opts)
	}
	e.restart()
	return e
}

// newMtgEnvOffsets is an env whose configured reminder offsets are the
// given ones, so that the Jobs source (which re-plans with the config)
// keeps the reminders the test plans.
func newMtgEnvOffsets(t testing.TB, offsets ...time.Duration) *mtgEnv {
	return newMtgEnv(t, func(o *Options) { o.Meetings.Reminders = offsets })
}

// restart opens the database and builds a new Service on it, as a new
// process would; the old ones are closed.
func (e *mtgEnv) restart() {
	e.t.Helper()
	if e.s != nil {
		e.s.Close()
		e.db.Close()
	}
	e.db, e.s = e.open()
}

// second is another process on the same database: its own storage handle
// and Service, posting to the same fake channel.
func (e *mtgEnv) second() *Service {
	e.t.Helper()
	_, s := e.open()
	return s
}

// open builds a storage handle and a Service on the test database, closed
// at the end of the test.
func (e *mtgEnv) open() (*storage.DB, *Service) {
	e.t.Helper()
	db, err := storage.Open(context.Background(), e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	db.Now = e.clock.Now
	s, err := newWithFeatures(db, e.opts, e.clock.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	s.SetPoster(e.poster)
	e.t.Cleanup(func() { s.Close(); db.Close() })
	return db, s
}

// reminder reads one reminder back, from the reminders of every meeting.
func (e *mtgEnv) reminder(id int64) *storage.Reminder {
	e.t.Helper()
	for _, m := range e.meetings() {
		rs, err := e.db.RemindersOf(context.Background(), m.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range rs {
			if r.ID == id {
				return r
			}
		}
	}
	e.t.Fatalf("no reminder %d", id)
	return nil
}

// ask sends text as a console user ("coord" is a coordinator).
func (e *mtgEnv) ask(user, lang, text string) Reply {
	locale := ""
	if lang == "fr" {
		locale = "fr-CA"
	}
	return e.s.Handle(context.Background(), Request{Identity: storage.Identity{Platform: storage.PlatformConsole, ID: user},
		Locale: locale, Text: text})
}

// join makes a console user a member, directly in storage.
func (e *mtgEnv) join(user, name, lang string) *storage.Member {
	e.t.Helper()
	m, _, err := e.db.JoinMember(context.Background(), storage.MemberInput{Name: name, Organization: "Service Canada",
		Order: storage.OrderFederal, Jurisdiction: "CA", Language: lang, ConsoleID: user})
	if err != nil {
		e.t.Fatalf("join %s: %v", user, err)
	}
	return m
}

// meetings returns every stored meeting.
func (e *mtgEnv) meetings() []*storage.Meeting {
	e.t.Helper()
	ms, err := e.db.FindMeetings(context.Background(), storage.MeetingFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// addMeeting creates a meeting directly in storage with reminders at the
// given offsets.
func (e *mtgEnv) addMeeting(start time.Time, offsets ...time.Duration) *storage.Meeting {
	e.t.Helper()
	m, err := e.db.CreateMeeting(context.Background(), storage.MeetingInput{Title: "Quarterly meeting", StartsAt: start,
		Zone: "America/Toronto", Duration: time.Hour, Link: "https://meet.example.ca/cop", Theme: "Accessibility",
		Reminders: offsets})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// runPending lists the jobs as the scheduler would and runs every due one
// once, returning the errors of those that failed.
func (e *mtgEnv) runPending() []error {
	e.t.Helper()
	ctx := context.Background()
	jobs, err := pendingJobs(ctx, e.s)
	if err != nil {
		e.t.Fatal(err)
	}
	var errs []error
	for _, j := range jobs {
		if !j.Due.After(e.clock.Now()) {
			if err := j.Run(ctx); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

func mtgKey(r Reply) string {
	if r.Kind == "error" {
		return "error: " + r.Text
	}
	return r.Kind
}

func mtgHas(t testing.TB, r Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("reply %q lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}

var errMtgDown = errors.New("slack: 503 service unavailable")

// pendingJobs lists the jobs of every job source of s, as the scheduler
// does at each scan; a source that fails fails the listing.
func pendingJobs(ctx context.Context, s *Service) ([]scheduler.Job, error) {
	var all []scheduler.Job
	for _, src := range s.JobSources() {
		jobs, err := src.Pending(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, jobs...)
	}
	return all, nil
}
