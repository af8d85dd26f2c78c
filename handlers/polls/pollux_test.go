package polls

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Regression tests for the poll fixes of the UX round (X3).

// TestPollRefusesBadQuoting: a question without quotes or a quote left
// open is refused with the quoting example, and nothing is posted or
// stored; quoted questions (straight, curly or « ») still work, with
// one-word options unquoted.
func TestPollRefusesBadQuoting(t *testing.T) {
	e := newPtEnv(t)
	refused := []struct {
		locale, line string
		want         []string
	}{
		{"", `poll Theme for March? A B`, []string{"Put the question in quotes",
			`/cop poll "Theme for March?" "Accessibility technology" "Wellness"`, "would be just “Theme”", "Nothing was posted."}},
		{"", `poll "Unclosed quote A B`, []string{"Unclosed quote", "Nothing was posted."}},
		{"", `poll "Theme?" "A" "B --closes 7d`, []string{"Unclosed quote"}},
		{"", `poll --closes 7d Theme? A B`, []string{"Put the question in quotes"}},
		{"", `poll Theme?`, []string{"Put the question in quotes"}},
		{"fr-CA", `sondage "Thème A B`, []string{"Guillemet non fermé" + nbsp + ":", "Rien n’a été publié."}},
		{"fr-CA", `sondage Thème de mars ? A B`, []string{"Mettez la question entre guillemets",
			"«" + nbsp + "Thème" + nbsp + "»"}},
	}
	for _, tt := range refused {
		r := handlers.UnmarkReply(e.s.Handle(context.Background(), handlers.Request{Identity: ptCoordinator, Locale: tt.locale, Text: tt.line}))
		if r.Kind != "error" {
			t.Errorf("%s: %s %q, want an error", tt.line, r.Kind, r.Text)
			continue
		}
		ptHas(t, r, tt.want...)
	}
	if polls, _ := e.db.FindPolls(context.Background(), storage.PollFilter{}); len(polls) != 0 || len(e.fake.Posts("poll")) != 0 {
		t.Fatalf("refused lines stored %d polls, posted %d", len(polls), len(e.fake.Posts("poll")))
	}
	accepted := []struct{ line, question string }{
		{`poll “Theme for March?” “Accessibility technology” Wellness`, "Theme for March?"},
		{`poll «Thème de mars ?» «Accessibilité» Mieux-être`, "Thème de mars ?"},
		{`poll --votes 2 "Lunch?" Pizza Sushi Salad`, "Lunch?"},
	}
	for _, tt := range accepted {
		if p := e.create(strings.TrimPrefix(tt.line, "poll ")); p.Question != tt.question {
			t.Errorf("%s: question %q, want %q", tt.line, p.Question, tt.question)
		}
	}
}

// TestPollEditRefusesUnquotedQuestion: `poll edit` checks quoting the
// same way and changes nothing when refusing.
func TestPollEditRefusesUnquotedQuestion(t *testing.T) {
	e := newPtEnv(t)
	p := e.create(`"Theme?" "A" "B"`)
	for _, line := range []string{
		fmt.Sprintf("poll edit %d New question? A B", p.ID),
		fmt.Sprintf(`poll edit %d "New question? A B`, p.ID),
	} {
		r := e.ask(ptCoordinator, line)
		ptHas(t, r, fmt.Sprintf(`/cop poll edit %d "New question?"`, p.ID), "Nothing was changed.")
	}
	if got := e.poll(p.ID); got.Question != "Theme?" || len(got.Options) != 2 {
		t.Errorf("refused edits changed the poll: %q %d options", got.Question, len(got.Options))
	}
	ptHas(t, e.ask(ptCoordinator, fmt.Sprintf(`poll edit %d "New question?" A B C`, p.ID)), "is updated")
	if got := e.poll(p.ID); got.Question != "New question?" || len(got.Options) != 3 {
		t.Errorf("quoted edit: %q %d options", got.Question, len(got.Options))
	}
}

// TestPollCardPromises: the card says what a linked meeting and a
// reminder will do, in both languages.
func TestPollCardPromises(t *testing.T) {
	e := newPtEnv(t)
	m := e.meeting("")
	e.create(fmt.Sprintf(`"Theme?" "A" "B" --closes 3d --remind 24h --meeting %d`, m.ID))
	card := e.fake.Posts("poll")[0]
	ptHas(t, card,
		fmt.Sprintf("The winner becomes the theme of meeting #%d “March meeting”", m.ID),
		"Members who have not voted get a reminder 24"+nbsp+"h before closing",
		fmt.Sprintf("Le choix gagnant deviendra le thème de la réunion nº"+nbsp+"%d «"+nbsp+"March meeting"+nbsp+"»", m.ID),
		"Les membres qui n’ont pas voté recevront un rappel 24"+nbsp+"h avant la fermeture")

	e.create(`"Plain?" "A" "B" --closes 3d`)
	plain := e.fake.Posts("poll")[1]
	for _, no := range []string{"The winner becomes", "get a reminder", "Le choix gagnant", "recevront un rappel"} {
		if strings.Contains(plain.Text, no) {
			t.Errorf("a poll with no meeting or reminder says %q", no)
		}
	}

	delays := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 48 * time.Hour, "2 days"}, {"en", 24 * time.Hour, "24" + nbsp + "h"}, {"en", 36 * time.Hour, "36" + nbsp + "h"},
		{"en", 90 * time.Minute, "90" + nbsp + "min"}, {"en", 30 * time.Second, "30" + nbsp + "s"},
		{"fr", 24 * time.Hour, "24" + nbsp + "h"}, {"fr", 72 * time.Hour, "3" + nbsp + "jours"},
	}
	for _, tt := range delays {
		if got := e.f.langCall(tt.lang).pollDelay(tt.d); got != tt.want {
			t.Errorf("pollDelay(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}

// TestPollAnonymousPartialBallot: fewer numbers than an anonymous poll
// allows are refused with the way to send them all or to confirm; the
// confirmed and the complete ballots are recorded.
func TestPollAnonymousPartialBallot(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	e.join("m3", "Sam Lee", "en")
	p := e.create(`"Theme?" "A" "B" "C" --anonymous --votes 2`)
	id := fmt.Sprint(p.ID)
	steps := []struct {
		who, line string
		kind      string
		want      []string
		tally     []int
	}{
		{"m1", "vote " + id + " 1", "error", []string{"You chose 1 of up to 2 options", "nothing was recorded yet",
			"`/cop vote " + id + " 1 2`", "`/cop vote " + id + " 1 --final`"}, []int{0, 0, 0}},
		{"m2", "voter " + id + " 3", "error", []string{"Vous avez fait 1 choix sur 2 possibles",
			"`/cop voter " + id + " 3 1`", "`/cop voter " + id + " 3 --définitif`"}, []int{0, 0, 0}},
		{"m1", "vote " + id + " 1 --final", "poll_vote", []string{"Your anonymous vote is recorded"}, []int{1, 0, 0}},
		{"m2", "voter " + id + " 3 —définitif", "poll_vote", []string{"Votre vote anonyme est enregistré"}, []int{1, 0, 1}},
		{"m3", "vote " + id + " 2 3", "poll_vote", []string{"Your anonymous vote is recorded"}, []int{1, 1, 2}},
		{"m3", "vote " + id + " 1", "error", []string{"You already voted in anonymous poll " + id}, []int{1, 1, 2}},
	}
	for i, s := range steps {
		r := e.ask(ptUser(s.who), s.line)
		if r.Kind != s.kind {
			t.Fatalf("step %d %q: %s %q, want %s", i, s.line, r.Kind, r.Text, s.kind)
		}
		ptHas(t, r, s.want...)
		if got := pollVotesOf(e.poll(p.ID)); !slices.Equal(got, s.tally) {
			t.Errorf("step %d: tally %v, want %v", i, got, s.tally)
		}
	}
	// Polls that are not anonymous keep one-number votes as clicks.
	q := e.create(`"Other?" "A" "B" "C" --votes 2`)
	ptHas(t, e.ask(ptUser("m1"), fmt.Sprintf("vote %d 1", q.ID)), "You can choose 1 more option")
}

// TestPollWhoChoseWhat: the creator sees each option's voters by name.
func TestPollWhoChoseWhat(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "A" "B" --votes 2`)
	e.vote(ptUser("m1"), p, 2)
	e.vote(ptUser("m2"), p, 2)
	e.vote(ptUser("m2"), p, 1)
	ptHas(t, e.ask(ptCoordinator, fmt.Sprintf("poll %d", p.ID)),
		"Who chose what:\n1. Marie Tremblay\n2. Alex Martin, Marie Tremblay")
}

// TestPollEnglishCatalogApostrophes: the English poll texts use the
// typographic apostrophe, as the rest of the catalogs do.
func TestPollEnglishCatalogApostrophes(t *testing.T) {
	f, err := os.Open("../locales/polls.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.Contains(line, "'") {
			t.Errorf("polls.en.toml:%d has a straight apostrophe: %s", n, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
