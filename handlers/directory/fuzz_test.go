package directory

import (
	"bytes"
	"context"
	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzMatchJurisdiction checks that jurisdiction matching never panics,
// that what it finds is found again by its code and its names, and that
// suggestions are few and real.
func FuzzMatchJurisdiction(f *testing.F) {
	for _, s := range []string{"YT", "pe", "le Yukon", "l'Île-du-Prince-Édouard", "P.E.I.", "province of Quebec",
		"Saskatchwan", "Newfound", "Narnia", "", "Québec", "T.N.-L.", "canada", "ÎLE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		j, ok := MatchJurisdiction(text)
		if ok {
			for _, again := range []string{j.Code, j.Name("en"), j.Name("fr"), " " + text + " "} {
				if k, ok2 := MatchJurisdiction(again); !ok2 || k.Code != j.Code {
					t.Fatalf("%q matched %s, but %q matched %v %v", text, j.Code, again, k.Code, ok2)
				}
			}
		}
		sug := SuggestJurisdictions(text)
		if len(sug) > MaxSuggestions {
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
			if !errors.Is(err, ErrRosterRejected) || len(rep.Errors) == 0 {
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
func fzService(t *testing.T, empty []byte) *dirService {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copbot.db")
	if err := os.WriteFile(path, empty, 0o600); err != nil {
		t.Fatal(err)
	}
	opts := handlers.Options{DefaultLanguage: "en", Command: "/cop"}
	var f *Feature
	e := handlerstest.New(t, handlerstest.Setup{Path: path, Opts: &opts, Clock: handlerstest.NewClock(mtNow),
		Install: func(s *handlers.Service) { f = Install(s) }})
	return &dirService{Service: e.S, Feature: f}
}

func fzExport(t *testing.T, s *dirService) string {
	t.Helper()
	var b strings.Builder
	if err := s.ExportRoster(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
