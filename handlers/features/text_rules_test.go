package features

import (
	"context"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// Text rules in one place, before any transformation (issue 16): every
// path that takes text from a person (typed commands, form submissions,
// button values, the roster import) applies storage's rules to the raw
// input before parsing it. Broken UTF-8 is refused, never stored as
// U+FFFD; a name, title, question or option made only of invisible
// characters is refused; each error names the right field, in the asker's
// language; nothing changes.
func TestTextRulesEveryPath(t *testing.T) {
	const zw = "\u200b\u200c\u2060" // zero-width space, non-joiner, word joiner
	var set *Set
	e := handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(mtgT0),
		Install: func(s *handlers.Service) { set = Install(s, Options{}) }})
	ann, jean := handlerstest.User("ann"), handlerstest.User("jean")
	ctx := context.Background()
	ask := func(who storage.Identity, text string) handlers.Reply {
		return e.S.Handle(ctx, handlers.Request{Identity: who, Text: text})
	}
	if r := ask(ann, "join Ann Lee | ServiceOntario | provincial | ON | Director"); r.Kind != "joined" {
		t.Fatal(r.Text)
	}
	if r := ask(jean, "rejoindre Jean Roy | Ville de Québec | municipal | QC | Chef | | fr"); r.Kind != "joined" {
		t.Fatal(r.Text)
	}
	coord := handlerstest.Coordinator
	tests := []struct {
		name string
		do   func() handlers.Reply
		want []string
	}{
		{"join, invisible name", func() handlers.Reply { return ask(handlerstest.User("zed"), "join "+zw+" | Org | federal") },
			[]string{"Name: The name has no visible character"}},
		{"join, invisible organization", func() handlers.Reply { return ask(handlerstest.User("zed"), "join Zed | "+zw+" | federal") },
			[]string{"Organization: The organization has no visible character"}},
		{"update title, invisible: labelled Title", func() handlers.Reply { return ask(ann, "update title "+zw) },
			[]string{"Title or role: The title has no visible character"}},
		// A control character is refused in the raw message, before the
		// command is parsed, with its place in the message.
		{"update title, control character", func() handlers.Reply { return ask(ann, "update title Chief\u202e") },
			[]string{"Your message contains a character that cannot be stored, U+202E, at character 19"}},
		{"modifier titre, en français", func() handlers.Reply { return ask(jean, "modifier titre "+zw) },
			[]string{"Titre ou rôle\u00a0: le titre ne contient aucun caractère visible"}},
		{"update, broken UTF-8", func() handlers.Reply { return ask(ann, "update title Chi\xffef") },
			[]string{"Your message is not valid text (broken UTF-8 at character 17)"}},
		{"poll, broken UTF-8 in the question", func() handlers.Reply { return ask(coord, "poll \"Theme for Ma\xffrch?\" \"A\" \"B\"") },
			[]string{"Your message is not valid text"}},
		{"poll, invisible question", func() handlers.Reply { return ask(coord, `poll "`+zw+`" "A" "B"`) },
			[]string{"The question has no visible character"}},
		{"poll, invisible option", func() handlers.Reply { return ask(coord, `poll "Theme?" "A" "`+zw+`"`) },
			[]string{"The option has no visible character"}},
		{"meeting, broken UTF-8 in the title", func() handlers.Reply { return ask(coord, "meeting add 2027-03-17 13:00 Qu\xc3arterly") },
			[]string{"Your message is not valid text"}},
		{"meeting, invisible title", func() handlers.Reply { return ask(coord, "meeting add 2027-03-17 13:00 --title "+zw) },
			[]string{"The title has no visible character"}},
		{"poll form, broken UTF-8", func() handlers.Reply {
			r, errs := e.S.Submit(ctx, handlers.Request{Identity: coord}, "poll_create", "",
				map[string]string{"question": "Theme\xff?", "options": "A\nB"})
			if !strings.Contains(errs["question"], "The question is not valid text") {
				t.Errorf("form errors %v", errs)
			}
			return r
		}, []string{"The question is not valid text (broken UTF-8 at character 6)"}},
		{"poll form, invisible option", func() handlers.Reply {
			r, _ := e.S.Submit(ctx, handlers.Request{Identity: coord}, "poll_create", "",
				map[string]string{"question": "Theme?", "options": "A\n" + zw})
			return r
		}, []string{"has no visible character"}},
		{"sign-up form, invisible name", func() handlers.Reply {
			r, errs := e.S.Submit(ctx, handlers.Request{Identity: handlerstest.User("zed")}, "signup", "",
				map[string]string{"name": zw, "organization": "Org", "order": "federal"})
			if len(errs) == 0 {
				t.Errorf("no field error")
			}
			return r
		}, []string{"The name has no visible character"}},
		{"button, broken value", func() handlers.Reply {
			return e.S.Act(ctx, handlers.Request{Identity: ann}, "poll_vote", "1:\xff")
		}, []string{"That button"}},
	}
	ask(coord, "challenges") // brings the coverage challenge up to date after the joins
	before := textRulesDump(t, e)
	for _, tt := range tests {
		r := tt.do()
		if r.Kind != "error" {
			t.Errorf("%s: accepted (%s): %s", tt.name, r.Kind, r.Text)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s: %q lacks %q", tt.name, r.Text, w)
			}
		}
	}
	if after := textRulesDump(t, e); after != before {
		t.Errorf("refused input changed the database:\n%s", azDiff(before, after))
	}

	// The roster import refuses an invisible name with its line.
	rep, _ := set.Directory.ImportRoster(ctx, strings.NewReader("name,email,organization,order,jurisdiction\n"+
		"Ada Lovelace,ada@x.ca,ServiceOntario,provincial,ON\n"+zw+",zw@x.ca,ServiceOntario,provincial,ON\n"), "en")
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || !strings.Contains(rep.Errors[0].Message, "no visible character") {
		t.Errorf("import of an invisible name: %+v", rep.Errors)
	}
	if after := textRulesDump(t, e); after != before {
		t.Errorf("a refused import changed the database:\n%s", azDiff(before, after))
	}
}

// textRulesDump is every row of the Env's database but the audit log's
// (a refused import records nothing, but the dump must not depend on it).
func textRulesDump(t *testing.T, e *handlerstest.Env) string {
	t.Helper()
	var keep []string
	for _, l := range strings.Split(azDump(t, e.Path), "\n") {
		if !strings.HasPrefix(l, "audit: ") && !strings.HasPrefix(l, "handled_requests: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
