package report

import (
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/storage"
)

// Helpers of the report's tests, on the shared harness (handlerstest).

var ptCoordinator = handlerstest.Coordinator

// rcT0 is the clock's start in the command tests: a Friday in December.
var rcT0 = time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)

// rcEnv is the report with the directory (joins accept invitations) on a
// fresh database, a stopped clock at rcT0 and a channel that writes to
// coordinators privately.
type rcEnv struct {
	*handlerstest.Env
	f *Feature
}

func newRcEnv(t *testing.T) (*rcEnv, *handlerstest.Clock, *handlerstest.DMPoster) {
	t.Helper()
	return newRcEnvAt(t, rcT0)
}

// newRcEnvAt is newRcEnv with the clock stopped at t0.
func newRcEnvAt(t *testing.T, t0 time.Time) (*rcEnv, *handlerstest.Clock, *handlerstest.DMPoster) {
	t.Helper()
	clock, poster := handlerstest.NewClock(t0), &handlerstest.DMPoster{}
	e := &rcEnv{}
	e.Env = handlerstest.New(t, handlerstest.Setup{Clock: clock, Poster: poster, Install: func(s *handlers.Service) {
		e.f = Install(s, Deps{Meetings: meetings.Install(s, meetings.Options{}), Directory: directory.Install(s)}, Options{})
	}})
	return e, clock, poster
}

func (e *rcEnv) ask(who storage.Identity, text string) handlers.Reply { return e.Ask(who, text) }

func (e *rcEnv) join(id, name, lang string) { e.Join(id, name, lang) }

func ptUser(id string) storage.Identity { return handlerstest.User(id) }

func rcHas(t *testing.T, r handlers.Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("reply %q lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}
