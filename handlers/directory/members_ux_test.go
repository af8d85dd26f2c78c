package directory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// TestLanguageFollowsCommandWord: someone without a saved language is
// answered in the language of the command word or question when it tells,
// else by the platform locale, else in the community default.
func TestLanguageFollowsCommandWord(t *testing.T) {
	s, _ := mtService(t, func(o *handlers.Options) { o.DefaultLanguage = "en" })
	sfr, _ := mtService(t, func(o *handlers.Options) { o.DefaultLanguage = "fr" })
	tests := []struct {
		s              *dirService
		locale, text   string
		want, contains string
	}{
		{s, "", "aide", "fr", "Ce que je sais faire"},
		{s, "", "statistiques", "fr", "Aucune inscription pour l’instant"},
		{s, "", "lacunes", "fr", "provinces et territoires"},
		{s, "", "qui représente le Yukon\u202f?", "fr", "Yukon\u00a0: aucun membre"},
		{s, "", "y a-t-il quelqu’un du Nunavut\u202f?", "fr", "Nunavut\u00a0: aucun membre"},
		{s, "", "language fr", "fr", "Je vous répondrai en français quand vous m’écrirez en français"},
		{sfr, "", "help", "en", "What I can do"},
		{sfr, "", "stats", "en", "Nobody has joined yet"},
		{sfr, "", "who represents Yukon?", "en", "Yukon: no member yet"},
		{s, "fr-CA", "?", "fr", "Ce que je sais faire"}, // the same in both: the locale decides
		{sfr, "", "?", "fr", "Ce que je sais faire"},    // no locale: the default
		{s, "", "statistique", "fr", "`/cop statistiques`"},
		// Slack's French locale outranks an English word (French speakers
		// type /cop help too); a French word outranks an English locale.
		{s, "fr-CA", "help", "fr", "Ce que je sais faire"},
		{s, "en-US", "aide", "fr", "Ce que je sais faire"},
		{sfr, "en-US", "help", "en", "What I can do"},
	}
	for _, tt := range tests {
		r := mtAsk(tt.s, "visitor", tt.locale, tt.text)
		if r.Lang != tt.want || !strings.Contains(r.Text, tt.contains) {
			t.Errorf("%q (locale %q): %s %q, want %s containing %q", tt.text, tt.locale, r.Lang, r.Text, tt.want, tt.contains)
		}
	}
}

// TestUpdateShowsCurrentValues: a member's update or profile edit without
// a form shows the update command and their values, not the sign-up text.
func TestUpdateShowsCurrentValues(t *testing.T) {
	s, _ := mtService(t, nil)
	mtJoin(t, s, "en1", "Marie | ServiceOntario | provincial | ON | Director | marie@ontario.ca | en")
	mtJoin(t, s, "fr1", "Luc | Services Québec | provincial | QC | | | fr")
	tests := []struct{ id, text string }{
		{"en1", "update"}, {"en1", "profile edit"}, {"fr1", "modifier"}, {"fr1", "profil modifier"}, {"en1", "join"},
	}
	wants := map[string][]string{
		"en1": {"`/cop update FIELD VALUE`", "• name: Marie", "• org: ServiceOntario", "• order: provincial",
			"• where: ON", "• title: Director", "• email: marie@ontario.ca", "• lang: en"},
		"fr1": {"`/cop modifier CHAMP VALEUR`", "• nom\u00a0: Luc", "• organisation\u00a0: Services Québec", "• titre\u00a0: (vide)",
			"• lieu\u00a0: QC", "• langue\u00a0: fr"},
	}
	for _, tt := range tests {
		r := mtAsk(s, tt.id, "", tt.text)
		if r.Form == nil || r.Form.Submit == "Join" || strings.Contains(r.Text, "| ORGANI") {
			t.Errorf("%s %q: sign-up text or form: %q", tt.id, tt.text, r.Text)
		}
		mtContains(t, tt.id+" "+tt.text, r.Text, wants[tt.id]...)
	}
	r := mtAsk(s, "en1", "", "update email not-an-email")
	mtContains(t, "bad email", r.Text, "I couldn’t update your profile", "“not-an-email” is not an email address",
		"`/cop update email -`")
	if strings.Contains(r.Text, "join") {
		t.Errorf("update error speaks of joining: %q", r.Text)
	}
	r = mtAsk(s, "en1", "", "update title")
	mtContains(t, "missing value", r.Text, "`/cop update title Director`")
}

// TestSloppyJoinLines: "field:" prefixes, trailing commas, quotes inside a
// name, and an explicitly empty name.
func TestSloppyJoinLines(t *testing.T) {
	tests := []struct{ line, name, org, title string }{
		{"name: Kay Lee | org: X | federal", "Kay Lee", "X", ""},
		{"nom\u00a0: Kay Lee | organisation\u00a0: Ville X | municipal | ON", "Kay Lee", "Ville X", ""},
		{"name=Bob Smith, org=City, order=municipal; where=ON", "Bob Smith", "City", ""},
		{"name: Kay Lee org: X order: federal title: Lead: 311", "Kay Lee", "X", "Lead: 311"},
		{`Robert "Bob" Smith | SO | provincial | ON`, `Robert "Bob" Smith`, "SO", ""},
		{`name=Robert "Bob" Smith org="Service Ontario" order=provincial where=ON`, `Robert "Bob" Smith`, "Service Ontario", ""},
		{`"Marie Tremblay" | SO | provincial | ON | Director, Contact Centre`, "Marie Tremblay", "SO", "Director, Contact Centre"},
	}
	for _, tt := range tests {
		s, db := mtService(t, nil)
		if r := mtAsk(s, "u1", "", "join "+tt.line); r.Kind != "joined" {
			t.Errorf("%q: %s %q", tt.line, r.Kind, r.Text)
			continue
		}
		m, _ := db.MemberByIdentity(context.Background(), mtUser("u1"))
		if m.Name != tt.name || m.Organization != tt.org || m.Title != tt.title {
			t.Errorf("%q: stored %q / %q / %q, want %q / %q / %q", tt.line, m.Name, m.Organization, m.Title, tt.name, tt.org, tt.title)
		}
	}
	for _, line := range []string{" | X | federal | |", "name= org=X order=federal", "name: | org: X | federal"} {
		s, db := mtService(t, nil)
		r := mtAsk(s, "u1", "", "join "+line)
		if r.Kind != "error" || !strings.Contains(r.Text, "Name: A name is required.") {
			t.Errorf("%q: %s %q", line, r.Kind, r.Text)
		}
		if n, _ := mtCount(t, db); n != 0 {
			t.Errorf("%q: saved a member", line)
		}
	}
	s, db := mtService(t, nil)
	mtJoin(t, s, "u1", "Rob | SO | provincial | ON")
	mtAsk(s, "u1", "", `update name Robert "Bob" Smith,`)
	if m, _ := db.MemberByIdentity(context.Background(), mtUser("u1")); m.Name != `Robert "Bob" Smith` {
		t.Errorf("update name: %q", m.Name)
	}
}

// TestLeaveAnsweredYes: after the leave prompt, a bare yes/oui confirms
// and no/non cancels, for a while; without a prompt they leave nobody.
func TestLeaveAnsweredYes(t *testing.T) {
	s, db := mtService(t, nil)
	now := mtNow
	s.now = func() time.Time { return now }
	ctx := context.Background()
	active := func(id string) bool {
		_, err := db.MemberByIdentity(ctx, mtUser(id))
		return !errors.Is(err, storage.ErrNotFound)
	}
	mtJoin(t, s, "a", "Ana | SO | provincial | ON | | | fr")
	mtJoin(t, s, "b", "Ben | SO | provincial | ON")

	if r := mtAsk(s, "a", "", "oui"); r.Kind == "left" || !active("a") {
		t.Fatalf("oui without a prompt: %s %q", r.Kind, r.Text)
	}
	r := mtAsk(s, "a", "", "quitter")
	mtContains(t, "prompt", r.Text, "répondez `/cop oui`", "`/cop quitter confirmer`")
	if r := mtAsk(s, "b", "", "yes"); r.Kind == "left" || !active("b") {
		t.Errorf("another member's yes confirmed a's prompt: %s", r.Kind)
	}
	if r := mtAsk(s, "a", "", "non"); r.Kind != "leave_cancelled" || !active("a") {
		t.Errorf("non: %s %q", r.Kind, r.Text)
	}
	mtAsk(s, "a", "", "quitter")
	if r := mtAsk(s, "a", "", "oui"); r.Kind != "left" || active("a") {
		t.Errorf("oui after the prompt: %s %q", r.Kind, r.Text)
	}

	mtAsk(s, "b", "", "leave")
	now = now.Add(leavePromptTTL + time.Second)
	if r := mtAsk(s, "b", "", "yes"); r.Kind == "left" || !active("b") {
		t.Errorf("yes after the prompt expired: %s %q", r.Kind, r.Text)
	}
}

// TestRosterErrorsNameCellAndLine: an unclosed quote is reported where it
// opens, a shared Slack id names the id and the other line.
func TestRosterErrorsNameCellAndLine(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"unclosed quote", "name,organization,order,jurisdiction\n\"Ana,SO,provincial,ON\nBen,SO,provincial,ON\n",
			"2: Line 2: A double quote opens a cell on this line and is never closed"},
		{"shared slack id", "name,organization,order,jurisdiction,slack_id\nAna,SO,provincial,ON,U1\nBen,SO,provincial,ON,U1\n",
			"3: Line 3, slack_id: The Slack id U1 is already used on line 2."},
		{"shared teams id", "nom,organisation,ordre,province,Teams ID\nAna,SO,provincial,ON,29:x\nBen,SO,provincial,ON,29:x\n",
			"3: Line 3, Teams ID: The Teams id 29:x is already used on line 2."},
		{"same name, other details", "name,organization,order,jurisdiction,title\nAna,SO,provincial,ON,A\nana,SO,provincial,ON,B\n",
			"3: Line 3: Same person as line 2 (same name and organization)"},
		{"header as written", "Nom,Organisation,Ordre,Province\nAna,SO,provincial,Narnia\n",
			"2: Line 2, Province: I don’t know the place “Narnia”."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := mtService(t, nil)
			rep, err := mtImport(t, s, tt.csv, "en")
			if !errors.Is(err, ErrRosterRejected) {
				t.Fatalf("err = %v", err)
			}
			if got := mtLines(rep.Errors); !strings.HasPrefix(got, tt.want) {
				t.Errorf("errors:\n got %q\nwant prefix %q", got, tt.want)
			}
		})
	}
	s, _ := mtService(t, nil)
	rep, _ := mtImport(t, s, tests[1].csv, "fr")
	mtContains(t, "fr", rep.Text(s.Translator(), "fr"), "Ligne 3, slack_id\u00a0: l’identifiant Slack U1 est déjà utilisé à la ligne 2.")
}
