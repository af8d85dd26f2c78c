package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"copbot/handlers"
	"copbot/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares v, as indented JSON, with testdata/golden/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep &lt; and <!date^…> readable in the files
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got: %s\nwant: %s", path, got, want)
	}
}

// message is a rendered chat message, as golden files store it.
type message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

func renderMessage(r handlers.Reply) message {
	m := testRender(r, messageSurface)
	return message{Text: m.text, Blocks: m.blocks}
}

// testRender renders with an English overflow note.
func testRender(r handlers.Reply, s surface) rendered {
	return render(r, s, func(file string) string { return "All of it is in the file " + file + "." })
}

// goldenEnv is a service with a fixed clock and a small, fixed roster: an
// English and a French member (the askers), one federal member and one
// coordinator.
func goldenEnv(t *testing.T) *env {
	at := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	e := newEnv(t, withClock(func() time.Time { return at }), func(c *envConfig) {
		c.opts.Coordinators = []storage.Identity{{Platform: storage.PlatformSlack, ID: "U0COORD"}}
	})
	e.join(storage.MemberInput{Name: "Marie Tremblay", Organization: "ServiceOntario", Order: storage.OrderProvincial,
		Jurisdiction: "ON", Title: "Director, Contact Centre", Language: "en", SlackID: "U0EN", Email: "marie@ontario.ca"})
	e.join(storage.MemberInput{Name: "Élise Gagnon", Organization: "Services Québec", Order: storage.OrderProvincial,
		Jurisdiction: "QC", Title: "Directrice", Language: "fr", SlackID: "U0FR"})
	e.join(storage.MemberInput{Name: "Sam <Lee> & Co", Organization: "Service Canada", Order: storage.OrderFederal,
		Jurisdiction: "CA", Title: "Manager", Language: "en", SlackID: "U0COORD"})
	e.join(storage.MemberInput{Name: "Alex Martin", Organization: "City of Toronto", Order: storage.OrderMunicipal,
		Jurisdiction: "ON", Language: "en"})
	return e
}

// TestGoldenReplies renders each kind of reply, built by the real service,
// in both languages.
func TestGoldenReplies(t *testing.T) {
	t.Parallel()
	e := goldenEnv(t)
	ctx := context.Background()
	askers := map[string]string{"en": "U0EN", "fr": "U0FR"}
	cases := []struct{ kind, en, fr string }{
		{"help", "help", "aide"},
		{"directory", "who Ontario", "qui Ontario"},
		{"directory_empty", "who Yukon", "qui Yukon"},
		{"stats", "stats", "statistiques"},
		{"gaps", "gaps", "lacunes"},
		{"error", "frobnicate", "frobnicate"},
		{"error_place", "who Narnia", "qui Narnie"},
		{"profile", "profile", "profil"},
	}
	for _, c := range cases {
		for lang, text := range map[string]string{"en": c.en, "fr": c.fr} {
			t.Run(c.kind+"."+lang, func(t *testing.T) {
				r := e.svc.Handle(ctx, slackReq(askers[lang], text))
				if r.Lang != lang {
					t.Errorf("reply language %q, want %q", r.Lang, lang)
				}
				golden(t, c.kind+"."+lang, renderMessage(r))
			})
		}
	}
	for lang, user := range map[string]string{"en": "U0NEWEN", "fr": "U0NEWFR"} {
		t.Run("signup_modal."+lang, func(t *testing.T) {
			req := slackReq(user, "join")
			req.Locale = lang + "-CA"
			r := e.svc.Handle(ctx, req)
			if r.Form == nil {
				t.Fatal("join with no text has no Form")
			}
			v, ok := e.a.modal(r.Form, formMeta{Form: r.Form.ID, ResponseURL: "https://hooks.slack.com/commands/T/1/x"}, r.Lang)
			if !ok {
				t.Fatal("metadata too long")
			}
			golden(t, "signup_modal."+lang, v)
		})
		t.Run("home."+lang, func(t *testing.T) {
			req := slackReq(user, "")
			req.Locale = lang + "-CA"
			blocks := testRender(e.svc.Home(ctx, req), viewSurface).blocks
			golden(t, "home."+lang, blocks)
		})
	}
	t.Run("home.coordinator", func(t *testing.T) {
		blocks := testRender(e.svc.Home(ctx, slackReq("U0COORD", "")), viewSurface).blocks
		golden(t, "home.coordinator", blocks)
	})
}

// edgeReply exercises every block type and the renderer's limits.
func edgeReply() handlers.Reply {
	var fields []handlers.Field
	for i := range 12 {
		fields = append(fields, handlers.Field{Label: "Field *" + string(rune('A'+i)), Value: strings.Repeat("v", i)})
	}
	return handlers.Reply{Kind: "edge", Lang: "en", Text: "Edge <@U123> & <!here>", Blocks: []handlers.Block{
		handlers.Header{Text: strings.Repeat("H", 160)},
		handlers.Section{Text: "Hi <@U123>, <!channel> @here & <https://evil.example|click>"},
		handlers.Section{Fields: fields},
		handlers.Divider{},
		handlers.Actions{Buttons: []handlers.Button{
			{ActionID: "poll_vote", Label: "Yes", Value: "1", Style: handlers.StylePrimary},
			{ActionID: "poll_vote", Label: "No", Value: "2", Style: handlers.StyleDanger},
			{Label: "Agenda", URL: "https://example.gc.ca/agenda"},
			{ActionID: "poll_vote", Label: strings.Repeat("L", 80), Value: "3"},
		}},
		handlers.Time{Prefix: "Next meeting: ", Unix: 1773853200, Fallback: "Wednesday, March 18, 2026 at 1:00 p.m. EDT"},
		handlers.Context{Text: "5 votes <so far>"},
		handlers.Header{Text: "  "},
		handlers.Section{},
	}}
}

func TestGoldenEdge(t *testing.T) {
	t.Parallel()
	golden(t, "edge", renderMessage(edgeReply()))
}

func TestRenderNeutralizesMentions(t *testing.T) {
	t.Parallel()
	m := mustJSON(t, renderMessage(edgeReply()))
	for _, bad := range []string{"<@U123>", "<!here>", "<!channel>", "<https://evil"} {
		if strings.Contains(m, bad) {
			t.Errorf("rendered message still contains %q", bad)
		}
	}
	if strings.Count(m, `"verbatim":true`) == 0 {
		t.Error("mrkdwn text is not verbatim: Slack would parse @here")
	}
}

func TestRenderLimits(t *testing.T) {
	t.Parallel()
	blocks := testRender(edgeReply(), messageSurface).blocks
	ids := map[string]bool{}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if n := len([]rune(b.Text.Text)); n > maxHeaderChars {
				t.Errorf("header of %d chars", n)
			}
		case *slack.SectionBlock:
			if len(b.Fields) > maxFields {
				t.Errorf("section with %d fields", len(b.Fields))
			}
		case *slack.ActionBlock:
			for _, el := range b.Elements.ElementSet {
				btn := el.(*slack.ButtonBlockElement)
				if ids[btn.ActionID] {
					t.Errorf("action_id %q used twice", btn.ActionID)
				}
				ids[btn.ActionID] = true
				if id, ok := routeAction(btn.ActionID); btn.URL == "" && (!ok || id != "poll_vote") {
					t.Errorf("action_id %q routes to %q, %v", btn.ActionID, id, ok)
				}
				if n := len([]rune(btn.Text.Text)); n > maxButtonText {
					t.Errorf("button text of %d chars", n)
				}
			}
		}
	}
}

func TestRenderTooManyBlocksFallsBackToText(t *testing.T) {
	t.Parallel()
	var bs []handlers.Block
	var lines []string
	for i := range 80 {
		line := "Member " + strings.Repeat("x", i)
		bs = append(bs, handlers.Section{Text: line})
		lines = append(lines, line)
	}
	r := handlers.Reply{Text: strings.Join(lines, "\n"), Blocks: bs}
	blocks := testRender(r, messageSurface).blocks
	if len(blocks) == 0 || len(blocks) > maxMessageBlocks {
		t.Fatalf("%d blocks", len(blocks))
	}
	var all strings.Builder
	for _, b := range blocks {
		all.WriteString(b.(*slack.SectionBlock).Text.Text + "\n")
	}
	for _, l := range lines {
		if !strings.Contains(all.String(), l) {
			t.Fatalf("line %q lost in the fallback", l)
		}
	}
}

// TestSplitEscaped checks on random text that chunks respect the limit,
// never cut an entity, and lose nothing but the whitespace at the cuts.
func TestSplitEscaped(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab &<>\né€")
	for range 500 {
		n := 5 + rng.IntN(40)
		raw := make([]rune, rng.IntN(300))
		for i := range raw {
			raw[i] = alphabet[rng.IntN(len(alphabet))]
		}
		esc := escape(string(raw))
		chunks := splitEscaped(esc, n)
		for _, c := range chunks {
			if len([]rune(c)) > n {
				t.Fatalf("chunk %q longer than %d", c, n)
			}
			if strings.Count(c, "&") != strings.Count(c, ";") {
				t.Fatalf("chunk %q cuts an entity", c)
			}
		}
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if got, want := squash(strings.Join(chunks, "")), squash(esc); got != want {
			t.Fatalf("split lost text:\n got %q\nwant %q", got, want)
		}
	}
}

func TestTruncEscaped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"a&amp;b", 4, "a…"},
		{"ab&lt;", 6, "ab&lt;"},
		{"ab&lt;c", 6, "ab…"},
	}
	for _, tt := range tests {
		if got := truncEscaped(tt.in, tt.n); got != tt.want {
			t.Errorf("truncEscaped(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestFieldErrors(t *testing.T) {
	t.Parallel()
	ids := []string{"name", "organization", "order"}
	tests := []struct {
		name string
		errs map[string]string
		want map[string]string
	}{
		{"known fields", map[string]string{"name": "Name required", "order": "Bad order"},
			map[string]string{"name": "Name required", "order": "Bad order"}},
		{"stray goes to the first field", map[string]string{"identity": "Taken", "order": "Bad"},
			map[string]string{"name": "Taken", "order": "Bad"}},
		{"stray joins a first-field error", map[string]string{"name": "Required", "": "Internal"},
			map[string]string{"name": "Required Internal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := fieldErrors(tt.errs, ids)
			if !ok || mustJSON(t, got) != mustJSON(t, tt.want) {
				t.Errorf("fieldErrors = %v, want %v", got, tt.want)
			}
		})
	}
	if _, ok := fieldErrors(map[string]string{"x": "y"}, nil); ok {
		t.Error("errors mapped onto a view without inputs")
	}
}

func TestFormMetaTooLongDropsResponseURL(t *testing.T) {
	t.Parallel()
	m := formMeta{Form: "poll_create", State: strings.Repeat("s", maxMetadata-60), ResponseURL: "https://hooks.slack.com/" + strings.Repeat("u", 100)}
	s, ok := m.encode()
	if !ok || decodeMeta(s).ResponseURL != "" || decodeMeta(s).State != m.State {
		t.Errorf("encode kept %d chars, ok %v", len(s), ok)
	}
	m.State = strings.Repeat("s", maxMetadata)
	if _, ok := m.encode(); ok {
		t.Error("state beyond the cap accepted")
	}
}
