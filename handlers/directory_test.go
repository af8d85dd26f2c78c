package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"copbot/storage"
)

// mtDirectoryService has members in Ontario (all three orders... federal
// members are in CA) and Quebec, and nobody in Yukon.
func mtDirectoryService(t *testing.T, mod func(*Options)) *Service {
	t.Helper()
	s, _ := mtService(t, mod)
	mtJoin(t, s, "on1", "Marie Tremblay | ServiceOntario | provincial | Ontario | Director, Contact Centre | marie@ontario.ca")
	mtJoin(t, s, "on2", "Bob Smith | City of Toronto | municipal | ON | | bob@toronto.ca")
	mtJoin(t, s, "on3", "Alice Martin | City of Ottawa | municipal | ON | 311 Lead")
	mtJoin(t, s, "qc1", "Luc Gagnon | Services Québec | provincial | QC | | | fr")
	mtJoin(t, s, "ca1", "Sam Roy | Service Canada | federal | | Manager")
	return s
}

func TestWhoGroupsByOrder(t *testing.T) {
	s := mtDirectoryService(t, nil)
	r := mtAsk(s, "x", "", "who Ontario")
	if r.Kind != "directory" || r.Visibility != Ephemeral {
		t.Fatalf("who Ontario: %s %v %q", r.Kind, r.Visibility, r.Text)
	}
	if got, want := strings.Join(mtHeaders(r), "|"), "Ontario: 3 members|Provincial and territorial|Municipal"; got != want {
		t.Errorf("headers = %q, want %q", got, want)
	}
	if got, want := mtSection(r, 0), "• Marie Tremblay — Director, Contact Centre, ServiceOntario"; got != want {
		t.Errorf("provincial = %q, want %q", got, want)
	}
	if got, want := mtSection(r, 1), "• Alice Martin — 311 Lead, City of Ottawa\n• Bob Smith — City of Toronto"; got != want {
		t.Errorf("municipal = %q, want %q", got, want)
	}
}

func TestWhoEmailVisibility(t *testing.T) {
	tests := []struct {
		name      string
		show      bool
		asker     string
		wantEmail bool
	}{
		{"member, emails hidden", false, "on2", false},
		{"member, emails shown", true, "on2", true},
		{"coordinator always", false, mtCoordinator.ID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mtDirectoryService(t, func(o *Options) { o.ShowEmails = tt.show })
			r := mtAsk(s, tt.asker, "", "who ON")
			if got := strings.Contains(r.Text, "marie@ontario.ca"); got != tt.wantEmail {
				t.Errorf("email shown = %v, want %v: %q", got, tt.wantEmail, r.Text)
			}
		})
	}
}

func TestWhoQuestions(t *testing.T) {
	s := mtDirectoryService(t, nil)
	tests := []struct{ text, locale, header string }{
		{"who represents Ontario?", "", "Ontario: 3 members"},
		{"who's our rep for ON", "", "Ontario: 3 members"},
		{"who is in Ontario", "", "Ontario: 3 members"},
		{"anyone from Ontario?", "", "Ontario: 3 members"},
		{"/cop who is our representative for the province of Quebec please", "", "Quebec: 1 member"},
		{"qui représente le Québec?", "fr", "Québec : 1 membre"},
		{"qui est notre représentant pour le Québec", "fr", "Québec : 1 membre"},
		{"y a-t-il quelqu'un du Québec ?", "fr", "Québec : 1 membre"},
		{"Y a-t-il quelqu’un de l’Ontario ?", "fr", "Ontario : 3 membres"},
		{"qui Canada", "fr", "gouvernement du Canada : 1 membre"},
		{"Québec", "", "Quebec: 1 member"},
		{"cop who federal", "", "Government of Canada: 1 member"},
	}
	for _, tt := range tests {
		r := mtAsk(s, "x", tt.locale, tt.text)
		if h := mtHeaders(r); r.Kind != "directory" || len(h) == 0 || h[0] != tt.header {
			t.Errorf("%q: %s %v, want header %q (%q)", tt.text, r.Kind, h, tt.header, r.Text)
		}
	}
}

func TestWhoNobody(t *testing.T) {
	s := mtDirectoryService(t, nil)
	tests := []struct{ text, locale, want string }{
		{"who represents Yukon?", "", "Yukon: no member yet. Type `/cop gaps` to see every jurisdiction still without a representative."},
		{"who's our rep for PEI", "", "Prince Edward Island: no member yet."},
		{"anyone from Nunavut?", "", "Nunavut: no member yet."},
		{"qui représente le Yukon?", "fr", "Yukon : aucun membre pour l’instant."},
		{"qui représente l'Île-du-Prince-Édouard ?", "fr", "Île-du-Prince-Édouard : aucun membre pour l’instant."},
		{"y a-t-il quelqu'un du Nunavut ?", "fr", "Nunavut : aucun membre pour l’instant."},
		{"who NWT", "", "Northwest Territories: no member yet."},
	}
	for _, tt := range tests {
		r := mtAsk(s, "x", tt.locale, tt.text)
		if r.Kind != "directory" || !strings.HasPrefix(r.Text, tt.want) {
			t.Errorf("%q: %s %q, want prefix %q", tt.text, r.Kind, r.Text, tt.want)
		}
	}
}

func TestWhoUnknownPlace(t *testing.T) {
	s := mtDirectoryService(t, nil)
	tests := []struct{ text, locale, want string }{
		{"who Saskatchwan", "", "I don’t know the place “Saskatchwan”. Did you mean Saskatchewan?"},
		{"who represents Narnia?", "", "I don’t know the place “Narnia”. Use a province or territory"},
		{"qui représente la Narnie ?", "fr", "Je ne connais pas le lieu « Narnie »."},
		{"qui Albreta", "fr", "Je ne connais pas le lieu « Albreta ». Vouliez-vous dire Alberta ?"},
		{"who", "", "Which province or territory?"},
		{"who is on", "", "I don’t know the place “on”."},
	}
	for _, tt := range tests {
		r := mtAsk(s, "x", tt.locale, tt.text)
		if r.Kind != "error" || !strings.HasPrefix(r.Text, tt.want) {
			t.Errorf("%q: %s %q, want prefix %q", tt.text, r.Kind, r.Text, tt.want)
		}
	}
}

// Text that is neither a command nor a directory question falls through to
// service.go's unknown-command error.
func TestQuestionNotRecognised(t *testing.T) {
	s := mtDirectoryService(t, nil)
	for _, text := range []string{"hello there", "anyone up for lunch?", "on", "que", "in Ontario", "who's there?x"} {
		r := mtAsk(s, "x", "", text)
		if r.Kind != "error" || !strings.Contains(r.Text, "I don’t know the command") {
			t.Errorf("%q: %s %q", text, r.Kind, r.Text)
		}
	}
	r := mtAsk(s, "x", "", "anyone from Narnia?")
	mtContains(t, "cued unknown place", r.Text, "I don’t know the command")
	r = mtAsk(s, "x", "", "anyone from Saskatchwan?")
	mtContains(t, "cued near miss", r.Text, "I don’t know the place “Saskatchwan”. Did you mean Saskatchewan?")
}

func TestWhoCapsAtFifty(t *testing.T) {
	s, db := mtService(t, nil)
	rows := make([]storage.MemberInput, 0, 53)
	for i := range 53 {
		rows = append(rows, storage.MemberInput{Name: fmt.Sprintf("Person %02d", i), Organization: "City of Whitehorse",
			Order: storage.OrderMunicipal, Jurisdiction: "YT", Language: "en"})
	}
	if _, err := db.ImportMembers(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ locale, more string }{
		{"", "…and 3 more members not shown."}, {"fr", "… et 3 autres membres non affichés."},
	} {
		r := mtAsk(s, "x", tt.locale, "who YT")
		if got := strings.Count(r.Text, "• "); got != directoryLimit {
			t.Errorf("%d members listed, want %d", got, directoryLimit)
		}
		if !strings.HasSuffix(r.Text, tt.more) {
			t.Errorf("no %q at the end of %q", tt.more, r.Text[len(r.Text)-80:])
		}
	}
	rows = rows[:51]
	s2, db2 := mtService(t, nil)
	if _, err := db2.ImportMembers(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	r := mtAsk(s2, "x", "fr", "qui YT")
	mtContains(t, "singular", r.Text, "… et 1 autre membre non affiché.")
}
