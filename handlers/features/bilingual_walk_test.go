package features

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// This walk runs every command, and every example the help gives, in each
// language, as a member and as a coordinator, on a seeded database, and
// checks that each reply is in the asker's language only (a stop-word
// detector) and that every French string follows the typography rules
// (typography_catalog_test.go).

// Function words of one language that the other never uses. Words both
// share ("on", "an", "a", "Service") are left out.
var (
	walkEnglish = wordSet("the and you your is are of with this that not have has will be been was were it its they " +
		"their there what which when how please yet any anyone only can cannot to from by for or all no")
	walkFrench = wordSet("le la les des du une est et vous votre vos pour pas dans sur avec que ne au aux sont été " +
		"cette ces mais aucun aucune rien je nous il elle")
	wordRE = regexp.MustCompile(`[\pL’'-]+`) // « Île-du-Prince-Édouard » is one word
	// Text that may hold the other language: code spans (commands are
	// typed as shown), quotations in the other language's marks, and the
	// seeded user content below; and addresses (a URL, or a path with a
	// query: a report link), which are in no language.
	walkQuotes = regexp.MustCompile("`[^`]*`|“[^”]*”|«[^»]*»|\"[^\"]*\"|https?://\\S+|/\\S*\\?\\S+")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// otherLanguageWords lists the words of s that belong to the language
// other than lang.
func otherLanguageWords(lang, s string) []string {
	s = walkQuotes.ReplaceAllString(s, " ")
	foreign := walkEnglish
	if lang == "en" {
		foreign = walkFrench
	}
	var out []string
	for _, w := range wordRE.FindAllString(s, -1) {
		if w == strings.ToUpper(w) {
			continue // an abbreviation: EST, HAE, ID
		}
		w = strings.ToLower(strings.Trim(w, "’'-"))
		if i := strings.IndexAny(w, "’'"); i >= 0 && lang == "en" {
			w = w[:i] // "n’est" → "n", "don’t" → "don"
		}
		if foreign[w] {
			out = append(out, w)
		}
	}
	return out
}

// replyStrings is every user-visible string of a reply.
func replyStrings(r handlers.Reply) []string {
	out := []string{r.Text}
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case handlers.Header:
			out = append(out, b.Text)
		case handlers.Section:
			out = append(out, b.Text)
			for _, f := range b.Fields {
				out = append(out, f.Label, f.Value)
			}
		case handlers.Context:
			out = append(out, b.Text)
		case handlers.Time:
			out = append(out, b.Prefix+b.Fallback)
		case handlers.Actions:
			for _, btn := range b.Buttons {
				out = append(out, btn.Label)
			}
		}
	}
	if f := r.Form; f != nil {
		out = append(out, f.Title, f.Submit)
		for _, ff := range f.Fields {
			out = append(out, ff.Label, ff.Hint)
		}
	}
	return out
}

// walkInputs is what the walk types in lang: every command name of that
// language alone and after help, and every example of the help texts.
func walkInputs(s *handlers.Service, lang string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(in string) {
		if in = strings.TrimSpace(in); in != "" && !seen[in] {
			seen[in] = true
			out = append(out, in)
		}
	}
	help := map[string]string{"en": "help", "fr": "aide"}[lang]
	for _, cmd := range s.Commands() {
		name := cmd.Names[0]
		for _, n := range cmd.Names {
			// The language the service hears in the word alone (English
			// when it tells none).
			if s.Language(context.Background(), handlers.Request{Text: n}) == lang {
				name = n
				break
			}
		}
		add(name)
		add(help + " " + name)
		for _, id := range []string{cmd.HelpKey, cmd.HelpKey + "_more"} {
			for _, span := range codeSpan.FindAllString(s.Translator().T(lang, id, map[string]any{"Slash": "/cop"}), -1) {
				if ex, ok := strings.CutPrefix(strings.Trim(span, "`"), "/cop "); ok {
					add(ex)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestEveryCommandInItsLanguage(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		for _, user := range []string{"kim", "coord"} {
			t.Run(lang+"/"+user, func(t *testing.T) {
				e := walkEnv(t, lang)
				inputs := walkInputs(e.s, lang)
				if len(inputs) < 40 {
					t.Fatalf("only %d inputs: %q", len(inputs), inputs)
				}
				typed := walkTyped(inputs)
				for _, in := range inputs {
					r := e.ask(user, lang, in)
					if r.Lang != lang && !walkSetsLanguage(in) {
						t.Errorf("%q: reply %s in %q, want %s", in, r.Kind, r.Lang, lang)
					}
					walkCheck(t, in, r.Lang, r, typed)
					walkKeepLanguage(t, e, user, lang) // examples such as "join … lang=fr" switch it
				}
				posts := e.poster.Posts("")
				t.Logf("%d inputs, %d channel posts", len(inputs), len(posts))
				for _, p := range posts {
					walkCheck(t, "post "+p.Kind, p.Lang, p, typed)
				}
			})
		}
	}
}

// walkEnv seeds members in both languages, a meeting and an open poll,
// with user content that has no function words of either language.
func walkEnv(t *testing.T, lang string) *mtgEnv {
	e := newMtgEnv(t, nil)
	e.join("kim", "Kim Roy", lang)
	e.join("coord", "Chris Lee", lang)
	ctx := context.Background()
	if _, _, err := e.db.JoinMember(ctx, storage.MemberInput{Name: "Tara Kay", Organization: "GNWT",
		Order: storage.OrderProvincial, Jurisdiction: "NT", Language: "fr", ConsoleID: "tara"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: "CoP 2027", StartsAt: mtgT0.Add(30 * 24 * time.Hour),
		Zone: "America/Toronto", Duration: time.Hour, Link: "https://meet.example.ca/cop", Theme: "IA"}); err != nil {
		t.Fatal(err)
	}
	if r := e.ask("coord", lang, `poll "CoP 2027" "IA" "API" --closes 48h`); r.Kind != "poll_created" && r.Kind != "poll" {
		t.Logf("seed poll: %s %q", r.Kind, r.Text)
	}
	return e
}

// walkCheck checks one reply: each language half free of the other
// language, and French typography.
func walkCheck(t *testing.T, in, lang string, r handlers.Reply, typed *strings.Replacer) {
	t.Helper()
	for _, s := range replyStrings(r) {
		s = typed.Replace(s)
		halves := map[string]string{lang: s}
		if lang == "en+fr" {
			en, fr, ok := strings.Cut(s, "\n\n—\n\n")
			if !ok {
				continue // a block of one half; the whole text is checked
			}
			halves = map[string]string{"en": en, "fr": fr}
		}
		for l, text := range halves {
			if words := otherLanguageWords(l, text); len(words) > 0 {
				t.Errorf("%q (%s reply %s): words of the other language %q in\n%q", in, l, r.Kind, words, text)
			}
			if l != "fr" {
				continue
			}
			for _, p := range handlers.FrenchTypographyProblems(text) {
				t.Errorf("%q (reply %s): %s in\n%q", in, r.Kind, p, text)
			}
		}
	}
}

// walkKeepLanguage sets the asker's saved language back to lang.
func walkKeepLanguage(t *testing.T, e *mtgEnv, user, lang string) {
	t.Helper()
	ctx := context.Background()
	m, err := e.db.MemberByIdentity(ctx, storage.Identity{Platform: storage.PlatformConsole, ID: user})
	if err != nil || m.Language == lang {
		return // left the community, or unchanged
	}
	if _, err := e.db.UpdateMember(ctx, m.ID, storage.MemberUpdate{Language: &lang}); err != nil {
		t.Fatal(err)
	}
}

// walkSetsLanguage reports whether in changes the asker's language, after
// which the reply rightly follows the new one.
func walkSetsLanguage(in string) bool {
	f := strings.Fields(handlers.Fold(in))
	return len(f) > 1 && (f[0] == "language" || f[0] == "langue") ||
		strings.Contains(handlers.Fold(in), "lang=") || strings.Contains(handlers.Fold(in), "langue=")
}

// walkTyped removes what the examples typed between quotes (a poll
// question, its options): user content, shown as written.
func walkTyped(inputs []string) *strings.Replacer {
	var pairs []string
	for _, in := range inputs {
		for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(in, -1) {
			pairs = append(pairs, q[1], "TYPED")
		}
	}
	return strings.NewReplacer(pairs...)
}

func TestOtherLanguageWords(t *testing.T) {
	tests := []struct {
		lang, text string
		want       int
	}{
		{"fr", "Tapez `/cop who` pour voir les membres.", 0},
		{"fr", "Tapez la commande for the members.", 2},
		{"fr", "en anglais : “who represents Yukon?”", 0},
		{"en", "Nobody in Île-du-Prince-Édouard yet (EST).", 0},
		{"en", "Type it pour voir.", 1},
		{"en", "Type « qui représente le Yukon ? » in French.", 0},
	}
	for _, tt := range tests {
		if got := otherLanguageWords(tt.lang, tt.text); len(got) != tt.want {
			t.Errorf("otherLanguageWords(%s, %q) = %q, want %d words", tt.lang, tt.text, got, tt.want)
		}
	}
}

// codeSpan is a `code span` of a message.
var codeSpan = regexp.MustCompile("`[^`]*`")
