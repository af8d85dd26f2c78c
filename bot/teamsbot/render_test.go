package teamsbot

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/bot/internal/schemacheck"
	"copbot/handlers"
	"copbot/storage"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the renderer")

// goldenRoster is a small community for the Service-built golden cards.
var goldenRoster = []storage.MemberInput{
	{Name: "Marie Tremblay", Email: "marie@example.ca", Organization: "Service Canada", Order: storage.OrderFederal, Jurisdiction: "CA", Title: "Director", Language: "fr"},
	{Name: "Liam Smith", Email: "liam@example.ca", Organization: "ServiceOntario", Order: storage.OrderProvincial, Jurisdiction: "ON", Title: "Manager", Language: "en"},
	{Name: "Raj Singh", Email: "raj@example.ca", Organization: "City of Toronto 311", Order: storage.OrderMunicipal, Jurisdiction: "ON", Title: "Lead", Language: "en"},
	{Name: "Chloé Roy", Email: "chloe@example.ca", Organization: "Services Québec", Order: storage.OrderProvincial, Jurisdiction: "QC", Language: "fr"},
	{Name: "Noah *Star* Wong", Email: "noah@example.ca", Organization: "Service BC", Order: storage.OrderProvincial, Jurisdiction: "BC", Language: "en"},
}

// serviceReplies builds replies through the real Service on a temp DB.
func serviceReplies(t *testing.T, lang string) map[string]handlers.Reply {
	clk := newClock()
	svc, db := realService(t, clk.Now)
	ctx := context.Background()
	if _, err := db.ImportMembers(ctx, goldenRoster); err != nil {
		t.Fatalf("import: %v", err)
	}
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "aad-golden"},
		UserName: "Golden", Locale: lang + "-CA"}
	// Commands are typed in the card's language: a caller without a saved
	// language is answered in the language of the command word.
	ask := func(en, fr string) handlers.Reply {
		r := req
		r.Text = en
		if lang == "fr" {
			r.Text = fr
		}
		return svc.Handle(ctx, r)
	}
	return map[string]handlers.Reply{
		"svc_help":         ask("help", "aide"),
		"svc_stats":        ask("stats", "statistiques"),
		"svc_gaps":         ask("gaps", "lacunes"),
		"svc_who_ontario":  ask("who Ontario", "qui Ontario"),
		"svc_who_unknown":  ask("who Atlantis", "qui Atlantide"),
		"svc_unknown_cmd":  ask("frobnicate", "frobnicate"),
		"svc_signup_form":  svc.Act(ctx, req, "signup_open", ""),
		"svc_bad_action":   svc.Act(ctx, req, "no_such_action", ""),
		"svc_question_who": ask("who represents Yukon?", "qui représente le Yukon ?"),
	}
}

// builtReplies covers blocks the Service cannot produce yet on its own:
// buttons of every style, times, dividers, forms with errors, Markdown.
func builtReplies(lang string) map[string]handlers.Reply {
	tx := func(en, fr string) string {
		if lang == "fr" {
			return fr
		}
		return en
	}
	meetingAt := time.Date(2027, 3, 17, 17, 0, 0, 0, time.UTC)
	return map[string]handlers.Reply{
		"poll": {Kind: "poll", Lang: lang, Visibility: handlers.InChannel,
			Text: tx("Which theme for March?", "Quel thème pour mars\u202f?"),
			Blocks: []handlers.Block{
				handlers.Header{Text: tx("Which theme for March?", "Quel thème pour mars\u202f?")},
				handlers.Section{Text: tx("1. Accessibility technology — 5 votes\n2. Serving vulnerable communities — 3 votes",
					"1. Technologies d’accessibilité — 5 votes\n2. Servir les communautés vulnérables — 3 votes")},
				handlers.Actions{Buttons: []handlers.Button{
					{ActionID: "poll_vote", Label: "1", Value: "7:1", Style: handlers.StylePrimary},
					{ActionID: "poll_vote", Label: "2", Value: "7:2"},
					{ActionID: "poll_vote", Label: "3", Value: "7:3"},
					{ActionID: "poll_vote", Label: "4", Value: "7:4"},
					{ActionID: "poll_vote", Label: "5", Value: "7:5"},
					{ActionID: "poll_close", Label: tx("Close", "Fermer"), Value: "7", Style: handlers.StyleDanger},
				}},
				handlers.Context{Text: tx("8 of 81 members voted", "8 membres sur 81 ont voté")},
			}},
		"meeting": {Kind: "meeting", Lang: lang, Visibility: handlers.InChannel,
			Text: tx("Reminder: quarterly meeting", "Rappel\u00a0: réunion trimestrielle"),
			Blocks: []handlers.Block{
				handlers.Header{Text: tx("Quarterly meeting", "Réunion trimestrielle")},
				handlers.Time{Prefix: tx("When: ", "Quand\u00a0: "), Unix: meetingAt.Unix(),
					Fallback: tx("Wednesday, March 17, 2027, 1:00 p.m. EDT", "mercredi 17 mars 2027, 13\u00a0h HAE")},
				handlers.Section{Fields: []handlers.Field{{Label: tx("Theme", "Thème"), Value: "Accessibility_tech [draft]"}}},
				handlers.Divider{},
				handlers.Actions{Buttons: []handlers.Button{
					{ActionID: "rsvp", Label: tx("I'll attend", "Je serai là"), Value: "3:yes", Style: handlers.StylePrimary},
					{ActionID: "rsvp", Label: tx("Can't attend", "Je ne pourrai pas"), Value: "3:no"},
					{Label: tx("Join the call", "Rejoindre l'appel"), URL: "https://example.ca/meet/3"},
				}},
				handlers.Divider{},
			}},
		"form_errors": {Kind: "signup", Lang: lang, Text: tx("Join with /cop join …", "Adhérez avec /cop join …"),
			Form: &handlers.Form{ID: "signup", Title: tx("Join the Community", "Adhérer à la communauté"),
				Submit: tx("Join", "Adhérer"), State: "s1", Fields: []handlers.FormField{
					{ID: "name", Label: tx("Name", "Nom")},
					{ID: "order", Label: tx("Order of government", "Ordre de gouvernement"), Kind: handlers.FieldSelect,
						Options: []handlers.Option{{Value: "federal", Label: tx("Federal", "Fédéral")}, {Value: "municipal", Label: tx("Municipal", "Municipal")}}},
					{ID: "bio", Label: tx("About you", "À propos de vous"), Hint: tx("Optional", "Facultatif"), Kind: handlers.FieldMultiline, Optional: true},
				}}},
	}
}

// formErrors are the submitted values and errors the form_errors golden
// card is rendered with.
func formErrors(lang string) (values, errs map[string]string) {
	values = map[string]string{"name": "", "order": "municipal", "bio": "Hi"}
	errs = map[string]string{"name": "Name is required.", "form": "Nothing was saved."}
	if lang == "fr" {
		errs = map[string]string{"name": "Le nom est obligatoire.", "form": "Rien n’a été enregistré."}
	}
	return values, errs
}

// TestGolden renders every reply kind in both languages and compares with
// testdata/golden. Run with -update after a deliberate change and review
// the diff. Service-built cards change whenever handlers' texts do.
func TestGolden(t *testing.T) {
	rd := renderer{tr: mustTranslator(t)}
	for _, lang := range []string{"en", "fr"} {
		cards := map[string]*card{}
		for name, r := range serviceReplies(t, lang) {
			cards[name] = rd.card(r)
		}
		for name, r := range builtReplies(lang) {
			cards[name] = rd.card(r)
			if name == "form_errors" {
				values, errs := formErrors(lang)
				cards[name] = rd.form(r, values, errs)
			}
		}
		bi := handlers.Bilingual(builtReplies("en")["poll"], builtReplies("fr")["poll"])
		cards["bilingual_poll"] = rd.card(bi)
		for name, c := range cards {
			t.Run(name+"."+lang, func(t *testing.T) {
				got := marshalGolden(t, c)
				checkCard(t, got)
				path := filepath.Join("testdata", "golden", name+"."+lang+".json")
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -run TestGolden -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the renderer's output:\n--- got\n%s\n--- want\n%s", path, got, want)
				}
			})
		}
	}
}

func marshalGolden(t *testing.T, c *card) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cardSchemaFile is the published Adaptive Cards 1.5 schema, the version
// the cards declare.
var cardSchemaFile = sync.OnceValues(func() (*schemacheck.Schema, error) {
	return schemacheck.Load("testdata/schema/ac-1.5.json")
})

// validateCard checks a card against the Adaptive Cards 1.5 schema. Teams'
// own "msteams" property is outside that schema, so it is left out.
func validateCard(t *testing.T, raw []byte) []string {
	t.Helper()
	s, err := cardSchemaFile()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "msteams")
	return s.Validate(doc)
}

// checkCard checks what Teams requires of a card, whatever its content.
func checkCard(t *testing.T, raw []byte) {
	t.Helper()
	var c struct {
		Type, Version string
		Fallback      string `json:"fallbackText"`
		Speak         string
		Body          []map[string]any
		Actions       []map[string]any
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	// Accessibility (issue 11): what clients that cannot show the card, and
	// assistive and voice clients, read instead; no code marks in speech.
	if c.Fallback == "" || c.Speak == "" || strings.Contains(c.Speak, "`") {
		t.Errorf("fallbackText %q, speak %q", c.Fallback, c.Speak)
	}
	if c.Type != "AdaptiveCard" || c.Version != "1.5" || utf16Size(json.RawMessage(raw)) > maxActivityBytes {
		t.Errorf("type %q version %q size %d", c.Type, c.Version, len(raw))
	}
	for _, e := range validateCard(t, raw) {
		t.Errorf("Adaptive Cards 1.5 schema: %s", e)
	}
	ids := map[string]bool{}
	var actions []map[string]any
	actions = append(actions, c.Actions...)
	for i, e := range c.Body {
		switch e["type"] {
		case "TextBlock":
			if e["text"] == "" || e["text"] == nil {
				t.Errorf("body[%d]: empty TextBlock", i)
			}
		case "FactSet":
		case "ActionSet":
			for _, a := range e["actions"].([]any) {
				actions = append(actions, a.(map[string]any))
			}
		case "Input.Text", "Input.ChoiceSet":
			id, _ := e["id"].(string)
			if id == "" || ids[id] || e["label"] == nil {
				t.Errorf("body[%d]: input id %q duplicate or unlabeled", i, id)
			}
			ids[id] = true
		default:
			t.Errorf("body[%d]: unexpected element %v", i, e["type"])
		}
	}
	for _, a := range actions {
		switch a["type"] {
		case "Action.Execute":
			if a["verb"] == "" || a["data"] == nil || a["title"] == "" {
				t.Errorf("Action.Execute without verb, data or title: %v", a)
			}
		case "Action.OpenUrl":
			if !strings.HasPrefix(fmt.Sprint(a["url"]), "https://") {
				t.Errorf("OpenUrl %v", a["url"])
			}
		default:
			t.Errorf("unexpected action %v", a["type"])
		}
	}
}

func TestEscapeMD(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, é à", "plain text, é à"},
		{"*bold* _it_ `code` ~x~", `\*bold\* \_it\_ code \~x\~`},
		{"[link](https://x)", `\[link\](https://x)`},
		{`back\slash`, `back\\slash`},
		{"1. first\n22. second\n- bullet\n• dot", "1\\. first\n22\\. second\n- bullet\n• dot"},
		{"# title\n> quote\na > b # c", "\\# title\n\\> quote\na > b # c"},
		{"2027. A year", `2027\. A year`},
		{"1.5 million", "1.5 million"},
		// People's backticks are theirs: kept, escaped; the catalog's go.
		{"Run `who` for " + handlers.User("```Zoë *Z*"), "Run who for \\`\\`\\`Zoë \\*Z\\*"},
	}
	for _, tt := range tests {
		if got := escapeMD(tt.in); got != tt.want {
			t.Errorf("escapeMD(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestOverflow checks that a directory too long for one Teams message
// (100 KB in UTF-16) keeps what fits, says so in the reply's language, and
// names the file that holds all of it.
func TestOverflow(t *testing.T) {
	rd := renderer{tr: mustTranslator(t)}
	for _, lang := range []string{"en", "fr"} {
		r := handlers.Reply{Kind: "directory", Lang: lang}
		var lines []string
		for i := range 3000 {
			line := fmt.Sprintf("Member %d — Ville de Montréal 311 — Responsable 😀", i)
			r.Blocks = append(r.Blocks, handlers.Section{Text: line})
			lines = append(lines, line)
		}
		r.Text = strings.Join(lines, "\n")
		c := rd.card(r)
		if n := utf16Size(message(r, c)); n > maxActivityBytes-activityReserve {
			t.Errorf("%s: activity is %d bytes in UTF-16, want at most %d", lang, n, maxActivityBytes-activityReserve)
		}
		if c.overflow == nil || c.overflow.Name != "copbot-directory.txt" {
			t.Fatalf("%s: no overflow file", lang)
		}
		last := c.Body[len(c.Body)-1]
		want := escapeMD(rd.tr.T(lang, "teams_overflow", map[string]any{"File": "copbot-directory.txt"}))
		if last.Text != want || len(c.Body) < 300 {
			t.Errorf("%s: %d elements, last %q; want many and the note %q", lang, len(c.Body), last.Text, want)
		}
		all := string(c.overflow.Data)
		for _, l := range lines {
			if !strings.Contains(all, l) {
				t.Fatalf("%s: the file lacks %q", lang, l)
			}
		}
	}
	small := rd.card(textReply("stats", "en", "81 people", 0))
	if len(small.Body) != 1 || small.Body[0].Text != "81 people" || small.overflow != nil {
		t.Errorf("small card changed: %+v", small.Body)
	}
}

// TestUTF16Size: Teams counts UTF-16 code units, two bytes each, four for
// a character outside the BMP; 24 KiB of UTF-8 is not the measure.
func TestUTF16Size(t *testing.T) {
	tests := []struct {
		v    any
		want int
	}{
		{"ab", 8}, // "ab" with its quotes: 4 units
		{"é", 6},  // one unit, whatever its UTF-8 length
		{"😀", 8},  // a surrogate pair
		{"<", 16}, // sent as \u003c: 8 units
	}
	for _, tt := range tests {
		if got := utf16Size(tt.v); got != tt.want {
			t.Errorf("utf16Size(%q) = %d, want %d", tt.v, got, tt.want)
		}
	}
}
