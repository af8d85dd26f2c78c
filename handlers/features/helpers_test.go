package features

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/storage"
)

// Helpers of the tests that run every feature together (the authorization
// matrix, the fuzzers, the bilingual walk), on the shared harness.

// mtNow is the fixed clock of the membership tests.
var mtNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// mtgT0 is when meetings tests start: Monday 1 February 2027, 10:00 in Toronto.
var mtgT0 = time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)

var ptCoordinator = handlerstest.Coordinator

// newEnv is every feature on a fresh database, at clock.
func newEnv(t testing.TB, opts *handlers.Options, clock *handlerstest.Clock) *handlerstest.Env {
	return newEnvWith(t, opts, Options{}, clock)
}

// newEnvWith is newEnv with the features' settings fo.
func newEnvWith(t testing.TB, opts *handlers.Options, fo Options, clock *handlerstest.Clock) *handlerstest.Env {
	return handlerstest.New(t, handlerstest.Setup{Opts: opts, Clock: clock,
		Install: func(s *handlers.Service) { Install(s, fo) }})
}

// mtService is every feature on a fresh database at mtNow, with the
// coordinator "coord"; mod changes the options.
func mtService(t testing.TB, mod func(*handlers.Options)) (*handlers.Service, *storage.DB) {
	t.Helper()
	opts := handlers.Options{Coordinators: []storage.Identity{handlerstest.Coordinator}, DefaultLanguage: "en", Command: "/cop"}
	if mod != nil {
		mod(&opts)
	}
	e := newEnv(t, &opts, handlerstest.NewClock(mtNow))
	return e.S, e.DB
}

// newWithFeatures is features.New, for tests that open their own database.
func newWithFeatures(db *storage.DB, opts handlers.Options, now func() time.Time, log *slog.Logger) (*handlers.Service, error) {
	s, _, err := New(db, opts, now, log)
	return s, err
}

func mtUser(id string) storage.Identity { return handlerstest.User(id) }

// mtAsk sends text as user id (a console user) with a platform locale.
func mtAsk(s *handlers.Service, id, locale, text string) handlers.Reply {
	return handlers.UnmarkReply(s.Handle(context.Background(), handlers.Request{Identity: mtUser(id), UserName: "User " + id, Locale: locale, Text: text}))
}

// mtJoin signs up a console user with a one-line join, failing the test if
// it is refused.
func mtJoin(t testing.TB, s *handlers.Service, id, line string) {
	t.Helper()
	if r := mtAsk(s, id, "", "join "+line); r.Kind != "joined" {
		t.Fatalf("join %s: %s: %s", id, r.Kind, r.Text)
	}
}

func mtContains(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not contain %q", what, got, w)
		}
	}
}

// mtWord is the command word en or fr in the language of locale.
func mtWord(locale, en, fr string) string {
	if strings.HasPrefix(locale, "fr") {
		return fr
	}
	return en
}

// mtgEnv is every feature at mtgT0 in Toronto, with meetings' options.
type mtgEnv struct {
	*handlerstest.Env
	t      testing.TB
	db     *storage.DB
	s      *handlers.Service
	poster *handlerstest.Poster
}

func newMtgEnv(t testing.TB, mod func(*Options)) *mtgEnv {
	t.Helper()
	opts := handlerstest.Options(t)
	fo := Options{Meetings: meetings.Options{Rule: "third wednesday 13:00",
		Reminders: []time.Duration{336 * time.Hour, 24 * time.Hour, time.Hour}, Duration: 90 * time.Minute}}
	if mod != nil {
		mod(&fo)
	}
	e := newEnvWith(t, &opts, fo, handlerstest.NewClock(mtgT0))
	return &mtgEnv{Env: e, t: t, db: e.DB, s: e.S, poster: e.Fake()}
}

// ask sends text as a console user ("coord" is a coordinator) in lang.
func (e *mtgEnv) ask(user, lang, text string) handlers.Reply {
	locale := ""
	if lang == "fr" {
		locale = "fr-CA"
	}
	return handlers.UnmarkReply(e.s.Handle(context.Background(), handlers.Request{Identity: mtUser(user), Locale: locale, Text: text}))
}

func (e *mtgEnv) join(user, name, lang string) *storage.Member { return e.Join(user, name, lang) }

// ptEnv is every feature on a clock at real speed.
type ptEnv struct {
	*handlerstest.Env
	t    testing.TB
	db   *storage.DB
	s    *handlers.Service
	fake *handlerstest.Poster
}

func newPtEnv(t testing.TB) *ptEnv {
	t.Helper()
	clock := handlerstest.NewClock(time.Now())
	clock.Run()
	e := newEnv(t, nil, clock)
	return &ptEnv{Env: e, t: t, db: e.DB, s: e.S, fake: e.Fake()}
}

func ptUser(id string) storage.Identity { return handlerstest.User(id) }

func (e *ptEnv) ask(who storage.Identity, text string) handlers.Reply { return e.Ask(who, text) }

func (e *ptEnv) click(who storage.Identity, action, value string) handlers.Reply {
	return e.Click(who, action, value)
}

func (e *ptEnv) join(id, name, lang string) *storage.Member { return e.Join(id, name, lang) }

// create runs a poll command as the coordinator and returns the new poll.
func (e *ptEnv) create(line string) *storage.Poll { return e.CreatePoll(line) }

// vote clicks option n of p as who and fails the test unless the vote
// was taken.
func (e *ptEnv) vote(who storage.Identity, p *storage.Poll, n int) { e.Vote(who, p, n) }

// voteValue is the button value of option position n of p.
func voteValue(p *storage.Poll, n int) string { return handlerstest.VoteValue(p, n) }

func ptHas(t testing.TB, r handlers.Reply, want ...string) {
	t.Helper()
	handlerstest.Has(t, r, want...)
}

// nbsp is the no-break space French typography puts before a colon.
const nbsp = "\u00a0"

var mtCoordinator = handlerstest.Coordinator

// mtSection returns the text of the n-th Section of r ("" if none).
func mtSection(r handlers.Reply, n int) string {
	if s := handlerstest.Sections(r); n < len(s) {
		return s[n]
	}
	return ""
}

// mtButtons lists the action ids of r's buttons.
func mtButtons(r handlers.Reply) []string {
	var out []string
	for _, b := range handlerstest.Buttons(r) {
		out = append(out, b.ActionID)
	}
	return out
}
