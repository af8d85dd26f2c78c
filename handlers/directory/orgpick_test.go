package directory

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// opService is mtService with its clock, for the suggestion's expiry.
func opService(t *testing.T) (*dirService, *storage.DB, *handlerstest.Clock) {
	t.Helper()
	opts := handlers.Options{Coordinators: []storage.Identity{mtCoordinator}, DefaultLanguage: "en", Command: "/cop"}
	clock := handlerstest.NewClock(mtNow)
	var f *Feature
	e := handlerstest.New(t, handlerstest.Setup{Opts: &opts, Clock: clock, Install: func(s *handlers.Service) { f = Install(s) }})
	return &dirService{Service: e.S, Feature: f}, e.DB, clock
}

func opClick(s *dirService, id, value string) handlers.Reply {
	return handlers.UnmarkReply(s.Act(context.Background(), handlers.Request{Identity: mtUser(id), UserName: "User " + id}, "org_pick", value))
}

// TestJoinSuggestsOrganization: a close spelling saves nothing and asks,
// in the person's language; yes takes the entry, no adds the typed name as
// a pending entry; a stale answer saves nothing.
func TestJoinSuggestsOrganization(t *testing.T) {
	tests := []struct {
		name, locale, line string
		answer             func(s *dirService) handlers.Reply
		question           string
		wantOrg            string
		pending            bool
	}{
		{"en yes typed", "en", "Ana Lee | Employment and Social Developement Canada | federal",
			func(s *dirService) handlers.Reply { return mtAsk(s, "u1", "en", "yes") },
			"Did you mean Employment and Social Development Canada (ESDC)?", "Employment and Social Development Canada", false},
		{"fr oui button", "fr", "Luc Roy | Emploi et Développement social | fédéral | | | | fr",
			func(s *dirService) handlers.Reply { return opClick(s, "u1", "yes") },
			"Vouliez-vous dire Emploi et Développement social Canada (EDSC)", "Employment and Social Development Canada", false},
		{"fr non typed", "fr", "Luc Roy | Emploi et Développement social | fédéral | | | | fr",
			func(s *dirService) handlers.Reply { return mtAsk(s, "u1", "fr", "non") },
			"Vouliez-vous dire", "Emploi et Développement social", true},
		{"en no button", "en", "Ana Lee | EDCS | federal",
			func(s *dirService) handlers.Reply { return opClick(s, "u1", "no") },
			"Did you mean Employment and Social Development Canada (ESDC)?", "EDCS", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db, _ := opService(t)
			r := mtAsk(s, "u1", tt.locale, mtWord(tt.locale, "join ", "adherer ")+tt.line)
			if r.Kind != "org_suggest" || !strings.Contains(r.Text, tt.question) {
				t.Fatalf("join: %s %q, want a suggestion %q", r.Kind, r.Text, tt.question)
			}
			if got := mtButtons(r); len(got) != 2 || got[0] != "org_pick" {
				t.Errorf("buttons %v, want yes and no", got)
			}
			if n, _ := mtCount(t, db); n != 0 {
				t.Fatalf("%d members saved before the answer", n)
			}
			r = tt.answer(s)
			if r.Kind != "joined" {
				t.Fatalf("answer: %s %q", r.Kind, r.Text)
			}
			m, err := db.MemberByIdentity(context.Background(), mtUser("u1"))
			if err != nil || m.Organization != tt.wantOrg {
				t.Fatalf("member %+v, %v; want organization %q", m, err, tt.wantOrg)
			}
			o, err := db.FindOrganization(context.Background(), "#"+strconv.FormatInt(m.OrganizationID, 10))
			if err != nil || (o.Status == storage.OrgPending) != tt.pending {
				t.Errorf("entry %+v, %v; want pending %v", o, err, tt.pending)
			}
			note := mtWord(tt.locale, "is new to the organizations registry", "est nouvelle au registre")
			if strings.Contains(r.Text, note) != tt.pending {
				t.Errorf("reply %q: the pending note shown %v, want %v", r.Text, !tt.pending, tt.pending)
			}
		})
	}
}

// TestUpdateSuggestionExpires: an update's suggestion answered too late
// saves nothing and says so, in both languages.
func TestUpdateSuggestionExpires(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			s, db, clock := opService(t)
			mtJoin(t, s, "u1", "Ana Lee | ServiceOntario | provincial | ON | | | "+lang)
			r := mtAsk(s, "u1", "", mtWord(lang, "update org ", "modifier org ")+"Statistic Canada")
			if r.Kind != "org_suggest" || !strings.Contains(r.Text, mtWord(lang, "Statistics Canada (StatCan)", "Statistique Canada (StatCan)")) {
				t.Fatalf("update: %s %q", r.Kind, r.Text)
			}
			clock.Add(orgPickTTL + time.Minute)
			r = opClick(s, "u1", "yes")
			mtContains(t, "late answer", r.Text, mtWord(lang, "That question has expired", "Cette question a expiré"))
			m, _ := db.MemberByIdentity(context.Background(), mtUser("u1"))
			if m.Organization != "ServiceOntario" {
				t.Errorf("organization %q after a stale answer, want ServiceOntario", m.Organization)
			}
		})
	}
}

// TestImportSuggestsOrganization: an import row with a close spelling is
// refused with the suggestion, in the report's language, and nothing is
// imported.
func TestImportSuggestsOrganization(t *testing.T) {
	const csv = "name,email,organization,order,jurisdiction,title,language\n" +
		"Ana Lee,ana@x.ca,ESDC,federal,,,en\n" +
		"Ben Roy,ben@x.ca,Employment and Social Development,federal,,,en\n"
	for _, tt := range []struct{ lang, want string }{
		{"en", "Did you mean Employment and Social Development Canada (ESDC)?"},
		{"fr", "Vouliez-vous dire Emploi et Développement social Canada (EDSC)"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			s, db := mtService(t, nil)
			rep, err := mtImport(t, s, csv, tt.lang)
			if !errors.Is(err, ErrRosterRejected) {
				t.Fatalf("err = %v, want ErrRosterRejected", err)
			}
			mtContains(t, "errors", mtLines(rep.Errors), "3: ", tt.want)
			if n, _ := mtCount(t, db); n != 0 {
				t.Errorf("%d members imported, want 0", n)
			}
		})
	}
}

// TestWhoNamesOrganizationInReadersLanguage: the directory names an entry
// in the reader's language.
func TestWhoNamesOrganizationInReadersLanguage(t *testing.T) {
	s, _ := mtService(t, nil)
	mtJoin(t, s, "u1", "Ana Lee | CRA | federal")
	mtContains(t, "en", mtAsk(s, "u2", "en", "who federal").Text, "Canada Revenue Agency")
	mtContains(t, "fr", mtAsk(s, "u3", "fr", "qui fédéral").Text, "Agence du revenu du Canada")
}
