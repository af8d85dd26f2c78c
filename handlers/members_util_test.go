package handlers

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

// Helpers of the membership tests. Names start with "mt" so they cannot
// clash with other features' test helpers in this package.

// mtNow is the fixed clock of membership tests.
var mtNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// mtCoordinator is the coordinator named in the test config.
var mtCoordinator = storage.Identity{Platform: storage.PlatformConsole, ID: "coord"}

// mtService opens a fresh database in t.TempDir() and a Service on it.
func mtService(t testing.TB, mod func(*Options)) (*Service, *storage.DB) {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return mtNow }
	opts := Options{Coordinators: []storage.Identity{mtCoordinator}, DefaultLanguage: "en", Command: "/cop"}
	if mod != nil {
		mod(&opts)
	}
	s, err := newWithFeatures(db, opts, func() time.Time { return mtNow }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, db
}

// mtUser is a console identity.
func mtUser(id string) storage.Identity {
	return storage.Identity{Platform: storage.PlatformConsole, ID: id}
}

// mtAsk sends text as user id (a console user) with a platform locale.
func mtAsk(s *Service, id, locale, text string) Reply {
	return s.Handle(context.Background(), Request{Identity: mtUser(id), UserName: "User " + id, Locale: locale, Text: text})
}

// mtJoin signs up a console user with a one-line join, failing the test if
// it is refused.
func mtJoin(t testing.TB, s *Service, id, line string) {
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
func mtSection(r Reply, n int) string {
	for _, b := range r.Blocks {
		if s, ok := b.(Section); ok {
			if n == 0 {
				return s.Text
			}
			n--
		}
	}
	return ""
}

// mtHeaders lists the Header texts of r.
func mtHeaders(r Reply) []string {
	var out []string
	for _, b := range r.Blocks {
		if h, ok := b.(Header); ok {
			out = append(out, h.Text)
		}
	}
	return out
}

// mtButtons lists the action ids of r's buttons.
func mtButtons(r Reply) []string {
	var out []string
	for _, b := range r.Blocks {
		if a, ok := b.(Actions); ok {
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

// newWithFeatures is New with the features still in the core package
// installed, in help's order.
func newWithFeatures(db *storage.DB, opts Options, now func() time.Time, log *slog.Logger) (*Service, error) {
	s, err := New(db, opts, now, log)
	if err == nil {
		InstallDirectory(s)
	}
	return s, err
}

// nbsp is the no-break space French typography puts before a colon.
const nbsp = "\u00a0"

// loose turns the no-break spaces of French typography into plain ones.
func loose(s string) string { return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s) }
