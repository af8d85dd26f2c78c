package polls

import (
	"context"
	"errors"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/scheduler"
	"copbot/storage"
)

// Helpers of the poll tests, on the shared harness (handlerstest).

var ptCoordinator = handlerstest.Coordinator

// ptEnv is a Service with the polls installed, on a real database in a
// temporary directory.
type ptEnv struct {
	*handlerstest.Env
	t    testing.TB
	db   *storage.DB
	s    *handlers.Service
	f    *Feature // the polls of s
	fake *handlerstest.Poster
}

func newPtEnv(t testing.TB) *ptEnv {
	t.Helper()
	return newPtEnvAt(t, "", &handlerstest.Poster{})
}

// newPtClock is a stopped clock at the time the test started.
func newPtClock() *handlerstest.Clock { return handlerstest.NewClock(time.Now()) }

// newPtEnvAt opens a Service on the database at path ("": a new one)
// with a clock at real speed; several envs on one path are several
// processes sharing the file.
func newPtEnvAt(t testing.TB, path string, poster handlers.Poster) *ptEnv {
	t.Helper()
	clock := newPtClock()
	clock.Run()
	return newPtEnvClock(t, path, poster, clock)
}

// newPtEnvClock is newPtEnvAt with clock as the clock of the Service and
// of the database.
func newPtEnvClock(t testing.TB, path string, poster handlers.Poster, clock *handlerstest.Clock) *ptEnv {
	t.Helper()
	e := &ptEnv{t: t}
	e.Env = handlerstest.New(t, handlerstest.Setup{Path: path, Poster: poster, Clock: clock,
		Install: func(s *handlers.Service) { e.f = Install(s, Deps{Meetings: meetings.Install(s, meetings.Options{})}) }})
	e.db, e.s, e.fake = e.DB, e.S, e.Fake()
	return e
}

func ptUser(id string) storage.Identity { return handlerstest.User(id) }

func (e *ptEnv) ask(who storage.Identity, text string) handlers.Reply { return e.Ask(who, text) }

func (e *ptEnv) click(who storage.Identity, action, value string) handlers.Reply {
	return e.Click(who, action, value)
}

// join makes a member with a console identity id.
func (e *ptEnv) join(id, name, lang string) *storage.Member { return e.Join(id, name, lang) }

// create runs a poll command as the coordinator and returns the new poll.
func (e *ptEnv) create(line string) *storage.Poll { return e.CreatePoll(line) }

func (e *ptEnv) poll(id int64) *storage.Poll {
	e.t.Helper()
	p, err := e.db.PollByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// vote clicks option n of p as who and fails the test unless the vote
// was taken.
func (e *ptEnv) vote(who storage.Identity, p *storage.Poll, n int) { e.Vote(who, p, n) }

// ptJob returns the polls' pending job with that key, or nil.
func (e *ptEnv) ptJob(key string) *scheduler.Job {
	e.t.Helper()
	jobs, err := e.f.jobs(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Key == key {
			return &j
		}
	}
	return nil
}

// voteValue is the button value of option position n of p.
func voteValue(p *storage.Poll, n int) string { return handlerstest.VoteValue(p, n) }

// ptHas fails unless r's text contains every want.
func ptHas(t testing.TB, r handlers.Reply, want ...string) {
	t.Helper()
	handlerstest.Has(t, r, want...)
}

// ptButtons lists the buttons of r.
func ptButtons(r handlers.Reply) []handlers.Button { return handlerstest.Buttons(r) }

var errPtDown = errors.New("slack: 503 service unavailable")
