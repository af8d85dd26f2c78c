package directory

import (
	"context"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

func TestJoinOneLine(t *testing.T) {
	tests := []struct {
		name, line string
		want       storage.Member
	}{
		{"pipes", "Marie Tremblay | ServiceOntario | provincial | Ontario | Director, Contact Centre | marie@ontario.ca",
			storage.Member{Name: "Marie Tremblay", Organization: "ServiceOntario", Order: storage.OrderProvincial,
				Jurisdiction: "ON", Title: "Director, Contact Centre", Email: "marie@ontario.ca", Language: "en"}},
		{"pipes french words", "Luc Gagnon | Services Québec | Provinciale | le Québec | Directeur | | français",
			storage.Member{Name: "Luc Gagnon", Organization: "Services Québec", Order: storage.OrderProvincial,
				Jurisdiction: "QC", Title: "Directeur", Language: "fr"}},
		{"federal without place", "Sam Roy | Service Canada | fédéral | | Manager",
			storage.Member{Name: "Sam Roy", Organization: "Service Canada", Order: storage.OrderFederal,
				Jurisdiction: "CA", Title: "Manager", Language: "en"}},
		{"place implies federal", "Ana Diaz | Statistics Canada | | federal",
			storage.Member{Name: "Ana Diaz", Organization: "Statistics Canada", Order: storage.OrderFederal,
				Jurisdiction: "CA", Language: "en"}},
		{"key=value without quotes", "name=Marie Tremblay org=City of Whitehorse order=municipal where=le Yukon title=Manager, 311 lang=fr",
			storage.Member{Name: "Marie Tremblay", Organization: "City of Whitehorse", Order: storage.OrderMunicipal,
				Jurisdiction: "YT", Title: "Manager, 311", Language: "fr"}},
		{"key=value quoted french keys", `nom="Éloïse Bédard" organisation="Ville de Québec" ordre=municipalité lieu=QC courriel=Eloise@Quebec.ca`,
			storage.Member{Name: "Éloïse Bédard", Organization: "Ville de Québec", Order: storage.OrderMunicipal,
				Jurisdiction: "QC", Email: "eloise@quebec.ca", Language: "en"}},
		{"default name from platform", "org=Service Canada order=federal",
			storage.Member{Name: "User u1", Organization: "Service Canada", Order: storage.OrderFederal,
				Jurisdiction: "CA", Language: "en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, nil)
			r := mtAsk(s, "u1", "", "join "+tt.line)
			if r.Kind != "joined" {
				t.Fatalf("join: %s %q", r.Kind, r.Text)
			}
			m, err := db.MemberByIdentity(context.Background(), mtUser("u1"))
			if err != nil {
				t.Fatal(err)
			}
			got := storage.Member{Name: m.Name, Organization: m.Organization, Order: m.Order, Jurisdiction: m.Jurisdiction,
				Title: m.Title, Email: m.Email, Language: m.Language}
			if got != tt.want {
				t.Errorf("member = %+v, want %+v", got, tt.want)
			}
			if r.Lang != tt.want.Language {
				t.Errorf("reply language = %s, want the member's %s", r.Lang, tt.want.Language)
			}
		})
	}
}

func TestJoinTwiceUpdates(t *testing.T) {
	s, db := mtService(t, nil)
	r := mtAsk(s, "u1", "", "join Marie | ServiceOntario | provincial | ON")
	mtContains(t, "first join", r.Text, "Welcome")
	r = mtAsk(s, "u1", "", "join title=Director")
	mtContains(t, "second join", r.Text, "up to date", "Director", "ServiceOntario")
	if n, _ := mtCount(t, db); n != 1 {
		t.Errorf("members = %d after joining twice, want 1", n)
	}
}

func TestJoinErrors(t *testing.T) {
	tests := []struct {
		name, locale, line string
		wants              []string
	}{
		{"bad order and place", "", "Marie | ServiceOntario | regional | Narnia",
			[]string{"Order of government: “regional” is not an order", "Province or territory: I don’t know the place “Narnia”"}},
		{"typo suggests", "", "Marie | ServiceOntario | provincial | Saskatchwan",
			[]string{"Did you mean Saskatchewan?"}},
		{"french", "fr-CA", "Marie | ServiceOntario | régional | Saskatchwan",
			[]string{"Ordre de gouvernement\u00a0: «\u00a0régional\u00a0» n’est pas", "Vouliez-vous dire la Saskatchewan\u202f?"}},
		{"ambiguous abbreviation asks", "", "Marie | Nunavut Health | territorial | Nt",
			[]string{"“Nt” can mean Nunavut or the Northwest Territories. Which one?"}},
		{"ambiguous abbreviation asks, French", "fr-CA", "Marie | Santé Nunavut | territorial | Nt",
			[]string{"peut désigner le Nunavut ou les Territoires du Nord-Ouest. Lequel\u202f?"}},
		{"missing organization", "", "Marie | | provincial | ON",
			[]string{"Organization: An organization"}},
		{"bad email", "", "Marie | SO | provincial | ON | | not-an-email",
			[]string{"Email: “not-an-email” is not an email address"}},
		{"federal with province", "", "Marie | SO | federal | ON",
			[]string{"Federal members belong to the Government of Canada"}},
		{"too many parts", "", "a|b|c|d|e|f|g|h", []string{"8 parts"}},
		{"unknown key", "", "name=Marie colour=blue", []string{"“colour” is not a profile field"}},
		{"no grammar", "", "Marie Tremblay", []string{"separated by |"}},
		{"too long", "", strings.Repeat("x", 201) + " | SO | provincial | ON", []string{"The name is too long: at most 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, nil)
			r := mtAsk(s, "u1", tt.locale, mtJoinWord(tt.locale)+" "+tt.line)
			if r.Kind != "error" {
				t.Fatalf("kind = %s, want error: %q", r.Kind, r.Text)
			}
			mtContains(t, tt.name, r.Text, tt.wants...)
			if n, _ := mtCount(t, db); n != 0 {
				t.Errorf("%d members saved after a refused join", n)
			}
		})
	}
}

// TestJoinIdentityTaken: a member may not take another member's email.
func TestJoinIdentityTaken(t *testing.T) {
	s, db := mtService(t, nil)
	mtJoin(t, s, "u1", "Marie | SO | provincial | ON | | marie@ontario.ca")
	mtJoin(t, s, "u2", "Luc | SO | provincial | ON")
	r := mtAsk(s, "u2", "", "join Luc | SO | provincial | ON | | MARIE@ontario.ca")
	mtContains(t, "taken", r.Text, "Email: That email address")
	if m, _ := db.MemberByIdentity(context.Background(), mtUser("u2")); m.Email != "" {
		t.Errorf("u2 got the email: %+v", m)
	}
}

// mtStale is a request's view of the caller read before a concurrent
// change: the call keeps the member as it was.
func mtStale(t *testing.T, s *dirService, id string) *call {
	t.Helper()
	c := s.newCall(context.Background(), handlers.Request{Identity: mtUser(id), UserName: id})
	if c.Member == nil {
		t.Fatalf("%s is not a member", id)
	}
	return c
}

// TestUpdateWritesOnlyChangedFields: "update", "join" by a member and the
// profile form write only the fields the member changed, so a change made
// meanwhile (here: language and title) survives.
func TestUpdateWritesOnlyChangedFields(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *dirService, c *call, form *handlers.Form) handlers.Reply
	}{
		{"update command", func(t *testing.T, s *dirService, c *call, _ *handlers.Form) handlers.Reply {
			c.Args = handlers.Fields("org=City of Ottawa order=municipal")
			return s.cmdUpdate(context.Background(), c)
		}},
		{"join by a member", func(t *testing.T, s *dirService, c *call, _ *handlers.Form) handlers.Reply {
			c.Args = handlers.Fields("Marie | City of Ottawa | municipal")
			return s.cmdJoin(context.Background(), c)
		}},
		{"profile form", func(t *testing.T, s *dirService, c *call, form *handlers.Form) handlers.Reply {
			values := map[string]string{}
			for _, f := range form.Fields {
				values[f.ID] = f.Initial
			}
			values["organization"], values["order"] = "City of Ottawa", "municipal"
			r, errs := s.submitSignup(context.Background(), c, form.State, values)
			if len(errs) > 0 {
				t.Fatalf("form errors: %v", errs)
			}
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, nil)
			ctx := context.Background()
			mtJoin(t, s, "u1", "Marie | ServiceOntario | provincial | ON | Agent | marie@ontario.ca | en")
			form := mtAsk(s, "u1", "", "profile edit").Form
			if len(form.State) > 400 || strings.Contains(form.State, "marie@") {
				t.Errorf("form state carries the profile or is too long: %q", form.State)
			}
			c := mtStale(t, s, "u1")
			// Meanwhile, from another device: French replies and a new title.
			m, err := db.UpdateMember(ctx, c.Member.ID, storage.MemberUpdate{Language: new("fr"), Title: new("Director")})
			if err != nil {
				t.Fatal(err)
			}
			if r := tt.run(t, s, c, form); r.Kind != "joined" {
				t.Fatalf("%s: %s %q", tt.name, r.Kind, r.Text)
			}
			got, _ := db.MemberByID(ctx, m.ID)
			if got.Organization != "City of Ottawa" || got.Order != storage.OrderMunicipal {
				t.Errorf("change not saved: %+v", got)
			}
			if got.Language != "fr" || got.Title != "Director" || got.Email != "marie@ontario.ca" {
				t.Errorf("concurrent change undone: language %q title %q email %q", got.Language, got.Title, got.Email)
			}
		})
	}
}

func TestMemberUpdateFields(t *testing.T) {
	in := storage.MemberInput{Name: "N", Organization: "O", Order: storage.OrderFederal, Jurisdiction: "CA",
		Title: "", Email: "e@x.ca", Language: ""}
	u := memberUpdate(in, map[string]bool{"title": true, "order": true, "language": true})
	if u.Title == nil || *u.Title != "" || u.Order == nil || *u.Order != storage.OrderFederal {
		t.Errorf("changed fields missing: %+v", u)
	}
	if u.Name != nil || u.Organization != nil || u.Jurisdiction != nil || u.Email != nil || u.Language != nil {
		t.Errorf("unchanged (or emptied language) fields sent: %+v", u)
	}
}

func TestUpdateFederalPlace(t *testing.T) {
	s, db := mtService(t, nil)
	mtJoin(t, s, "u1", "Marie | ServiceOntario | provincial | ON")
	for _, tt := range []struct{ text, order, code string }{
		{"update order federal", "federal", "CA"},
		{"update where=ON order=provincial", "provincial", "ON"},
		{"modifier lieu fédéral", "federal", "CA"},
	} {
		r := mtAsk(s, "u1", "", tt.text)
		m, _ := db.MemberByIdentity(context.Background(), mtUser("u1"))
		if r.Kind != "joined" || string(m.Order) != tt.order || m.Jurisdiction != tt.code {
			t.Errorf("%s: %s %q; member %s %s", tt.text, r.Kind, r.Text, m.Order, m.Jurisdiction)
		}
	}
}

func TestJoinWithoutArgumentsOpensForm(t *testing.T) {
	s, _ := mtService(t, nil)
	for _, tt := range []struct{ locale, submit, ycode, yname string }{
		{"", "Join", "PE", "Prince Edward Island"},
		{"fr-CA", "M’inscrire", "PE", "Île-du-Prince-Édouard"},
	} {
		r := mtAsk(s, "u1", tt.locale, mtJoinWord(tt.locale))
		if r.Form == nil || r.Form.ID != "signup" || r.Form.Submit != tt.submit {
			t.Fatalf("form = %+v", r.Form)
		}
		mtContains(t, "form text", r.Text, "| ORGANI")
		var ids []string
		for _, f := range r.Form.Fields {
			ids = append(ids, f.ID)
			if f.ID == "name" && f.Initial != "User u1" {
				t.Errorf("name initial = %q, want the platform name", f.Initial)
			}
			if f.ID == "jurisdiction" {
				if len(f.Options) != 14 || f.Kind != handlers.FieldSelect {
					t.Errorf("jurisdiction select has %d options", len(f.Options))
				}
				if f.Options[2].Value != tt.ycode || f.Options[2].Label != tt.yname {
					t.Errorf("option 2 = %+v, want %s %s", f.Options[2], tt.ycode, tt.yname)
				}
			}
		}
		if got := strings.Join(ids, ","); got != "name,organization,order,jurisdiction,title,email,language" {
			t.Errorf("fields = %s", got)
		}
	}
}

func TestSignupFormSubmit(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	req := handlers.Request{Identity: mtUser("u1"), UserName: "Marie"}
	bad := map[string]string{"name": "", "organization": "SO", "order": "provincial", "jurisdiction": "ZZ",
		"email": "nope", "language": "fr"}
	_, errs := s.Submit(ctx, req, "signup", "", bad)
	for _, f := range []string{"name", "jurisdiction"} {
		if errs[f] == "" {
			t.Errorf("no error for field %s: %v", f, errs)
		}
	}
	if n, _ := mtCount(t, db); n != 0 {
		t.Fatalf("%d members saved after a refused form", n)
	}
	good := map[string]string{"name": "Marie Tremblay", "organization": "Services Québec", "order": "provincial",
		"jurisdiction": "QC", "title": "", "email": "marie@quebec.ca", "language": "fr"}
	r, errs := s.Submit(ctx, req, "signup", "", good)
	if len(errs) > 0 || r.Kind != "joined" || r.Lang != "fr" {
		t.Fatalf("submit: %v %s %s", errs, r.Kind, r.Lang)
	}
	mtContains(t, "welcome", r.Text, "Bienvenue", "Marie Tremblay", "Québec")
	// Editing through the same form can clear an optional field.
	good["email"], good["title"] = "", "Directrice"
	if _, errs := s.Submit(ctx, req, "signup", "", good); len(errs) > 0 {
		t.Fatal(errs)
	}
	m, _ := db.MemberByIdentity(ctx, mtUser("u1"))
	if m.Email != "" || m.Title != "Directrice" {
		t.Errorf("after edit: email %q title %q", m.Email, m.Title)
	}
	if n, _ := mtCount(t, db); n != 1 {
		t.Errorf("members = %d, want 1", n)
	}
}

func TestProfileUpdateLeaveLanguage(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	if r := mtAsk(s, "u1", "", "profile"); !strings.Contains(r.Text, "not a member") {
		t.Errorf("profile of a non-member: %q", r.Text)
	}
	mtJoin(t, s, "u1", "Marie | SO | provincial | ON | Agent | marie@ontario.ca")
	r := mtAsk(s, "u1", "", "profile")
	mtContains(t, "profile", r.Text, "Name: Marie", "Province or territory: Ontario", "Email: marie@ontario.ca", "Member since: 2026-03-02")
	if r := mtAsk(s, "u1", "", "profile edit"); r.Form == nil || r.Form.Fields[1].Initial != "SO" {
		t.Errorf("profile edit: form not prefilled: %+v", r.Form)
	}
	r = mtAsk(s, "u1", "", "update title Director, Contact Centre")
	mtContains(t, "update", r.Text, "Title or role: Director, Contact Centre")
	r = mtAsk(s, "u1", "", "update where=Whitehorse")
	mtContains(t, "bad update", r.Text, "I don’t know the place “Whitehorse”")
	r = mtAsk(s, "u1", "", "modifier courriel -")
	if m, _ := db.MemberByIdentity(ctx, mtUser("u1")); m.Email != "" || m.Title != "Director, Contact Centre" {
		t.Errorf("after clearing email: %+v (%s)", m, r.Text)
	}
	r = mtAsk(s, "u1", "", "langue fr")
	if r.Lang != "fr" || r.Text != "Désormais, je vous répondrai en français." {
		t.Errorf("langue fr: %s %q", r.Lang, r.Text)
	}
	r = mtAsk(s, "u1", "", "leave")
	if got := mtButtons(r); len(got) != 1 || got[0] != "leave_confirm" {
		t.Errorf("leave asks no confirmation: %v", got)
	}
	if m, _ := db.MemberByIdentity(ctx, mtUser("u1")); m == nil {
		t.Fatal("left without confirming")
	}
	r = s.Act(ctx, handlers.Request{Identity: mtUser("u1")}, "leave_confirm", "")
	mtContains(t, "left", r.Text, "Vous avez quitté")
	if _, err := db.MemberByIdentity(ctx, mtUser("u1")); err == nil {
		t.Error("still active after leaving")
	}
	if n, _ := mtCount(t, db); n != 1 {
		t.Errorf("history lost: %d rows", n)
	}
	mtJoin(t, s, "u1", "org=SO")
	if n, _ := mtCount(t, db); n != 1 {
		t.Errorf("rejoining duplicated: %d rows", n)
	}
}

func TestLeaveConfirmWord(t *testing.T) {
	s, db := mtService(t, nil)
	mtJoin(t, s, "u1", "Marie | SO | provincial | ON")
	r := mtAsk(s, "u1", "", "quitter confirmer")
	if r.Kind != "left" {
		t.Fatalf("quitter confirmer: %s %q", r.Kind, r.Text)
	}
	if _, err := db.MemberByIdentity(context.Background(), mtUser("u1")); err == nil {
		t.Error("still active")
	}
}

// mtJoinWord is the join command in the language of locale: a non-member
// is answered in the language of the command word, whatever the locale.
func mtJoinWord(locale string) string {
	if strings.HasPrefix(locale, "fr") {
		return "rejoindre"
	}
	return "join"
}
