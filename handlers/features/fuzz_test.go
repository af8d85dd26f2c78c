package features

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// Fuzz targets of the handlers. CI runs each for a few seconds (see
// .ci/run); seeds are added below and kept in testdata/fuzz.

// fzPanics is a log handler that remembers recovered handler panics.
type fzPanics struct {
	mu  sync.Mutex
	got []string
}

func (p *fzPanics) Enabled(context.Context, slog.Level) bool { return true }
func (p *fzPanics) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *fzPanics) WithGroup(string) slog.Handler            { return p }
func (p *fzPanics) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		var b strings.Builder
		r.Attrs(func(a slog.Attr) bool { b.WriteString(a.String() + " "); return true })
		p.mu.Lock()
		p.got = append(p.got, b.String())
		p.mu.Unlock()
	}
	return nil
}

func (p *fzPanics) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.got
	p.got = nil
	return out
}

// fzPoster is a community channel that accepts every post.
type fzPoster struct {
	mu sync.Mutex
	n  int
}

func (p *fzPoster) Post(context.Context, handlers.Reply) ([]handlers.MessageRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	return []handlers.MessageRef{{Platform: storage.PlatformSlack, Channel: "C0", ID: fmt.Sprint(p.n)}}, nil
}

func (p *fzPoster) Update(context.Context, handlers.MessageRef, handlers.Reply) error { return nil }

// fzCallers are who the command fuzzer speaks as: a visitor, a member, and
// a coordinator.
var fzCallers = [...]storage.Identity{
	{Platform: storage.PlatformSlack, ID: "UVISITOR"},
	{Platform: storage.PlatformSlack, ID: "UMEMBER"},
	{Platform: storage.PlatformSlack, ID: "UCOORD"},
}

// FuzzCommand sends any text as a command or question, from a visitor, a
// member and a coordinator, to a service on a real database: no handler
// panics (Handle recovers them, so the log is watched), and every reply
// says something in a known language.
func FuzzCommand(f *testing.F) {
	watch := &fzPanics{}
	opts := handlers.Options{Coordinators: []storage.Identity{handlerstest.Coordinator, fzCallers[2]}, DefaultLanguage: "en",
		Command: "/cop"}
	s := handlerstest.New(f, handlerstest.Setup{Opts: &opts, Clock: handlerstest.NewClock(mtNow), Log: slog.New(watch),
		Poster: &fzPoster{}, Install: func(s *handlers.Service) { Install(s, Options{}) }}).S
	req := handlers.Request{Identity: fzCallers[1], UserName: "Mem", Text: "join Mem Ber | ServiceOntario | provincial | ON"}
	if r := s.Handle(context.Background(), req); r.Kind != "joined" {
		f.Fatalf("member join: %s %s", r.Kind, r.Text)
	}
	for _, cmd := range s.Commands() {
		for _, n := range cmd.Names {
			f.Add(uint8(2), n)
		}
	}
	for _, text := range []string{"who Ontario", "qui Québec", "join Ada Lovelace | ServiceOntario | provincial | Ontario",
		`poll "Theme for March?" "Accessibility" "Chatbots"`, "meeting add 2027-03-17 13:00 Quarterly",
		"meeting plan 2031", "profile", "update title Director", "language fr", "vote 1 2", "stats", "gaps", "leave",
		"coordinator add slack:U9", "help meeting", "/cop who \"Ann Lee\"", "where is Yukon?"} {
		for who := range fzCallers {
			f.Add(uint8(who), text)
		}
	}
	f.Fuzz(func(t *testing.T, who uint8, text string) {
		req := handlers.Request{Identity: fzCallers[int(who)%len(fzCallers)], UserName: "Fuzz", Text: text}
		r := s.Handle(context.Background(), req)
		if p := watch.take(); len(p) > 0 {
			t.Fatalf("handler panic on %q: %s", text, p)
		}
		if r.Kind == "" || (r.Text == "" && len(r.Blocks) == 0 && r.Form == nil) {
			t.Fatalf("empty reply %+v to %q", r, text)
		}
		if r.Lang != "en" && r.Lang != "fr" && r.Lang != "en+fr" {
			t.Fatalf("reply language %q to %q", r.Lang, text)
		}
	})
}

// openCopy opens a copy of a database file's bytes on the test clock and
// returns it with its path.
func openCopy(t *testing.T, data []byte) (*storage.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copbot.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return mtNow }
	return db, path
}
