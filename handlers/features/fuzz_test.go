package features

import (
	"bytes"
	"context"
	"errors"
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

// FuzzMatchJurisdiction checks that jurisdiction matching never panics,
// that what it finds is found again by its code and its names, and that
// suggestions are few and real.
func FuzzMatchJurisdiction(f *testing.F) {
	for _, s := range []string{"YT", "pe", "le Yukon", "l'Île-du-Prince-Édouard", "P.E.I.", "province of Quebec",
		"Saskatchwan", "Newfound", "Narnia", "", "Québec", "T.N.-L.", "canada", "ÎLE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		j, ok := handlers.MatchJurisdiction(text)
		if ok {
			for _, again := range []string{j.Code, j.Name("en"), j.Name("fr"), " " + text + " "} {
				if k, ok2 := handlers.MatchJurisdiction(again); !ok2 || k.Code != j.Code {
					t.Fatalf("%q matched %s, but %q matched %v %v", text, j.Code, again, k.Code, ok2)
				}
			}
		}
		sug := handlers.SuggestJurisdictions(text)
		if len(sug) > handlers.MaxSuggestions {
			t.Fatalf("%d suggestions for %q", len(sug), text)
		}
		for _, s := range sug {
			if _, ok := storage.JurisdictionByCode(s.Code); !ok {
				t.Fatalf("suggested unknown jurisdiction %+v", s)
			}
		}
	})
}

// FuzzRosterRoundTrip imports any file into an empty database: it is
// refused with line errors and nothing is written, or it is imported, and
// then its export imports back changing nothing, and imports into another
// empty database to the same export.
func FuzzRosterRoundTrip(f *testing.F) {
	f.Add([]byte("name,organization,order,jurisdiction,email,title,language\n" +
		"Ann Lee,Org B,provincial,ON,ann@example.ca,Director,fr\nBob Roy,Ville de Laval,municipal,QC,,,\n"))
	f.Add([]byte("\uFEFFNom;Organisation;Ordre;Juridiction;Courriel\r\nÉmilie Côté;Revenu Québec;provincial;Québec;e@q.ca\r\n"))
	f.Add([]byte("name,organization,order,jurisdiction,slack_id,teams_id\n\"Lee, Ann\",\"=HYPERLINK()\",federal,CA,U1,29:x\n"))
	f.Add([]byte("name,organization,order,jurisdiction\nAnn,Org,provincial,Narnia\n"))
	empty := fzEmptyDB(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := fzService(t, empty)
		rep, err := s.ImportRoster(ctx, bytes.NewReader(data), "en")
		if err != nil {
			if !errors.Is(err, handlers.ErrRosterRejected) || len(rep.Errors) == 0 {
				t.Fatalf("import error %v with %d line errors", err, len(rep.Errors))
			}
			if n, _ := mtCount(t, s.Store()); n != 0 {
				t.Fatalf("a refused import wrote %d members", n)
			}
			return
		}
		export := fzExport(t, s)
		again, err := s.ImportRoster(ctx, strings.NewReader(export), "en")
		if err != nil || again.Created+again.Updated != 0 {
			t.Fatalf("re-import of the export: %+v, %v\nexport:\n%q", again, err, export)
		}
		if got := fzExport(t, s); got != export {
			t.Fatalf("re-import changed the export:\n%q\n%q", export, got)
		}
		fresh := fzService(t, empty)
		if _, err := fresh.ImportRoster(ctx, strings.NewReader(export), "en"); err != nil {
			t.Fatalf("the export does not import into an empty database: %v\n%q", err, export)
		}
		if got := fzExport(t, fresh); got != export {
			t.Fatalf("the export differs after import into an empty database:\n%q\n%q", export, got)
		}
	})
}

// fzEmptyDB returns the bytes of a migrated, empty database: copying it is
// several times faster than migrating a new one for every input.
func fzEmptyDB(tb testing.TB) []byte {
	path := filepath.Join(tb.TempDir(), "empty.db")
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fzService is a service on a copy of the empty database.
func fzService(t *testing.T, empty []byte) *handlers.Service {
	t.Helper()
	db, _ := openCopy(t, empty)
	s, err := newWithFeatures(db, handlers.Options{DefaultLanguage: "en", Command: "/cop"}, db.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
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

func fzExport(t *testing.T, s *handlers.Service) string {
	t.Helper()
	var b strings.Builder
	if err := s.ExportRoster(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
