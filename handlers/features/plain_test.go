package features

import (
	"context"
	"copbot/handlers"
	"strings"
	"testing"
)

const pollGlyphs = "░█▏▎▍▌▋▊▉"

// TestPollCardAccessible (issue 11, items 6 and 5): the channel card draws
// no glyph bars; each option's count reads as words in both languages, the
// same rule as the bilingual small print.
func TestPollCardAccessible(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Thème de mars ?" "Accessibilité" "Communautés vulnérables"`) // a French question
	e.vote(ptUser("m1"), p, 2)
	e.vote(ptUser("m2"), p, 2)
	e.s.Flush()
	ups := e.fake.Updates()
	card := ups[len(ups)-1].Reply
	if strings.ContainsAny(card.Text, pollGlyphs) {
		t.Errorf("card draws bars:\n%s", card.Text)
	}
	for _, want := range []string{"1. Accessibilité\n0 votes, 0% / 0 voix, 0 %",
		"2. Communautés vulnérables\n2 votes, 100% / 2 voix, 100 %"} {
		if !strings.Contains(loose(card.Text), want) {
			t.Errorf("card lacks %q:\n%s", want, card.Text)
		}
	}
}

// TestPreferencesPlain (issue 11, item 6): the preference is stored,
// shown in the profile and help, and makes personal poll replies plain.
func TestPreferencesPlain(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "Accessibility" "Serving vulnerable communities"`)
	e.vote(ptUser("m1"), p, 2)
	e.vote(ptUser("m2"), p, 1)

	if r := e.ask(ptUser("m1"), "poll 1"); !strings.ContainsAny(r.Text, pollGlyphs) || r.Plain {
		t.Errorf("before: personal view has no bars or is plain:\n%s", r.Text)
	}
	tests := []struct {
		who, line, want string
		plain           bool
	}{
		{"m1", "preferences plain on", "Plain replies are on", true},
		{"m2", "préférences simple oui", "réponses simplifiées sont activées", true},
		{"m2", "preferences", "Réponses simplifiées" + nbsp + ": activées", true},
		{"m2", "préférences simple non", "désactivées", false},
		{"m2", "préférences simple peut-être", "préférences simple oui", false},
	}
	for _, tt := range tests {
		r := e.ask(ptUser(tt.who), tt.line)
		m, _ := e.db.MemberByIdentity(context.Background(), ptUser(tt.who))
		if !strings.Contains(loose(r.Text), loose(tt.want)) || m.Plain != tt.plain {
			t.Errorf("%s: %q (plain %v), want %q (plain %v)", tt.line, r.Text, m.Plain, tt.want, tt.plain)
		}
	}
	r := e.ask(ptUser("m1"), "poll 1")
	if strings.ContainsAny(r.Text, pollGlyphs) || !r.Plain {
		t.Errorf("plain view draws bars or is not marked plain:\n%s", r.Text)
	}
	ptHas(t, r, "Option 1, Accessibility: 1 vote, 50 percent", "Option 2, Serving vulnerable communities: 1 vote, 50 percent")
	ptHas(t, e.ask(ptUser("m1"), "profile"), "Plain replies: on")
	looseHas(t, e.ask(ptUser("m2"), "profil"), "Réponses simplifiées : désactivées")
	ptHas(t, e.ask(ptUser("m1"), "help"), "/cop preferences plain on|off")
	ptHas(t, e.ask(ptUser("m2"), "aide"), "/cop préférences simple oui|non")
	if r := e.ask(ptUser("nobody"), "preferences plain on"); r.Kind != "error" {
		t.Errorf("non-member: %s %q", r.Kind, r.Text)
	}
}

// TestBilingualPollContent (issue 11, item 5): a question and options
// given in both languages show whole on the channel card and in the
// reader's language in personal replies and in the result post.
func TestBilingualPollContent(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme for March? / Thème de mars ?" "Accessibility / L'accessibilité" "Serving vulnerable communities / Servir les communautés vulnérables"`)
	card := e.fake.Posts("poll")[0]
	ptHas(t, card, "Theme for March? / Thème de mars ?", "2. Serving vulnerable communities / Servir les communautés vulnérables")

	en := e.ask(ptUser("m1"), "poll 1")
	ptHas(t, en, "Theme for March?", "Serving vulnerable communities")
	fr := e.ask(ptUser("m2"), "sondage 1")
	ptHas(t, fr, "Thème de mars ?", "Servir les communautés vulnérables")
	for _, bad := range []string{"Theme for March", "Serving"} {
		if strings.Contains(fr.Text, bad) {
			t.Errorf("French reader sees English %q:\n%s", bad, fr.Text)
		}
	}
	r := e.click(ptUser("m2"), "poll_vote", voteValue(p, 2))
	looseHas(t, r, "« Servir les communautés vulnérables »")
	if r := e.ask(ptCoordinator, "poll close 1"); r.Kind != "poll_closed" {
		t.Fatalf("close: %s %q", r.Kind, r.Text)
	}
	res := e.fake.Posts("poll_result")[0]
	enPart, frPart, _ := strings.Cut(res.Text, "\n—\n")
	if !strings.Contains(enPart, "“Serving vulnerable communities”") || strings.Contains(enPart, "Servir") {
		t.Errorf("English result:\n%s", enPart)
	}
	if !strings.Contains(frPart, "Servir les communautés vulnérables") || strings.Contains(frPart, "Serving") {
		t.Errorf("French result:\n%s", frPart)
	}
}

// loose writes no-break spaces as spaces: these tests check words, and the
// French typography pass decides the spaces.
func loose(s string) string { return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s) }

// looseHas is ptHas on loose texts.
func looseHas(t testing.TB, r handlers.Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(loose(r.Text), loose(w)) {
			t.Errorf("%s reply lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}
