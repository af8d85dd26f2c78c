package teamsbot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"copbot/bot/internal/replygen"
	"copbot/handlers"
	"copbot/storage"
)

// The Teams budget: every activity copbot renders is within 100 KB counted
// in UTF-16, is an Adaptive Card 1.5 by the published schema, and shows
// all of its reply or ends with a note naming the file that holds it.

// checkTeamsBudget fails t when c, rendered from r, is over Teams' size,
// off the card schema, or loses a piece of r without a word.
func checkTeamsBudget(t *testing.T, name string, r handlers.Reply, c *card) {
	t.Helper()
	if n := utf16Size(message(r, c)); n > maxActivityBytes-activityReserve {
		t.Errorf("%s: %d bytes in UTF-16, over the %d budget", name, n, maxActivityBytes-activityReserve)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if errs := validateCard(t, raw); len(errs) > 0 {
		t.Errorf("%s: not an Adaptive Card 1.5: %v", name, errs)
	}
	if act, _ := json.Marshal(message(r, c)); strings.ContainsAny(string(act), "\ufdd0\ufdd1") ||
		c.overflow != nil && strings.ContainsAny(string(c.overflow.Data), "\ufdd0\ufdd1") {
		t.Errorf("%s: the marks of user text reach Teams", name)
	}
	var file string
	if c.overflow != nil {
		file = strings.ReplaceAll(string(c.overflow.Data), "`", "") // as r's (see noBackticks)
		if last := c.Body[len(c.Body)-1]; !strings.Contains(unescapeMD(last.Text), c.overflow.Name) {
			t.Errorf("%s: overflowed without a last note naming %s", name, c.overflow.Name)
		}
	}
	seen := strings.ReplaceAll(unescapeMD(shown(c)), "`", "")
	if piece, lost := replygen.Missing(r, seen, file); lost {
		t.Errorf("%s: %q is lost: neither shown nor in a file", name, replygen.Clip(piece))
	}
}

// shown is the text of every element and action of c.
func shown(c *card) string {
	var b strings.Builder
	var walk func(els []*element)
	actions := func(as []*action) {
		for _, a := range as {
			b.WriteString(a.Title + "\n")
		}
	}
	walk = func(els []*element) {
		for _, e := range els {
			b.WriteString(e.Text + "\n")
			for _, f := range e.Facts {
				b.WriteString(f.Title + "\n" + f.Value + "\n")
			}
			actions(e.Actions)
			if e.Fallback != nil {
				walk([]*element{e.Fallback})
			}
		}
	}
	walk(c.Body)
	actions(c.Actions)
	return b.String()
}

// unescapeMD undoes escapeMD's backslashes. escapeMD also drops backticks,
// which the comparison ignores (replygen squashes them below).
func unescapeMD(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if r == '\\' && !esc {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// noBackticks is r without backticks: cards drop them from text (they have
// no code style), so the comparison leaves them out everywhere.
func noBackticks(r handlers.Reply) handlers.Reply {
	d := strings.NewReplacer("`", "")
	out := r
	out.Blocks = nil
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case handlers.Header:
			b.Text = d.Replace(b.Text)
			out.Blocks = append(out.Blocks, b)
		case handlers.Section:
			b.Text = d.Replace(b.Text)
			var fs []handlers.Field
			for _, f := range b.Fields {
				fs = append(fs, handlers.Field{Label: d.Replace(f.Label), Value: d.Replace(f.Value)})
			}
			b.Fields = fs
			out.Blocks = append(out.Blocks, b)
		case handlers.Context:
			b.Text = d.Replace(b.Text)
			out.Blocks = append(out.Blocks, b)
		case handlers.Time:
			b.Prefix, b.Fallback = d.Replace(b.Prefix), d.Replace(b.Fallback)
			out.Blocks = append(out.Blocks, b)
		case handlers.Actions:
			var bs []handlers.Button
			for _, btn := range b.Buttons {
				btn.Label = d.Replace(btn.Label)
				bs = append(bs, btn)
			}
			out.Blocks = append(out.Blocks, handlers.Actions{Buttons: bs})
		default:
			out.Blocks = append(out.Blocks, b)
		}
	}
	return out
}

// TestTeamsBudgetOnGeneratedReplies: no generated reply renders over the
// size, off the schema, or loses a word without saying so.
func TestTeamsBudgetOnGeneratedReplies(t *testing.T) {
	rd := renderer{tr: mustTranslator(t)}
	rng := rand.New(rand.NewPCG(15, 8))
	overflowed, n := 0, 80
	for i := range n {
		r := replygen.Random(rng)
		c := rd.card(r)
		checkTeamsBudget(t, fmt.Sprintf("reply %d", i), noBackticks(r), c)
		if c.overflow != nil {
			overflowed++
		}
	}
	if overflowed == 0 || overflowed == n {
		t.Errorf("%d of %d replies overflowed: the generator does not test both paths", overflowed, n)
	}
}

// TestTeamsBudgetOnCommunityReplies renders real answers over a community
// with long names full of formatting characters and a 200-voter export.
func TestTeamsBudgetOnCommunityReplies(t *testing.T) {
	f, _, svc, db := voteEnv(t, 200)
	ctx := context.Background()
	for i := range 150 {
		in := storage.MemberInput{Name: fmt.Sprintf("%s *Marie* _%d_ ~Tremblay~ ``` %s", strings.Repeat("Long Name ", 8), i, strings.Repeat("é", 40)),
			Title: strings.Repeat("Director <of> Very & Long Titles ", 5), Organization: "ServiceOntario",
			Order: storage.OrderProvincial, Jurisdiction: "ON", Language: "en", Email: fmt.Sprintf("m%d@ontario.ca", i)}
		if _, _, err := db.JoinMember(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	postPoll(t, f, svc, "")
	polls, err := db.FindPolls(ctx, storage.PollFilter{})
	if err != nil || len(polls) != 1 {
		t.Fatal(polls, err)
	}
	p := polls[0]
	ms, _, err := db.FindMembers(ctx, storage.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms[:200] {
		if _, err := db.Vote(ctx, p.ID, m.ID, p.Options[i%2].ID); err != nil {
			t.Fatal(err)
		}
	}
	rd := renderer{tr: svc.Translator()}
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: stormCoordinator}}
	for _, cmd := range []string{"who Ontario", "who", "stats", "gaps", "help", "aide", "polls",
		fmt.Sprintf("poll %d", p.ID), fmt.Sprintf("poll export %d", p.ID)} {
		req.Text = cmd
		r := svc.Handle(ctx, req)
		checkTeamsBudget(t, cmd, noBackticks(r), rd.card(r))
	}
}
