package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"copbot/storage"
)

// identitySnapshot is every member's identities (storage order), by id.
func identitySnapshot(t testing.TB, db *storage.DB) map[int64][]storage.Identity {
	t.Helper()
	out := map[int64][]storage.Identity{}
	for id := range rosterSnapshot(t, db) {
		ids, err := db.MemberIdentities(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = ids
	}
	return out
}

func diffIdentities(a, b map[int64][]storage.Identity) []string {
	var out []string
	for id, ids := range a {
		if !slices.Equal(ids, b[id]) {
			out = append(out, fmt.Sprintf("member %d: %v → %v", id, ids, b[id]))
		}
	}
	for id, ids := range b {
		if _, ok := a[id]; !ok && len(ids) > 0 {
			out = append(out, fmt.Sprintf("new member %d: %v", id, ids))
		}
	}
	return out
}

// twoAccounts fills db with Ann, who holds two Slack and two Teams
// accounts (the second ones linked by a coordinator), Bob with one of each
// and Cy with none. It returns Ann's id.
func twoAccounts(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	ctx := context.Background()
	_, err := db.ImportMembers(ctx, []storage.MemberInput{
		{Name: "Ann Lee", Email: "ann@orgb.ca", Organization: "Org B", Order: storage.OrderProvincial, Jurisdiction: "ON",
			Language: "fr", SlackID: "U1ANN", TeamsID: "29:ann-a"},
		{Name: "Bob Roy", Email: "bob@orgb.ca", Organization: "Org B", Order: storage.OrderProvincial, Jurisdiction: "ON",
			SlackID: "U1BOB", TeamsID: "29:bob"},
		{Name: "Cy Roy", Organization: "Ville de Québec", Order: storage.OrderMunicipal, Jurisdiction: "QC"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.MemberByIdentity(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U1ANN"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []storage.Identity{{Platform: storage.PlatformSlack, ID: "W2ANN"},
		{Platform: storage.PlatformTeams, ID: "29:ann-b"}} {
		if _, res, err := db.LinkMember(ctx, m.ID, id); err != nil || res != storage.LinkAdded {
			t.Fatalf("link %v: %v %v", id, res, err)
		}
	}
	return m.ID
}

// exportLine is the export's line for the member whose name starts it.
func exportLine(t *testing.T, csv, name string) string {
	t.Helper()
	for line := range strings.SplitSeq(csv, "\r\n") {
		if strings.HasPrefix(line, name+",") {
			return line
		}
	}
	t.Fatalf("no line for %s in\n%s", name, csv)
	return ""
}

// TestExportListsEveryAccount: the export used to write only each
// member's first account per platform (the members column), so a file
// imported elsewhere dropped their second ones.
func TestExportListsEveryAccount(t *testing.T) {
	s, db := mtService(t, nil)
	twoAccounts(t, db)
	csv := exportRoster(t, s)
	if got, want := exportLine(t, csv, "Ann Lee"), "Ann Lee,ann@orgb.ca,Org B,provincial,ON,,fr,U1ANN W2ANN,29:ann-a 29:ann-b"; got != want {
		t.Errorf("Ann's line = %q, want %q", got, want)
	}
	if got, want := exportLine(t, csv, "Bob Roy"), "Bob Roy,bob@orgb.ca,Org B,provincial,ON,,en,U1BOB,29:bob"; got != want {
		t.Errorf("Bob's line = %q, want %q", got, want)
	}
	if got, want := exportLine(t, csv, "Cy Roy"), "Cy Roy,,Ville de Québec,municipal,QC,,en,,"; got != want {
		t.Errorf("Cy's line = %q, want %q", got, want)
	}
}

// TestRosterRoundTripKeepsEveryAccount: export → import on a fresh
// database → export gives the same file, and each second account is a
// caller there (a person told "linked" is not a stranger after a move).
// Re-importing changes nothing, and a file that lists fewer accounts
// removes none.
func TestRosterRoundTripKeepsEveryAccount(t *testing.T) {
	ctx := context.Background()
	s, db := mtService(t, nil)
	twoAccounts(t, db)
	csv := exportRoster(t, s)

	s2, db2 := mtService(t, nil)
	rep, err := mtImport(t, s2, csv, "en")
	if err != nil || rep.Created != 3 || rep.Identities != 2 {
		t.Fatalf("import: %+v %v\n%s", rep, err, mtLines(rep.Errors))
	}
	mtContains(t, "en", rep.Text(s2.Translator(), "en"), "New members: 3.", "2 further Slack or Teams accounts were added to their members.")
	mtContains(t, "fr", rep.Text(s2.Translator(), "fr"), "2 comptes Slack ou Teams supplémentaires ont été ajoutés à leurs membres.")
	if again := exportRoster(t, s2); again != csv {
		t.Errorf("export after the round trip:\n%s\nwant\n%s", again, csv)
	}
	before, beforeIDs := rosterSnapshot(t, db2), identitySnapshot(t, db2)
	shorter := strings.Replace(csv, "U1ANN W2ANN,29:ann-a 29:ann-b", "U1ANN,29:ann-b;29:ann-a", 1)
	for _, file := range []string{csv, shorter} {
		rep, err = mtImport(t, s2, file, "en")
		if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated+rep.Identities != 0 {
			t.Fatalf("re-import: %+v %v\n%s", rep, err, mtLines(rep.Errors))
		}
	}
	if d := diffSnapshots(before, rosterSnapshot(t, db2)); len(d) > 0 {
		t.Errorf("re-import changed members:\n%s", strings.Join(d, "\n"))
	}
	if d := diffIdentities(beforeIDs, identitySnapshot(t, db2)); len(d) > 0 {
		t.Errorf("re-import changed identities:\n%s", strings.Join(d, "\n"))
	}

	// Last, since a request stamps the workspace (possibly in the
	// background): the second accounts are Ann's there.
	ann, err := db2.MemberByIdentity(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U1ANN"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []storage.Identity{{Platform: storage.PlatformSlack, ID: "W2ANN", Workspace: "T0PARTNER"},
		{Platform: storage.PlatformTeams, ID: "29:ann-b", Workspace: "tenant-b"}} {
		if ws, held, err := db2.IdentityWorkspace(ctx, id); err != nil || !held || ws != "" {
			t.Errorf("%v stored with workspace %q (held %v, %v), want held and not stamped yet", id, ws, held, err)
		}
		c, err := db2.CallerByIdentity(ctx, id)
		if err != nil || c.Member == nil || c.Member.ID != ann.ID {
			t.Errorf("caller %v = %+v %v, want Ann (%d)", id, c.Member, err, ann.ID)
		}
	}
}

// TestImportAddsListedAccounts: a cell may list accounts separated by
// spaces, ";" or ","; the first becomes the member's first account there,
// the others are added beside it, to a new member and to an existing one
// (which then counts as updated), once.
func TestImportAddsListedAccounts(t *testing.T) {
	ctx := context.Background()
	s, db := mtService(t, nil)
	twoAccounts(t, db)
	csv := "name,email,organization,order,jurisdiction,slack_id,teams_id\n" +
		"Bob Roy,bob@orgb.ca,Org B,provincial,ON,\"U1BOB; U3BOB\",\"29:bob , 29:bob-2\"\n" +
		"Dee Roy,dee@orgb.ca,Org B,provincial,ON,U1DEE\tU2DEE U1DEE,\n"
	for round, want := range []ImportReport{{Rows: 2, Created: 1, Updated: 1, Identities: 3}, {Rows: 2, Unchanged: 2}} {
		rep, err := mtImport(t, s, csv, "en")
		rep.Warnings = nil
		if err != nil || fmt.Sprint(rep) != fmt.Sprint(want) {
			t.Fatalf("import %d: %+v %v, want %+v\n%s", round, rep, err, want, mtLines(rep.Errors))
		}
	}
	for name, want := range map[string][]string{
		"U1BOB": {"slack:U1BOB", "slack:U3BOB", "teams:29:bob", "teams:29:bob-2"},
		"U1DEE": {"slack:U1DEE", "slack:U2DEE"},
	} {
		m, err := db.MemberByIdentity(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: name})
		if err != nil {
			t.Fatal(err)
		}
		ids, err := db.MemberIdentities(ctx, m.ID)
		var got []string
		for _, id := range ids {
			got = append(got, id.String())
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s's identities = %v %v, want %v", m.Name, got, err, want)
		}
	}
}

// TestImportRefusesAnotherMembersAccount: an account another member holds
// (in the database, or listed on another row) is refused with its line and
// column in both languages, and nothing is written: before, the cell was
// taken as one strange id with spaces in it.
func TestImportRefusesAnotherMembersAccount(t *testing.T) {
	header := "name,email,organization,order,jurisdiction,slack_id,teams_id\n"
	tests := []struct {
		name, rows string
		line       int
		column     string
		en, fr     string
	}{
		{name: "held by another member",
			rows: "Dee Roy,dee@orgb.ca,Org B,provincial,ON,U1DEE W2ANN,\n",
			line: 2, column: "slack_id",
			en: "Line 2, slack_id: The account slack:W2ANN already belongs to another member, Ann Lee. An import never moves an account",
			fr: "Ligne 2, slack_id\u00a0: le compte slack:W2ANN appartient déjà à un autre membre, Ann Lee."},
		{name: "another member's first account, as a further one",
			rows: "Ann Lee,ann@orgb.ca,Org B,provincial,ON,,29:ann-a 29:bob\n",
			line: 2, column: "teams_id",
			en: "Line 2, teams_id: The account teams:29:bob already belongs to another member, Bob Roy.",
			fr: "le compte teams:29:bob appartient déjà à un autre membre, Bob Roy."},
		{name: "listed on two rows",
			rows: "Dee Roy,dee@orgb.ca,Org B,provincial,ON,U1DEE U9NEW,\n" +
				"Eve Roy,eve@orgb.ca,Org B,provincial,ON,\"U1EVE,U9NEW\",\n",
			line: 3, column: "slack_id",
			en: "Line 3, slack_id: The Slack id U9NEW is already used on line 2.",
			fr: "Ligne 3, slack_id\u00a0: l’identifiant Slack U9NEW est déjà utilisé à la ligne 2."},
		{name: "first on one row, further on another",
			rows: "Dee Roy,dee@orgb.ca,Org B,provincial,ON,,29:dee\n" +
				"Eve Roy,eve@orgb.ca,Org B,provincial,ON,,29:eve 29:dee\n",
			line: 3, column: "teams_id",
			en: "Line 3, teams_id: The Teams id 29:dee is already used on line 2.",
			fr: "l’identifiant Teams 29:dee est déjà utilisé à la ligne 2."},
		{name: "too long",
			rows: "Dee Roy,dee@orgb.ca,Org B,provincial,ON,,29:dee 29:" + strings.Repeat("x", 100) + "\n",
			line: 2, column: "teams_id",
			en: "Line 2, teams_id: The teams_id is too long: at most 100 characters.",
			fr: "Ligne 2, teams_id\u00a0: le champ teams_id est trop long\u00a0: 100 caractères au plus."},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "fr"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				s, db := mtService(t, nil)
				twoAccounts(t, db)
				before, beforeIDs := rosterSnapshot(t, db), identitySnapshot(t, db)
				rep, err := mtImport(t, s, header+tt.rows, lang)
				if !errors.Is(err, ErrRosterRejected) || len(rep.Errors) != 1 {
					t.Fatalf("import: %+v %v; want one error", rep, err)
				}
				e := rep.Errors[0]
				if e.Line != tt.line || e.Column != tt.column {
					t.Errorf("error at line %d column %q, want %d %q", e.Line, e.Column, tt.line, tt.column)
				}
				mtContains(t, "message", rep.Text(s.Translator(), lang), mtWord(lang, tt.en, tt.fr))
				if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
					t.Errorf("refused import changed members:\n%s", strings.Join(d, "\n"))
				}
				if d := diffIdentities(beforeIDs, identitySnapshot(t, db)); len(d) > 0 {
					t.Errorf("refused import changed identities:\n%s", strings.Join(d, "\n"))
				}
			})
		}
	}
}
