package directory

import (
	"context"
	"strings"
	"testing"

	"copbot/storage"
)

// mtRosterJane imports Jane Doe from a roster: no platform id yet. It
// returns her member id.
func mtRosterJane(t *testing.T, s *dirService, db *storage.DB) int64 {
	t.Helper()
	csv := "name,email,organization,order,jurisdiction,title,language\n" +
		"Jane Doe,jane@ontario.ca,ServiceOntario,provincial,ON,Director,en\n"
	if rep, err := mtImport(t, s, csv, "en"); err != nil || rep.Created != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	ms, _, err := db.FindMembers(context.Background(), storage.MemberFilter{Email: new("jane@ontario.ca")})
	if err != nil || len(ms) != 1 {
		t.Fatalf("jane: %v %v", ms, err)
	}
	return ms[0].ID
}

// TestJoinCannotTakeOverRosterRow is the account-takeover regression: a
// chat user typing a roster member's email, or name and organization, is
// refused, does not see her details, and changes nothing.
func TestJoinCannotTakeOverRosterRow(t *testing.T) {
	tests := []struct {
		name, locale, line string
		wants              []string
	}{
		{"email", "", "name=Mallory org=Evil Inc order=municipal where=BC email=JANE@ontario.ca",
			[]string{"Email: Mallory, the directory already has a member with this email address",
				"ask a coordinator to link your account", "console:mallory", "Nothing was changed."}},
		{"name and organization", "", "Jane Doe | serviceontario | provincial | ON",
			[]string{"Name: Jane Doe, the directory already has a member with this name in this organization"}},
		{"french", "fr", "nom=Mallory org=Evil Inc ordre=municipal lieu=BC courriel=jane@ontario.ca",
			[]string{"Courriel\u00a0: Mallory, le répertoire compte déjà un membre avec cette adresse courriel",
				"demandez à l’équipe de coordination d’y lier votre compte", "console:mallory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, nil)
			ctx := context.Background()
			id := mtRosterJane(t, s, db)
			before, _ := db.MemberByID(ctx, id)
			r := mtAsk(s, "mallory", tt.locale, mtJoinWord(tt.locale)+" "+tt.line)
			if r.Kind != "error" {
				t.Fatalf("join: %s %q", r.Kind, r.Text)
			}
			mtContains(t, tt.name, r.Text, tt.wants...)
			if strings.Contains(r.Text, "Director") || strings.Contains(r.Text, "Jane Doe —") {
				t.Errorf("refusal shows the member's details: %q", r.Text)
			}
			if after, _ := db.MemberByID(ctx, id); *after != *before {
				t.Errorf("roster row changed:\n got %+v\nwant %+v", *after, *before)
			}
			if n, _ := mtCount(t, db); n != 1 {
				t.Errorf("%d members, want 1", n)
			}
			if r := mtAsk(s, "mallory", "", "profile"); !strings.Contains(r.Text, "not a member") {
				t.Errorf("mallory became a member: %q", r.Text)
			}
		})
	}
}

// TestCoordinatorLink: a coordinator attaches Jane's account to her roster
// row, after which her joins update it.
func TestCoordinatorLink(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	id := mtRosterJane(t, s, db)
	mtJoin(t, s, "marie", "Marie | SO | provincial | ON")
	if r := mtAsk(s, "coord", "", "who ON"); !strings.Contains(r.Text, "Jane Doe — Director, ServiceOntario · jane@ontario.ca · #1") {
		t.Errorf("coordinator's directory shows no member number: %q", r.Text)
	}
	if r := mtAsk(s, "marie", "", "who ON"); strings.Contains(r.Text, "#1") {
		t.Errorf("member's directory shows member numbers: %q", r.Text)
	}
	steps := []struct{ as, locale, text, want string }{
		{"jane", "", "coordinator link jane@ontario.ca console:jane", "Only coordinators can do that"},
		{"coord", "", "coordinator link jane@ontario.ca", "Usage: `/cop coordinators link EMAIL|MEMBER PLATFORM:ID`"},
		{"coord", "", "coordinator link jane@ontario.ca jane", "“jane” is not a user id."},
		{"coord", "", "coordinator link nobody@ontario.ca console:jane", "I found no member with the email address or member number “nobody@ontario.ca”."},
		{"coord", "", "coordinator link 99 console:jane", "“99”"},
		{"coord", "", "coordinator link jane@ontario.ca console:marie", "The account console:marie already belongs to Marie (#2). Nothing was changed."},
		{"coord", "", "coordinator link JANE@ontario.ca console:jane", "The account console:jane is now linked to Jane Doe (#1)."},
		{"coord", "fr", "coordonnateur lier nº1 console:jane", "Le compte console:jane était déjà lié à Jane Doe (nº\u00a01). Rien n’a été modifié."},
		// A second account on a platform is added beside the first (a guest
		// account in a partner's workspace), no longer in its place.
		{"coord", "", "coordinator link #1 console:jane2", "The account console:jane2 is now linked to Jane Doe (#1) as well, beside the account they already have"},
		{"coord", "fr", "coordonnateur lier nº1 console:jane3", "Le compte console:jane3 est maintenant lié à Jane Doe (nº\u00a01) lui aussi, en plus du compte"},
		{"coord", "", "coordinator link #1 console:jane3", "The account console:jane3 was already linked to Jane Doe (#1). Nothing was changed."},
	}
	for _, st := range steps {
		r := mtAsk(s, st.as, st.locale, st.text)
		mtContains(t, st.text, r.Text, st.want)
	}
	mtJoin(t, s, "jane2", "title=Executive Director")
	m, err := db.MemberByIdentity(ctx, mtUser("jane2"))
	if err != nil || m.ID != id || m.Title != "Executive Director" || m.Email != "jane@ontario.ca" {
		t.Errorf("jane after link and join: %+v, %v", m, err)
	}
	if n, _ := mtCount(t, db); n != 2 {
		t.Errorf("%d members, want 2", n)
	}
	for _, acct := range []string{"jane", "jane3"} {
		if m, err := db.MemberByIdentity(ctx, mtUser(acct)); err != nil || m.ID != id || m.ConsoleID != "jane" {
			t.Errorf("console:%s after a second account was linked: %+v, %v; want Jane, first account kept", acct, m, err)
		}
	}
	if r := mtAsk(s, "coord", "", "help coordinator"); !strings.Contains(r.Text, "coordinators link EMAIL|MEMBER PLATFORM:ID") {
		t.Errorf("help coordinator: %q", r.Text)
	}
}
