package handlers

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"copbot/storage"
)

// Helpers of the core's own tests: a Service with no feature installed.
// Features' tests use handlers/handlerstest, which this package cannot.

// mtNow is the fixed clock of the core's tests.
var mtNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// mtService opens a fresh database in t.TempDir() and a core Service on it.
func mtService(t testing.TB, mod func(*Options)) (*Service, *storage.DB) {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return mtNow }
	opts := Options{DefaultLanguage: "en", Command: "/cop"}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(db, opts, db.Now, slog.New(slog.DiscardHandler))
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
