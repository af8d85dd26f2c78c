package organizations

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

var t0 = time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)

// env is a Service with the directory (to join) and the registry
// commands, on a new database.
func env(t *testing.T) *handlerstest.Env {
	t.Helper()
	return handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(t0), Install: func(s *handlers.Service) {
		directory.Install(s)
		Install(s)
	}})
}

func ask(e *handlerstest.Env, who storage.Identity, locale, text string) handlers.Reply {
	return handlers.UnmarkReply(e.S.Handle(context.Background(), handlers.Request{Identity: who, UserName: "User " + who.ID,
		Locale: locale, Text: text}))
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not contain %q", what, got, w)
		}
	}
}

// joinAll signs up members whose organizations are four spellings of ESDC
// and two of one municipality, which stays pending.
func joinAll(t *testing.T, e *handlerstest.Env) {
	t.Helper()
	for i, line := range []string{"A | Service Canada | federal", "B | EDSC | federal", "C | ESDC | federal",
		"D | Employment and Social Development Canada | federal", "E | City of Whitehorse | municipal | YT",
		"F | Whitehorse (City) | municipal | YT"} {
		if r := ask(e, handlerstest.User(string(rune('a'+i))), "en", "join "+line); r.Kind != "joined" {
			t.Fatalf("join %s: %s %s", line, r.Kind, r.Text)
		}
	}
}

// TestOrganizationsList: pending first, each entry named in the reader's
// language with its members counted (a child's in its parent's), and
// "Service Canada" counted as ESDC, in both languages.
func TestOrganizationsList(t *testing.T) {
	e := env(t)
	joinAll(t, e)
	for _, tt := range []struct {
		locale, cmd string
		wants       []string
	}{
		{"en", "organizations", []string{"2 new entries wait for a coordinator", "City of Whitehorse — Municipal, Yukon — 1 member",
			"Employment and Social Development Canada (ESDC) — Federal — 4 members", "Service Canada — Federal — 1 member (counted as ESDC)",
			"built-in entries have no member yet"}},
		{"fr", "organismes", []string{"2 nouvelles entrées attendent", "Emploi et Développement social Canada (EDSC) — Fédéral — 4 membres",
			"Service Canada — Fédéral — 1 membre (compté comme EDSC)", "entrées intégrées n’ont encore aucun membre"}},
	} {
		r := ask(e, handlerstest.Coordinator, tt.locale, tt.cmd)
		if r.Kind != "organizations" {
			t.Fatalf("%s: %s %q", tt.cmd, r.Kind, r.Text)
		}
		contains(t, tt.cmd, r.Text, tt.wants...)
		if strings.Index(r.Text, "Whitehorse") > strings.Index(r.Text, "Service Canada") {
			t.Errorf("%s: pending entries are not first:\n%s", tt.cmd, r.Text)
		}
	}
	st, err := e.DB.Stats(context.Background())
	if err != nil || st.Organizations[storage.OrderFederal] != 1 {
		t.Errorf("stats: %v federal departments, %v; want 1", st.Organizations, err)
	}
}

// TestOrganizationCommands: confirm, merge, alias, rename, each audited,
// in English and French, and refusals that change nothing.
func TestOrganizationCommands(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			e := env(t)
			joinAll(t, e)
			w := func(en, fr string) string {
				if lang == "fr" {
					return fr
				}
				return en
			}
			steps := []struct{ cmd, want string }{
				{`organization confirm "City of Whitehorse"`, w("City of Whitehorse is confirmed.", "L’entrée City of Whitehorse est confirmée.")},
				{`organization confirm "City of Whitehorse"`, w("was already confirmed. Nothing was changed.", "était déjà confirmée. Rien n’a été modifié.")},
				{`organization merge "Whitehorse (City)" into "City of Whitehorse"`, w("Merged into City of Whitehorse: Whitehorse (City) and its 1 member",
					"Fusionné dans City of Whitehorse\u00a0: Whitehorse (City), avec son 1 membre")},
				{`organization alias "City of Whitehorse" "Whitehorse"`, w("Whitehorse now names City of Whitehorse.", "Whitehorse désigne désormais City of Whitehorse.")},
				{`organization rename "whitehorse" "City of Whitehorse" --fr "Ville de Whitehorse"`,
					w("City of Whitehorse is now City of Whitehorse.", "L’entrée City of Whitehorse s’appelle désormais Ville de Whitehorse.")},
				{`organization parent "Service Canada" none`, w("Service Canada now counts on its own.", "L’entrée Service Canada compte désormais pour elle-même.")},
				{`organization parent "Service Canada" EDSC`, w("Service Canada is now part of Employment and Social Development Canada (ESDC)",
					"L’entrée Service Canada fait désormais partie de l’entrée Emploi et Développement social Canada (EDSC)")},
			}
			for _, st := range steps {
				r := ask(e, handlerstest.Coordinator, lang, st.cmd)
				if r.Kind == "error" {
					t.Fatalf("%s: %s", st.cmd, r.Text)
				}
				contains(t, st.cmd, r.Text, st.want)
			}
			entries, err := e.DB.FindAudit(context.Background(), storage.AuditFilter{})
			if err != nil || len(entries) != 6 {
				t.Errorf("audit: %d entries (%v), want confirm, merge, alias, rename and two parents", len(entries), err)
			}
			if st, _ := e.DB.Stats(context.Background()); st.Organizations[storage.OrderMunicipal] != 1 {
				t.Errorf("%d municipalities after the merge, want 1", st.Organizations[storage.OrderMunicipal])
			}
			before, _ := e.DB.Organizations(context.Background())
			for _, bad := range []struct{ cmd, want string }{
				{`organization confirm "Nowhere"`, w("No organization is called Nowhere", "Aucune organisation ne s’appelle Nowhere")},
				{`organization merge ESDC into "City of Whitehorse"`, w("Employment and Social Development Canada (ESDC) is on the Government of Canada’s built-in list",
					"Emploi et Développement social Canada (EDSC) fait partie de la liste intégrée")},
				{`organization merge "Service Canada" ESDC`, w("cannot be merged away", "ne peut pas disparaître dans une fusion")},
				{`organization rename ESDC --colour red`, w("I don’t know the option --colour", "Je ne connais pas l’option --colour")},
				{`organization frobnicate`, w("Usage:", "Syntaxe")},
				{`organization parent "City of Whitehorse" ESDC`, w("is of the same order of government and place", "du même ordre de gouvernement et du même lieu")},
			} {
				r := ask(e, handlerstest.Coordinator, lang, bad.cmd)
				if r.Kind != "error" {
					t.Errorf("%s: %s %q, want an error", bad.cmd, r.Kind, r.Text)
				}
				contains(t, bad.cmd, r.Text, bad.want)
			}
			after, _ := e.DB.Organizations(context.Background())
			if len(after) != len(before) {
				t.Errorf("refusals changed the registry: %d entries, then %d", len(before), len(after))
			}
			// The members of the merged entry show the French name to French readers.
			contains(t, "who", ask(e, handlerstest.User("z"), "fr", "qui Yukon").Text, "Ville de Whitehorse")
		})
	}
}
