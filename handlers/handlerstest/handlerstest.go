// Package handlerstest is the shared test harness of the handlers core and
// its feature packages: a settable clock, a fake community channel, and a
// Service on a fresh SQLite file in t.TempDir() with the features a test
// installs. It imports the core only, so every feature's tests can use it.
//
// Replies reach tests as a reader sees them: the marks that set user text
// apart for renderers (handlers.User) are taken out (handlers.UnmarkReply);
// the renderers' tests in bot/ check what the marks do.
package handlerstest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/scheduler/clocktest"
	"copbot/storage"
)

// Coordinator is the coordinator named in every Env's options.
var Coordinator = storage.Identity{Platform: storage.PlatformConsole, ID: "coord"}

// User is a console identity.
func User(id string) storage.Identity {
	return storage.Identity{Platform: storage.PlatformConsole, ID: id}
}

// Clock is a test clock and a scheduler.Clock. Stopped (the default), it
// reads what was set, and its timers fire when Set, Add or Pin moves it
// past them (scheduler/clocktest); running, it moves at real speed from
// its reading and its timers are the machine's.
type Clock struct {
	fake    *clocktest.Clock
	mu      sync.Mutex
	since   time.Time // when it started running, on the machine's clock
	base    time.Time // its reading then
	running bool
}

// NewClock is a stopped clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{fake: clocktest.New(t)} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return c.base.Add(time.Since(c.since))
	}
	return c.fake.Now()
}

// Set moves the clock to t (it keeps running if it was), firing a stopped
// clock's timers due by then.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	if c.running {
		c.base, c.since = t, time.Now()
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.fake.Set(t)
}

// Pin stops the clock at t.
func (c *Clock) Pin(t time.Time) {
	c.mu.Lock()
	c.running = false
	c.mu.Unlock()
	c.fake.Set(t)
}

// Add moves the clock d ahead.
func (c *Clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// Run makes the clock move at real speed from its current reading.
func (c *Clock) Run() {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.since, c.running = now, time.Now(), true
}

// AfterFunc calls f once d has passed on the clock (see scheduler.Clock).
func (c *Clock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	c.mu.Lock()
	running := c.running
	c.mu.Unlock()
	if running {
		return time.AfterFunc(d, f).Stop
	}
	return c.fake.AfterFunc(d, f)
}

// Update is one message update a Poster received.
type Update struct {
	Ref   handlers.MessageRef
	Reply handlers.Reply
	At    time.Time
}

// Poster is a fake community channel on Slack (channel C0COP): it records
// posts and updates, and can be told to fail or to hold posts.
type Poster struct {
	mu      sync.Mutex
	posts   []handlers.Reply
	updates []Update
	next    int
	fails   int   // the next fails posts return err; -1: every post does
	err     error // returned while fails != 0
	partial bool  // failing posts still reach Slack (another platform failed)
	// entered, when set, is sent to as each post begins; the post then
	// waits until hold is closed.
	entered chan<- struct{}
	hold    <-chan struct{}
}

// Post records r, or fails as told.
func (p *Poster) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	p.mu.Lock()
	entered, hold := p.entered, p.hold
	p.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
		<-hold
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	failing := p.fails != 0
	if p.fails > 0 {
		p.fails--
	}
	if failing && !p.partial {
		return nil, p.err
	}
	p.posts = append(p.posts, handlers.UnmarkReply(r))
	p.next++
	ref := handlers.MessageRef{Platform: storage.PlatformSlack, Channel: "C0COP", ID: fmt.Sprintf("1700000000.%06d", p.next)}
	if failing {
		return []handlers.MessageRef{ref}, p.err
	}
	return []handlers.MessageRef{ref}, nil
}

// Update records the new version of a message.
func (p *Poster) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates = append(p.updates, Update{Ref: ref, Reply: handlers.UnmarkReply(r), At: time.Now()})
	return nil
}

// FailNext makes the next n posts fail with err (n < 0: every post, until
// FailNext(0, nil)). With partial set, a failing post still reaches Slack
// and returns its ref with err, as when another platform failed.
func (p *Poster) FailNext(n int, err error, partial bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails, p.err, p.partial = n, err, partial
}

// HoldPosts makes every post announce itself on entered and wait for hold.
func (p *Poster) HoldPosts(entered chan<- struct{}, hold <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.entered, p.hold = entered, hold
}

// Posts returns what was posted, of the given kind ("" for all).
func (p *Poster) Posts(kind string) []handlers.Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []handlers.Reply
	for _, r := range p.posts {
		if kind == "" || r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// Updates returns the updates received, oldest first.
func (p *Poster) Updates() []Update {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Update(nil), p.updates...)
}

// DM is one private message a DMPoster sent.
type DM struct {
	To    storage.Identity
	Reply handlers.Reply
}

// DMPoster is a Poster that can also write to one person privately
// (handlers.DirectMessenger).
type DMPoster struct {
	Poster
	dms []DM
	// Fail, when set, answers instead of the platform: a non-nil error
	// and the message is not recorded as sent.
	Fail func(to storage.Identity) error
}

// Direct records a private message.
func (p *DMPoster) Direct(ctx context.Context, to storage.Identity, r handlers.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Fail != nil {
		if err := p.Fail(to); err != nil {
			return err
		}
	}
	p.dms = append(p.dms, DM{To: to, Reply: handlers.UnmarkReply(r)})
	return nil
}

// DMs returns the private messages sent, oldest first.
func (p *DMPoster) DMs() []DM {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]DM(nil), p.dms...)
}

// Env is a Service on a real database in a temporary directory, with a
// test clock and a fake channel. Reopen and Second open the same file
// again, as a restarted or a second process would.
type Env struct {
	T       testing.TB
	Path    string
	DB      *storage.DB
	S       *handlers.Service
	Clock   *Clock
	Poster  handlers.Poster
	Opts    handlers.Options
	install func(*handlers.Service)
	// Log is the logger of the Services opened from now on.
	Log *slog.Logger

	mu      sync.Mutex
	replans int
}

// Options are an Env's defaults: the coordinator "coord", English, /cop,
// the community in Toronto.
func Options(t testing.TB) handlers.Options {
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	return handlers.Options{Coordinators: []storage.Identity{Coordinator}, DefaultLanguage: "en", Command: "/cop",
		Location: loc}
}

// Setup configures a new Env: its options, clock, channel and features.
type Setup struct {
	Opts    *handlers.Options // nil: Options(t)
	Clock   *Clock            // nil: a stopped clock at the time the test started
	Poster  handlers.Poster   // nil: a *Poster
	Path    string            // "": a new file in t.TempDir()
	Log     *slog.Logger      // nil: logs are discarded
	Install func(*handlers.Service)
}

// New opens an Env; everything it opens is closed when the test ends.
func New(t testing.TB, s Setup) *Env {
	t.Helper()
	e := &Env{T: t, Path: s.Path, Clock: s.Clock, Poster: s.Poster, install: s.Install, Log: s.Log}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	if s.Opts != nil {
		e.Opts = *s.Opts
	} else {
		e.Opts = Options(t)
	}
	if e.Path == "" {
		e.Path = filepath.Join(t.TempDir(), "copbot.db")
	}
	if e.Clock == nil {
		e.Clock = NewClock(time.Now())
	}
	if e.Poster == nil {
		e.Poster = &Poster{}
	}
	e.DB, e.S = e.open()
	return e
}

// Fake is the Env's channel as a *Poster (nil if it is another kind).
func (e *Env) Fake() *Poster {
	switch p := e.Poster.(type) {
	case *Poster:
		return p
	case *DMPoster:
		return &p.Poster
	}
	return nil
}

// Reopen closes the Service and database and opens them again, as a
// restarted process would.
func (e *Env) Reopen() {
	e.T.Helper()
	e.S.Close()
	e.DB.Close()
	e.DB, e.S = e.open()
}

// Second is another process on the same database: its own storage handle
// and Service, posting to the same channel.
func (e *Env) Second() *handlers.Service {
	e.T.Helper()
	_, s := e.open()
	return s
}

func (e *Env) open() (*storage.DB, *handlers.Service) {
	e.T.Helper()
	db, err := storage.Open(context.Background(), e.Path)
	if err != nil {
		e.T.Fatal(err)
	}
	db.Now = e.Clock.Now
	s, err := handlers.New(db, e.Opts, e.Clock.Now, e.Log)
	if err != nil {
		e.T.Fatal(err)
	}
	if e.install != nil {
		e.install(s)
	}
	s.SetPoster(e.Poster)
	s.SetReplan(func() { e.mu.Lock(); e.replans++; e.mu.Unlock() })
	e.T.Cleanup(func() { s.Close(); db.Close() })
	return db, s
}

// Replans is how many times the Service asked to re-plan its jobs.
func (e *Env) Replans() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.replans
}

// Ask sends text as who, from the community channel.
func (e *Env) Ask(who storage.Identity, text string) handlers.Reply {
	return handlers.UnmarkReply(e.S.Handle(context.Background(), handlers.Request{Identity: who, Text: text, ChannelID: "C0COP"}))
}

// AskIn sends text as the console user id with a platform locale ("fr-CA").
func (e *Env) AskIn(id, locale, text string) handlers.Reply {
	return handlers.UnmarkReply(e.S.Handle(context.Background(), handlers.Request{Identity: User(id), UserName: "User " + id,
		Locale: locale, Text: text}))
}

// Click clicks a button as who.
func (e *Env) Click(who storage.Identity, action, value string) handlers.Reply {
	return handlers.UnmarkReply(e.S.Act(context.Background(), handlers.Request{Identity: who}, action, value))
}

// Join makes the console user id a federal member, directly in storage.
func (e *Env) Join(id, name, lang string) *storage.Member {
	e.T.Helper()
	m, _, err := e.DB.JoinMember(context.Background(), storage.MemberInput{Name: name, Organization: "Service Canada",
		Order: storage.OrderFederal, Jurisdiction: "CA", Language: lang, ConsoleID: id})
	if err != nil {
		e.T.Fatalf("join %s: %v", id, err)
	}
	return m
}

// Jobs lists the jobs of every job source, as the scheduler does at each
// scan; a source that fails fails the listing.
func (e *Env) Jobs(s *handlers.Service) ([]scheduler.Job, error) {
	var all []scheduler.Job
	for _, src := range s.JobSources() {
		jobs, err := src.Pending(context.Background())
		if err != nil {
			return nil, err
		}
		all = append(all, jobs...)
	}
	return all, nil
}

// Job returns the pending job with key, or fails the test.
func (e *Env) Job(key string) scheduler.Job {
	e.T.Helper()
	jobs, err := e.Jobs(e.S)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, j := range jobs {
		if j.Key == key {
			return j
		}
	}
	e.T.Fatalf("no job %s", key)
	return scheduler.Job{}
}

// Has fails unless r's text contains every want.
func Has(t testing.TB, r handlers.Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("%s reply lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}

// Buttons lists the buttons of r.
func Buttons(r handlers.Reply) []handlers.Button {
	var out []handlers.Button
	for _, b := range r.Blocks {
		if a, ok := b.(handlers.Actions); ok {
			out = append(out, a.Buttons...)
		}
	}
	return out
}

// Sections lists the texts of r's Sections.
func Sections(r handlers.Reply) []string {
	var out []string
	for _, b := range r.Blocks {
		if s, ok := b.(handlers.Section); ok {
			out = append(out, s.Text)
		}
	}
	return out
}

// Exec runs SQL on the Env's database through a connection of its own, to
// put rows in states the storage API refuses to write.
func (e *Env) Exec(q string, args ...any) {
	e.T.Helper()
	db, err := sql.Open("sqlite", e.Path)
	if err != nil {
		e.T.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		e.T.Fatal(err)
	}
}

// AddMeeting creates a meeting directly in storage, starting at start,
// with reminders at the given offsets.
func (e *Env) AddMeeting(start time.Time, offsets ...time.Duration) *storage.Meeting {
	e.T.Helper()
	m, err := e.DB.CreateMeeting(context.Background(), storage.MeetingInput{Title: "Quarterly meeting", StartsAt: start,
		Zone: "America/Toronto", Duration: time.Hour, Link: "https://meet.example.ca/cop", Theme: "Accessibility",
		Reminders: offsets})
	if err != nil {
		e.T.Fatal(err)
	}
	return m
}

// CreatePoll runs `poll LINE` as the coordinator (the polls must be
// installed) and returns the new poll, or fails the test.
func (e *Env) CreatePoll(line string) *storage.Poll {
	e.T.Helper()
	r := e.Ask(Coordinator, "poll "+line)
	if r.Kind != "poll_created" {
		e.T.Fatalf("poll %s: %s %q", line, r.Kind, r.Text)
	}
	polls, err := e.DB.FindPolls(context.Background(), storage.PollFilter{Limit: 1})
	if err != nil || len(polls) != 1 {
		e.T.Fatalf("FindPolls: %v %v", polls, err)
	}
	return polls[0]
}

// Vote clicks option n of p as who, and fails the test unless the vote
// was taken.
func (e *Env) Vote(who storage.Identity, p *storage.Poll, n int) {
	e.T.Helper()
	if r := e.Click(who, "poll_vote", VoteValue(p, n)); r.Kind != "poll_vote" {
		e.T.Fatalf("vote %s for %d: %s %q", who.ID, n, r.Kind, r.Text)
	}
}

// VoteValue is the button value of option position n of p.
func VoteValue(p *storage.Poll, n int) string {
	return fmt.Sprintf("%d:%d", p.ID, p.Options[n-1].ID)
}
