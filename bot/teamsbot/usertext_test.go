package teamsbot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// What people type, full of what card Markdown reads as formatting.
const (
	fmtName     = "```Zoë *Bold* _It_ ~Gone~"
	fmtTitle    = "*Lead* _analyst_ ~x~ `code`"
	fmtOrg      = "~Org~ ```"
	fmtMeeting  = "```Quarterly *meeting* _on_ ~x~"
	fmtAgenda   = "*decided* _later_ ```"
	fmtQuestion = "Which `theme` *first*? ```"
)

// TestUserTextShownAsTyped renders, through the real service, each reply
// that shows what people typed, in both languages: in every TextBlock and
// fact, no character a person typed is left for Markdown to read (each is
// escaped, backticks included, so that the text reads as typed), the
// catalogs' backticks (code marks cards cannot show) are dropped, and the
// fallback text is the text as typed. Golden files keep the whole cards.
func TestUserTextShownAsTyped(t *testing.T) {
	clk := newClock()
	svc, db := realService(t, clk.Now)
	ctx := context.Background()
	if _, err := db.ImportMembers(ctx, []storage.MemberInput{
		{Name: fmtName, Organization: fmtOrg, Order: storage.OrderProvincial, Jurisdiction: "ON", Title: fmtTitle,
			Language: "en", TeamsID: "aad-fmt"},
		{Name: "Chloé Roy", Organization: "Services Québec", Order: storage.OrderProvincial, Jurisdiction: "QC",
			Language: "fr", TeamsID: "aad-fr"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateMeeting(ctx, storage.MeetingInput{Title: fmtMeeting, Agenda: fmtAgenda,
		StartsAt: clk.Now().Add(24 * time.Hour), Zone: "America/Toronto", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreatePoll(ctx, storage.PollInput{Question: fmtQuestion, Options: []string{"*one*", "_two_ ```"},
		Language: "en", Channel: "19:community", Creator: storage.Identity{Platform: storage.PlatformTeams, ID: "aad-fmt"}}); err != nil {
		t.Fatal(err)
	}
	rd := renderer{tr: mustTranslator(t)}
	cases := []struct {
		name, user, text string
		typed            []string
	}{
		{"directory.en", "aad-fmt", "who Ontario", []string{fmtName, fmtTitle, fmtOrg}},
		{"directory.fr", "aad-fr", "qui Ontario", []string{fmtName, fmtTitle, fmtOrg}},
		{"profile.en", "aad-fmt", "profile", []string{fmtName, fmtTitle, fmtOrg}},
		{"meeting.en", "aad-fmt", "meeting 1", []string{fmtMeeting, fmtAgenda}},
		{"meeting.fr", "aad-fr", "réunion 1", []string{fmtMeeting, fmtAgenda}},
		{"poll.en", "aad-fmt", "poll 1", []string{fmtQuestion, "*one*", "_two_ ```"}},
		{"poll.fr", "aad-fr", "sondage 1", []string{fmtQuestion, "*one*", "_two_ ```"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := svc.Handle(ctx, handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: c.user},
				UserName: "Golden", Text: c.text})
			if r.Kind == "error" {
				t.Fatalf("%s: %s", c.text, r.Text)
			}
			cd := rd.card(r)
			got := marshalGolden(t, cd)
			checkCard(t, got)
			path := filepath.Join("testdata", "golden", "formatting_"+c.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, err := os.ReadFile(path); err != nil || string(want) != string(got) {
				t.Errorf("%s differs from the renderer's output (go test -run TestUserTextShownAsTyped -update):\n%s", path, got)
			}
			var seen []string
			for _, s := range cardTexts(cd.Body) {
				if i := unescapedFormatting(s); i >= 0 {
					t.Errorf("%q: Markdown reads the %q at %d", s, s[i], i)
				}
				seen = append(seen, unescapeMD(s))
			}
			all := strings.Join(seen, "\n")
			for _, s := range c.typed {
				if !strings.Contains(all, s) {
					t.Errorf("%q is not shown as typed in %q", s, all)
				}
				if !strings.Contains(cd.Fallback, s) {
					t.Errorf("%q is not in the fallback text %q", s, cd.Fallback)
				}
			}
		})
	}
}

// cardTexts are the Markdown texts of els: TextBlocks and facts.
func cardTexts(els []*element) []string {
	var out []string
	for _, e := range els {
		if e.Text != "" {
			out = append(out, e.Text)
		}
		for _, f := range e.Facts {
			out = append(out, f.Title, f.Value)
		}
	}
	return out
}

// unescapedFormatting is the index of the first *, _, ~ or backtick in s
// that no backslash escapes, or -1.
func unescapedFormatting(s string) int {
	esc := false
	for i := 0; i < len(s); i++ {
		switch {
		case esc:
			esc = false
		case s[i] == '\\':
			esc = true
		case strings.IndexByte("*_~`", s[i]) >= 0:
			return i
		}
	}
	return -1
}
