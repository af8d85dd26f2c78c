package directory

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// Helpers of the membership tests. Names start with "mt" so they cannot
// clash with other features' test helpers in this package.

// mtNow is the fixed clock of membership tests.
var mtNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// mtCoordinator is the coordinator named in the test config.
var mtCoordinator = storage.Identity{Platform: storage.PlatformConsole, ID: "coord"}

// dirService is a Service with the directory installed, and the
// directory's own methods (ImportRoster, cmdUpdate…) beside the Service's.
type dirService struct {
	*handlers.Service
	*Feature
}

// mtService opens a fresh database in t.TempDir() and a Service with the
// directory on it, at mtNow, with the coordinator "coord"; mod changes the
// options.
func mtService(t testing.TB, mod func(*handlers.Options)) (*dirService, *storage.DB) {
	t.Helper()
	opts := handlers.Options{Coordinators: []storage.Identity{mtCoordinator}, DefaultLanguage: "en", Command: "/cop"}
	if mod != nil {
		mod(&opts)
	}
	var f *Feature
	e := handlerstest.New(t, handlerstest.Setup{Opts: &opts, Clock: handlerstest.NewClock(mtNow),
		Install: func(s *handlers.Service) { f = Install(s) }})
	return &dirService{Service: e.S, Feature: f}, e.DB
}

// newCall is the call the Service makes for req, as the directory sees it.
func (s *dirService) newCall(ctx context.Context, req handlers.Request) *call {
	return s.call(s.NewCall(ctx, req))
}

// mtUser is a console identity.
func mtUser(id string) storage.Identity {
	return storage.Identity{Platform: storage.PlatformConsole, ID: id}
}

// mtAsk sends text as user id (a console user) with a platform locale.
func mtAsk(s *dirService, id, locale, text string) handlers.Reply {
	return handlers.UnmarkReply(s.Handle(context.Background(), handlers.Request{Identity: mtUser(id), UserName: "User " + id, Locale: locale, Text: text}))
}

// mtJoin signs up a console user with a one-line join, failing the test if
// it is refused.
func mtJoin(t testing.TB, s *dirService, id, line string) {
	t.Helper()
	if r := mtAsk(s, id, "", "join "+line); r.Kind != "joined" {
		t.Fatalf("join %s: %s: %s", id, r.Kind, r.Text)
	}
}

// mtCount returns how many members (active or not) the database holds and
// the latest updated_at among them.
func mtCount(t testing.TB, db *storage.DB) (int, time.Time) {
	t.Helper()
	ms, n, err := db.FindMembers(context.Background(), storage.MemberFilter{IncludeLeft: true})
	if err != nil {
		t.Fatal(err)
	}
	var latest time.Time
	for _, m := range ms {
		if m.UpdatedAt.After(latest) {
			latest = m.UpdatedAt
		}
	}
	return n, latest
}

// mtSection returns the text of the n-th Section of r ("" if none).
func mtSection(r handlers.Reply, n int) string {
	for _, b := range r.Blocks {
		if s, ok := b.(handlers.Section); ok {
			if n == 0 {
				return s.Text
			}
			n--
		}
	}
	return ""
}

// mtHeaders lists the Header texts of r.
func mtHeaders(r handlers.Reply) []string {
	var out []string
	for _, b := range r.Blocks {
		if h, ok := b.(handlers.Header); ok {
			out = append(out, h.Text)
		}
	}
	return out
}

// mtButtons lists the action ids of r's buttons.
func mtButtons(r handlers.Reply) []string {
	var out []string
	for _, b := range r.Blocks {
		if a, ok := b.(handlers.Actions); ok {
			for _, btn := range a.Buttons {
				out = append(out, btn.ActionID)
			}
		}
	}
	return out
}

func mtContains(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not contain %q", what, got, w)
		}
	}
}

// mtWord is the command word en or fr in the language of locale: someone
// without a saved language is answered in the language of the command.
func mtWord(locale, en, fr string) string {
	if strings.HasPrefix(locale, "fr") {
		return fr
	}
	return en
}
