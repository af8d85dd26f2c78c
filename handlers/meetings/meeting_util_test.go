package meetings

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/scheduler"
	"copbot/storage"
)

// Helpers of the meetings tests, on the shared harness (handlerstest).

var mtgCoordinator = handlerstest.Coordinator

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

// envOptions are the core's options and the meetings' own.
type envOptions struct {
	handlers.Options
	Meetings Options
}

// mtgEnv is the meetings on a fresh database with a test clock and a fake
// channel.
type mtgEnv struct {
	*handlerstest.Env
	t      testing.TB
	path   string
	db     *storage.DB
	s      *handlers.Service
	f      *Feature // the meetings of s
	of     map[*handlers.Service]*Feature
	clock  *handlerstest.Clock
	poster *handlerstest.Poster
	opts   envOptions
}

func mtgOptions(t testing.TB) envOptions {
	return envOptions{Options: handlers.Options{Coordinators: []storage.Identity{mtgCoordinator}, DefaultLanguage: "en",
		Command: "/cop", Location: mtgToronto(t)}, Meetings: Options{Rule: "third wednesday 13:00",
		Reminders: []time.Duration{336 * time.Hour, 24 * time.Hour, time.Hour}, Duration: 90 * time.Minute}}
}

func newMtgEnv(t testing.TB, mod func(*envOptions)) *mtgEnv {
	t.Helper()
	e := &mtgEnv{t: t, clock: handlerstest.NewClock(mtgT0), poster: &handlerstest.Poster{}, opts: mtgOptions(t),
		of: map[*handlers.Service]*Feature{}}
	if mod != nil {
		mod(&e.opts)
	}
	e.Env = handlerstest.New(t, handlerstest.Setup{Opts: &e.opts.Options, Clock: e.clock, Poster: e.poster,
		Install: func(s *handlers.Service) { e.of[s] = Install(s, e.opts.Meetings) }})
	e.sync()
	return e
}

// newMtgEnvOffsets is an env whose configured reminder offsets are the
// given ones, so that the reminders' job source (which re-plans with the
// config) keeps the reminders the test plans.
func newMtgEnvOffsets(t testing.TB, offsets ...time.Duration) *mtgEnv {
	return newMtgEnv(t, func(o *envOptions) { o.Meetings.Reminders = offsets })
}

func (e *mtgEnv) sync() { e.path, e.db, e.s, e.f = e.Path, e.DB, e.S, e.of[e.S] }

// featureOf is the meetings of s, a Service of the env.
func (e *mtgEnv) featureOf(s *handlers.Service) *Feature { return e.of[s] }

// restart opens the database and builds a new Service on it, as a new
// process would, with the options as they are now; the old ones are
// closed.
func (e *mtgEnv) restart() {
	e.t.Helper()
	e.Opts = e.opts.Options
	e.Reopen()
	e.sync()
}

// second is another process on the same database: its own storage handle
// and Service, posting to the same fake channel.
func (e *mtgEnv) second() *handlers.Service {
	e.t.Helper()
	return e.Second()
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
func (e *mtgEnv) ask(user, lang, text string) handlers.Reply {
	locale := ""
	if lang == "fr" {
		locale = "fr-CA"
	}
	return handlers.UnmarkReply(e.s.Handle(context.Background(), handlers.Request{Identity: handlerstest.User(user), Locale: locale, Text: text}))
}

// join makes a console user a member, directly in storage.
func (e *mtgEnv) join(user, name, lang string) *storage.Member { return e.Join(user, name, lang) }

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
	return e.AddMeeting(start, offsets...)
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

// pendingJobs lists the jobs of every job source of s, as the scheduler
// does at each scan; a source that fails fails the listing.
func pendingJobs(ctx context.Context, s *handlers.Service) ([]scheduler.Job, error) {
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

func mtgKey(r handlers.Reply) string {
	if r.Kind == "error" {
		return "error: " + r.Text
	}
	return r.Kind
}

func mtgHas(t testing.TB, r handlers.Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("reply %q lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}

var errMtgDown = errors.New("slack: 503 service unavailable")

// ptEnv is the meetings on a clock at real speed, for the tests written
// like the polls' (a coordinator's commands, members' replies).
type ptEnv struct {
	*handlerstest.Env
	db *storage.DB
	s  *handlers.Service
}

func newPtEnvClock(t testing.TB, poster handlers.Poster, clock *handlerstest.Clock) *ptEnv {
	t.Helper()
	e := handlerstest.New(t, handlerstest.Setup{Poster: poster, Clock: clock,
		Install: func(s *handlers.Service) { Install(s, Options{}) }})
	return &ptEnv{Env: e, db: e.DB, s: e.S}
}

func newPtEnv(t testing.TB) *ptEnv {
	t.Helper()
	clock := handlerstest.NewClock(time.Now())
	clock.Run()
	return newPtEnvClock(t, nil, clock)
}

var ptCoordinator = handlerstest.Coordinator

func ptUser(id string) storage.Identity { return handlerstest.User(id) }

func (e *ptEnv) ask(who storage.Identity, text string) handlers.Reply { return e.Ask(who, text) }

func (e *ptEnv) join(id, name, lang string) *storage.Member { return e.Join(id, name, lang) }

// ptSetClock pins the service's and the database's clock to at.
func (e *ptEnv) ptSetClock(at time.Time) { e.Clock.Pin(at) }
