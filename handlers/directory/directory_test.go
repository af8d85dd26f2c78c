package directory

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

// mtDirectoryService has members in Ontario (all three orders... federal
// members are in CA) and Quebec, and nobody in Yukon.
func mtDirectoryService(t *testing.T, mod func(*handlers.Options)) *dirService {
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
	if r.Kind != "directory" || r.Visibility != handlers.Ephemeral {
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
			s := mtDirectoryService(t, func(o *handlers.Options) { o.ShowEmails = tt.show })
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
		{"qui représente le Québec?", "fr", "Québec\u00a0: 1 membre"},
		{"qui est notre représentant pour le Québec", "fr", "Québec\u00a0: 1 membre"},
		{"qui nous représente au Québec ?", "fr", "Québec\u00a0: 1 membre"},
		{"y a-t-il quelqu'un du Québec\u202f?", "fr", "Québec\u00a0: 1 membre"},
		{"Y a-t-il quelqu’un de l’Ontario\u202f?", "fr", "Ontario\u00a0: 3 membres"},
		{"qui Canada", "fr", "Gouvernement du Canada\u00a0: 1 membre"},
		{"qui GdC", "fr", "Gouvernement du Canada\u00a0: 1 membre"},
		{"qui représente le gouv. du Canada ?", "fr", "Gouvernement du Canada\u00a0: 1 membre"},
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
		{"qui représente le Yukon?", "fr", "Yukon\u00a0: aucun membre pour l’instant."},
		{"qui représente l'Île-du-Prince-Édouard\u202f?", "fr", "Île-du-Prince-Édouard\u00a0: aucun membre pour l’instant."},
		{"y a-t-il quelqu'un du Nunavut\u202f?", "fr", "Nunavut\u00a0: aucun membre pour l’instant."},
		{"who NWT", "", "Northwest Territories: no member yet."},
		{"who NT", "", "Northwest Territories: no member yet."},
		{"qui représente le Yn ?", "fr", "Yukon\u00a0: aucun membre pour l’instant."},
		{"who Alb.", "", "Alberta: no member yet."},
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
		{"qui représente la Narnie ?", "fr", "Je ne connais pas le lieu «\u00a0Narnie\u00a0»."},
		{"qui Albreta", "fr", "Je ne connais pas le lieu «\u00a0Albreta\u00a0». Vouliez-vous dire l’Alberta\u202f?"},
		{"who Nt", "", "“Nt” can mean Nunavut or the Northwest Territories. Which one? Write the name, or the code NU or NT."},
		{"qui représente le Nt ?", "fr", "«\u00a0Nt\u00a0» peut désigner le Nunavut ou les Territoires du Nord-Ouest. Lequel\u202f? Écrivez le nom, ou le code NU ou NT."},
		{"Nt", "fr", "«\u00a0Nt\u00a0» peut désigner le Nunavut ou les Territoires du Nord-Ouest."},
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
	for _, text := range []string{"anyone up for lunch?", "on", "in Ontario", "who's there?x"} {
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

// mtYukon imports n members of City of Whitehorse (municipal, YT), named
// "Person 00"…, and one provincial member.
func mtYukon(t *testing.T, db *storage.DB, n int) {
	t.Helper()
	rows := []storage.MemberInput{{Name: "Yan Wu", Organization: "Yukon Government", Order: storage.OrderProvincial, Jurisdiction: "YT"}}
	for i := range n {
		rows = append(rows, storage.MemberInput{Name: fmt.Sprintf("Person %02d", i), Organization: "City of Whitehorse",
			Order: storage.OrderMunicipal, Jurisdiction: "YT", Language: "en"})
	}
	if _, err := db.ImportMembers(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
}

func TestWhoCapsAtFifty(t *testing.T) {
	s, db := mtService(t, nil)
	mtYukon(t, db, 52)
	for _, tt := range []struct{ locale, text, more string }{
		{"", "who YT", "…and 3 more members not shown. Type `/cop who YT page 2` for the next page."},
		{"fr", "qui YT", "… et 3 autres membres non affichés. Tapez `/cop qui YT page 2` pour la page suivante."},
	} {
		r := mtAsk(s, "x", tt.locale, tt.text)
		if got := strings.Count(r.Text, "• "); got != directoryLimit {
			t.Errorf("%d members listed, want %d", got, directoryLimit)
		}
		if !strings.HasSuffix(r.Text, tt.more) {
			t.Errorf("no %q at the end of %q", tt.more, r.Text[len(r.Text)-120:])
		}
	}
	s2, db2 := mtService(t, nil)
	mtYukon(t, db2, 50)
	r := mtAsk(s2, "x", "fr", "qui YT")
	mtContains(t, "singular", r.Text, "… et 1 autre membre non affiché. Tapez `/cop qui YT page 2` pour le voir.")
}

// TestWhoPages follows the "and N more" hint to the next page, and refuses
// pages that are not there.
func TestWhoPages(t *testing.T) {
	s, db := mtService(t, nil)
	mtYukon(t, db, 120)
	next := func(r handlers.Reply) string { // the command quoted in the hint
		_, after, _ := strings.Cut(r.Text, "Type `/cop ")
		cmd, _, _ := strings.Cut(after, "`")
		return cmd
	}
	r := mtAsk(s, "x", "", "who represents Yukon")
	seen := map[string]bool{}
	for page := 1; ; page++ {
		for _, line := range strings.Split(r.Text, "\n") {
			if name, ok := strings.CutPrefix(line, "• "); ok {
				if seen[name] {
					t.Errorf("page %d repeats %q", page, name)
				}
				seen[name] = true
			}
		}
		mtContains(t, "page", r.Text, fmt.Sprintf("Page %d of 3", page), "Yukon: 121 members")
		cmd := next(r)
		if page == 3 {
			if cmd != "" {
				t.Errorf("last page points to %q", cmd)
			}
			break
		}
		if want := fmt.Sprintf("who YT page %d", page+1); cmd != want {
			t.Fatalf("page %d hint = %q, want %q", page, cmd, want)
		}
		r = mtAsk(s, "x", "", cmd)
	}
	if len(seen) != 121 {
		t.Errorf("%d members over all pages, want 121", len(seen))
	}
	refusals := []struct{ locale, text, want string }{
		{"", "who YT page 4", "There is no page 4: Yukon has 3 pages of members. Type `/cop who YT page 3` for the last one."},
		{"fr", "qui YT page 9", "Il n’y a pas de page 9\u00a0: cette liste (Yukon) compte 3 pages. Tapez `/cop qui YT page 3` pour la dernière."},
		{"", "who YT page 0", "“0” is not a page number."},
		{"", "who YT page two", "“two” is not a page number."},
		{"fr", "qui YT page", "«\u00a0page\u00a0» n’est pas un numéro de page."},
	}
	for _, tt := range refusals {
		mtContains(t, tt.text, mtAsk(s, "x", tt.locale, tt.text).Text, tt.want)
	}
}

// TestWhoOrderFilter: an order word after (or before) the place keeps only
// that order's members; words that belong to a place name do not filter.
func TestWhoOrderFilter(t *testing.T) {
	s := mtDirectoryService(t, nil)
	tests := []struct{ locale, text, want string }{
		{"", "who Ontario municipal", "Ontario — Municipal: 2 members|Municipal"},
		{"", "who municipal ON", "Ontario — Municipal: 2 members|Municipal"},
		{"", "who represents Ontario provincial", "Ontario — Provincial and territorial: 1 member|Provincial and territorial"},
		{"fr", "qui Ontario municipalités", "Ontario — Municipal\u00a0: 2 membres|Municipal"},
		{"", "who federal", "Government of Canada: 1 member|Federal"},
		{"", "who Yukon Territory", ""},
	}
	for _, tt := range tests {
		r := mtAsk(s, "x", tt.locale, tt.text)
		if got := strings.Join(mtHeaders(r), "|"); got != tt.want {
			t.Errorf("%s: headers %q, want %q (%s)", tt.text, got, tt.want, r.Text)
		}
	}
	r := mtAsk(s, "x", "", "who ON federal")
	mtContains(t, "federal members have no province", r.Text, "Federal members are not listed by province",
		"`/cop who federal`")
	if strings.Contains(r.Text, "no member yet") {
		t.Errorf("who ON federal reports a gap: %q", r.Text)
	}
	r = mtAsk(s, "x", "", "who Yukon Territory")
	mtContains(t, "territory is a place word", r.Text, "Yukon: no member yet.")
}

// Dotted abbreviations are places, not question words followed by a place
// (« T » was taken for the « t » of « y a-t-il »), and « fed » answers for
// the Government of Canada instead of asking whether it was meant.
func TestWhoDottedAbbreviations(t *testing.T) {
	s := mtDirectoryService(t, nil)
	tests := []struct{ text, locale, want string }{
		{"who T.N.-O.", "", "Northwest Territories: no member yet."},
		{"who T.N.O.", "", "Northwest Territories: no member yet."},
		{"qui représente les T.N.-O. ?", "fr", "Territoires du Nord-Ouest\u00a0: aucun membre"},
		{"qui T.-N.-L.", "fr", "Terre-Neuve-et-Labrador\u00a0: aucun membre"},
		{"who Î.-P.-É.", "", "Prince Edward Island: no member yet."},
		{"qui représente la N.-É. ?", "fr", "Nouvelle-Écosse\u00a0: aucun membre"},
		{"who N.-B.", "", "New Brunswick: no member yet."},
		{"y a-t-il quelqu’un de la C.-B. ?", "fr", "Colombie-Britannique\u00a0: aucun membre"},
		{"y a-t-il quelqu’un du Nunavut ?", "fr", "Nunavut\u00a0: aucun membre"},
		{"who fed", "", "Government of Canada: 1 member"},
		{"qui féd", "fr", "Gouvernement du Canada\u00a0: 1 membre"},
	}
	for _, tt := range tests {
		r := mtAsk(s, "x", tt.locale, tt.text)
		if r.Kind != "directory" || !strings.HasPrefix(r.Text, tt.want) {
			t.Errorf("%q: %s %q, want prefix %q", tt.text, r.Kind, r.Text, tt.want)
		}
	}
}

// TestWhoPagesByCharacters: a page holds what fits one message, not a
// fixed count: members with long titles make more, shorter pages, each
// within directoryPageChars of member lines, with buttons that walk every
// page in place and show every member once.
func TestWhoPagesByCharacters(t *testing.T) {
	s, db := mtService(t, nil)
	rows := make([]storage.MemberInput, 100)
	for i := range rows {
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Person %02d", i), Organization: "City of Whitehorse 311 Contact Centre",
			Order: storage.OrderMunicipal, Jurisdiction: "YT", Language: "en",
			Title: strings.Repeat("Director of Client Services and Accessibility ", 4)}
	}
	if _, err := db.ImportMembers(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	r := mtAsk(s, "x", "", "who YT")
	seen := map[string]bool{}
	pages := 0
	for {
		pages++
		chars, listed := 0, 0
		var next *handlers.Button
		for _, b := range r.Blocks {
			switch b := b.(type) {
			case handlers.Section:
				for _, line := range strings.Split(b.Text, "\n") {
					if name, ok := strings.CutPrefix(line, "• "); ok {
						chars += utf8.RuneCountInString(name)
						listed++
						name, _, _ = strings.Cut(name, " — ")
						if seen[name] {
							t.Errorf("page %d repeats %s", pages, name)
						}
						seen[name] = true
					}
				}
			case handlers.Actions:
				for _, btn := range b.Buttons {
					if btn.ActionID == "directory_page" && btn.Style == handlers.StylePrimary {
						next = &btn
					}
				}
			}
		}
		if chars > directoryPageChars || listed == 0 || listed >= directoryLimit {
			t.Fatalf("page %d lists %d members in %d characters", pages, listed, chars)
		}
		if next == nil {
			break
		}
		r = s.Act(context.Background(), handlers.Request{Identity: mtUser("x")}, next.ActionID, next.Value)
		if !r.Replace || r.Kind != "directory" {
			t.Fatalf("page button answered %s (replace %v): %q", r.Kind, r.Replace, r.Text)
		}
	}
	if len(seen) != 100 || pages < 4 {
		t.Errorf("%d members over %d pages, want all 100 over more than the 2 of a count of 50", len(seen), pages)
	}
	mtContains(t, "last page", r.Text, fmt.Sprintf("Page %d of %d", pages, pages))
	bad := s.Act(context.Background(), handlers.Request{Identity: mtUser("x")}, "directory_page", "XX||2")
	if bad.Kind != "error" {
		t.Errorf("a forged page value answered %s", bad.Kind)
	}
}

// TestRosterExportIsAPrivateFile: a coordinator's `roster export` hands
// over the roster CSV (which ImportRoster reads back) as a file for them
// alone; the message names it and holds no address; others are refused.
func TestRosterExportIsAPrivateFile(t *testing.T) {
	s := mtDirectoryService(t, nil)
	r := s.Handle(context.Background(), handlers.Request{Identity: mtCoordinator, Text: "roster export"})
	if r.File == nil || !strings.HasPrefix(r.File.Name, "copbot-roster-") || !strings.HasSuffix(r.File.Name, ".csv") {
		t.Fatalf("roster export: %s %q, file %+v", r.Kind, r.Text, r.File)
	}
	if r.Visibility != handlers.Ephemeral || strings.Contains(r.Text, "@") {
		t.Errorf("the message must be private and name the file only: %q", r.Text)
	}
	rep, err := s.Feature.ImportRoster(context.Background(), bytes.NewReader(r.File.Data), "en")
	if err != nil || rep.Rows != 5 || !strings.Contains(string(r.File.Data), "marie@ontario.ca") {
		t.Errorf("the file does not import back: %+v, %v", rep, err)
	}
	mtContains(t, "count", r.Text, "5 members")
	fr := s.Handle(context.Background(), handlers.Request{Identity: mtCoordinator, Locale: "fr-CA", Text: "liste exporter"})
	if fr.File == nil || !strings.Contains(fr.Text, "5 membres") {
		t.Errorf("liste exporter: %q", fr.Text)
	}
	if m := mtAsk(s, "on1", "", "roster export"); m.File != nil || !strings.Contains(m.Text, "Only coordinators") {
		t.Errorf("a member got %q, file %v", m.Text, m.File != nil)
	}
}
