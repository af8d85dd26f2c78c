package email

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/handlers/polls"
	"copbot/storage"
)

// cards records the polls whose cards an email vote marked for update.
type cards struct {
	mu  sync.Mutex
	ids []int64
}

func (c *cards) VotesChanged(id int64) { c.mu.Lock(); c.ids = append(c.ids, id); c.mu.Unlock() }

func (c *cards) marked() []int64 { c.mu.Lock(); defer c.mu.Unlock(); return slices.Clone(c.ids) }

func newVoteEnv(t *testing.T) (*emailEnv, *cards) {
	t.Helper()
	sender, cs := &fakeSender{}, &cards{}
	o := Options{Sender: sender, From: Address{Name: "CoP", Addr: "cop@example.gc.ca"}, PublicURL: "https://copbot.example.gc.ca"}
	ee := &emailEnv{sender: sender}
	ee.Env = handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)),
		Install: func(s *handlers.Service) {
			polls.Install(s, polls.Deps{})
			ee.f = Install(s, Deps{Polls: cs}, o)
		}})
	return ee, cs
}

// voteLink is one option's link in a message.
type voteLink struct {
	token  string
	option int64
	label  string
}

// links reads the vote links out of m, in order.
func links(t *testing.T, m Message) []voteLink {
	t.Helper()
	var out []voteLink
	for _, b := range m.Body.Blocks {
		a, ok := b.(handlers.Actions)
		if !ok {
			continue
		}
		for _, btn := range a.Buttons {
			u, err := url.Parse(btn.URL)
			if err != nil || u.Scheme != "https" || u.Host != "copbot.example.gc.ca" || path.Dir(u.Path) != "/email/vote" {
				t.Fatalf("vote link %q", btn.URL)
			}
			id, err := strconv.ParseInt(u.Query().Get("option"), 10, 64)
			if err != nil {
				t.Fatalf("vote link %q: %v", btn.URL, err)
			}
			out = append(out, voteLink{token: path.Base(u.Path), option: id, label: handlers.Unmark(btn.Label)})
		}
	}
	return out
}

// pageText is every line of a page, by language.
func pageText(p VotePage) (en, fr string) {
	for _, part := range p.Parts {
		s := part.Title + "\n" + strings.Join(part.Lines, "\n")
		if part.Lang == "fr" {
			fr = s
		} else {
			en = s
		}
	}
	return en, fr
}

func hasPage(t *testing.T, what string, p VotePage, status int, en, fr string) {
	t.Helper()
	gotEN, gotFR := pageText(p)
	if p.Status != status || !strings.Contains(gotEN, en) || !strings.Contains(gotFR, fr) {
		t.Errorf("%s: %d\n%s\n--\n%s\nwant %d with %q and %q", what, p.Status, gotEN, gotFR, status, en, fr)
	}
}

func (e *emailEnv) sentTo(addr string) []Message {
	var out []Message
	for _, m := range e.sender.calls() {
		if m.To.Addr == addr {
			out = append(out, m)
		}
	}
	return out
}

func (e *emailEnv) choices(p *storage.Poll, m *storage.Member) []int64 {
	e.T.Helper()
	c, _, err := e.DB.MemberChoices(context.Background(), p.ID, m.ID)
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// A single-choice poll: each recipient's mail links every option with a
// secret of their own; opening a link writes nothing; the button records
// the vote, marks the cards, and says so in both languages.
func TestVoteLinkSingleChoice(t *testing.T) {
	e, cs := newVoteEnv(t)
	marie := e.emailOnly("Marie Tremblay", "marie@example.qc.ca", "fr")
	jean := e.emailOnly("Jean Roy", "jean@example.on.ca", "en")
	p := e.CreatePoll(`"Theme for June? / Thème de juin ?" "Accessibility / Accessibilité" "Vulnerable communities"`)
	if err := e.runPollJob(p.ID); err != nil {
		t.Fatal(err)
	}
	mm, jm := e.sentTo("marie@example.qc.ca"), e.sentTo("jean@example.on.ca")
	if len(mm) != 1 || len(jm) != 1 {
		t.Fatalf("%d and %d messages, want one each", len(mm), len(jm))
	}
	ml, jl := links(t, mm[0]), links(t, jm[0])
	if len(ml) != 2 || ml[0].option != p.Options[0].ID || ml[1].option != p.Options[1].ID || ml[0].label != "Voter pour 1. Accessibilité" {
		t.Fatalf("Marie's links %+v, want one per option, in French", ml)
	}
	if ml[0].token != ml[1].token || ml[0].token == jl[0].token || len(ml[0].token) < 26 {
		t.Fatalf("tokens %q %q: want one per person and poll, of at least 128 bits", ml[0].token, jl[0].token)
	}
	text := handlers.Unmark(bodyText(mm[0].Body))
	if !strings.Contains(text, "ouvrez le lien de votre choix") || strings.Contains(text, "voter 1 NUMÉRO") {
		t.Errorf("Marie's mail does not say how to vote by email:\n%s", text)
	}

	// Opening the link (a scanner, a preview, or Marie) writes nothing.
	for range 3 {
		page := e.f.VoteLinkPage(context.Background(), ml[1].token, ml[1].option)
		hasPage(t, "GET", page, http.StatusOK, "Press the button to vote for “Vulnerable communities” (option 2).",
			"Appuyez sur le bouton pour voter pour «\u00a0Vulnerable communities\u00a0» (choix 2).")
		if page.Form == nil || page.Form.Multi || len(page.Form.Options) != 1 || page.Form.Options[0].ID != ml[1].option ||
			page.Form.Submit != "Vote / Voter" {
			t.Fatalf("form %+v, want the link's option alone", page.Form)
		}
	}
	if c := e.choices(p, marie); len(c) != 0 || len(cs.marked()) != 0 {
		t.Fatalf("opening a link voted: %v, cards %v", c, cs.marked())
	}

	page := e.f.CastVote(context.Background(), ml[1].token, []int64{ml[1].option})
	hasPage(t, "POST", page, http.StatusOK, "Your vote for “Vulnerable communities” (option 2) is recorded.",
		"Votre vote pour «\u00a0Vulnerable communities\u00a0» (choix 2) est enregistré.")
	if page.Form != nil {
		t.Errorf("the recorded page has a form: %+v", page.Form)
	}
	if c := e.choices(p, marie); !slices.Equal(c, []int64{ml[1].option}) {
		t.Errorf("Marie's choices %v, want option 2", c)
	}
	if c := e.choices(p, jean); len(c) != 0 {
		t.Errorf("Marie's link voted for Jean: %v", c)
	}
	if got := cs.marked(); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("cards marked %v, want poll %d once", got, p.ID)
	}
	// The page now shows her vote; the other link moves it.
	hasPage(t, "GET after", e.f.VoteLinkPage(context.Background(), ml[0].token, ml[0].option), http.StatusOK,
		"Your vote so far: “Vulnerable communities” (option 2).", "Votre vote jusqu’ici\u00a0: «\u00a0Vulnerable communities\u00a0» (choix 2).")
	hasPage(t, "move", e.f.CastVote(context.Background(), ml[0].token, []int64{ml[0].option}), http.StatusOK,
		"Your vote for “Accessibility” (option 1) is recorded.", "Votre vote pour «\u00a0Accessibilité\u00a0» (choix 1) est enregistré.")
	if got, _ := e.DB.PollByID(context.Background(), p.ID); got.Voters != 1 || got.Options[0].Votes != 1 || got.Options[1].Votes != 0 {
		t.Errorf("tally %d voters %+v", got.Voters, got.Options)
	}

	// Nothing chosen: refused, the form again, nothing changed.
	none := e.f.CastVote(context.Background(), ml[0].token, nil)
	hasPage(t, "none", none, http.StatusUnprocessableEntity, "No option was chosen. Nothing was recorded", "Aucun choix n’a été fait.")
	if none.Form == nil || len(none.Form.Options) != 2 || !none.Form.Options[0].Checked {
		t.Errorf("form after an empty vote %+v, want both options, hers checked", none.Form)
	}
	if c := e.choices(p, marie); !slices.Equal(c, []int64{ml[0].option}) {
		t.Errorf("an empty vote changed Marie's choices: %v", c)
	}

	// A link that is not one: 404 in both languages, nothing written.
	for _, tok := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAA", ml[0].token + "x", ""} {
		hasPage(t, "unknown GET", e.f.VoteLinkPage(context.Background(), tok, ml[0].option), http.StatusNotFound,
			"This voting link is not valid", "Ce lien de vote n’est pas valide")
		hasPage(t, "unknown POST", e.f.CastVote(context.Background(), tok, []int64{ml[0].option}), http.StatusNotFound,
			"Nothing was recorded.", "Rien n’a été enregistré.")
		page, ok := e.f.VoteLinkKnown(context.Background(), tok)
		hasPage(t, "unknown check", page, http.StatusNotFound, "This voting link is not valid", "Ce lien de vote n’est pas valide")
		if ok || page.Form != nil {
			t.Errorf("%q is known (%v) or has a form", tok, ok)
		}
	}
	if _, ok := e.f.VoteLinkKnown(context.Background(), ml[0].token); !ok {
		t.Error("Marie's link is not known")
	}
	if got := cs.marked(); len(got) != 2 {
		t.Errorf("cards marked %v, want once per recorded vote", got)
	}
}

// A multiple-choice poll gets a checkbox form: the link's option ticked
// with the member's choices; the form's choices replace them, within the
// poll's limit.
func TestVoteLinkMultipleChoice(t *testing.T) {
	e, _ := newVoteEnv(t)
	jean := e.emailOnly("Jean Roy", "jean@example.on.ca", "en")
	p := e.CreatePoll(`"Themes?" "A" "B" "C" --votes 2`)
	if err := e.runPollJob(p.ID); err != nil {
		t.Fatal(err)
	}
	jl := links(t, e.sentTo("jean@example.on.ca")[0])
	if len(jl) != 3 || !strings.Contains(bodyText(e.sentTo("jean@example.on.ca")[0].Body), "tick up to 2 options") {
		t.Fatalf("links %+v", jl)
	}
	page := e.f.VoteLinkPage(context.Background(), jl[2].token, jl[2].option)
	if f := page.Form; f == nil || !f.Multi || len(f.Options) != 3 || !f.Options[2].Checked || f.Options[0].Checked {
		t.Fatalf("form %+v, want three checkboxes, C ticked", page.Form)
	}
	hasPage(t, "GET", page, http.StatusOK, "Tick up to 2 options", "Cochez jusqu’à 2 choix")
	all := []int64{p.Options[0].ID, p.Options[1].ID, p.Options[2].ID}
	tooMany := e.f.CastVote(context.Background(), jl[0].token, all)
	hasPage(t, "three", tooMany, http.StatusUnprocessableEntity, "This poll allows at most 2 choices. Nothing was recorded",
		"Ce sondage permet au plus 2 choix. Rien n’a été enregistré")
	if tooMany.Form == nil || len(e.choices(p, jean)) != 0 {
		t.Fatalf("three choices: form %v, choices %v", tooMany.Form, e.choices(p, jean))
	}
	hasPage(t, "two", e.f.CastVote(context.Background(), jl[0].token, all[1:]), http.StatusOK,
		"Your choices are recorded: “B” (option 2) and “C” (option 3).", "Vos choix sont enregistrés\u00a0: «\u00a0B\u00a0» (choix 2) et «\u00a0C\u00a0» (choix 3).")
	page = e.f.VoteLinkPage(context.Background(), jl[0].token, jl[0].option)
	if f := page.Form; f == nil || !f.Options[0].Checked || !f.Options[1].Checked || !f.Options[2].Checked {
		t.Errorf("form %+v, want the link's option and both choices ticked", page.Form)
	}
	hasPage(t, "none", e.f.CastVote(context.Background(), jl[0].token, nil), http.StatusOK,
		"You took back your votes in poll #1.", "Vous avez retiré vos votes au sondage nº\u00a01.")
	if c := e.choices(p, jean); len(c) != 0 {
		t.Errorf("choices %v after taking them back", c)
	}
}

// Each refusal: a clear page in both languages, and nothing written.
func TestVoteLinkRefusals(t *testing.T) {
	e, cs := newVoteEnv(t)
	jean := e.emailOnly("Jean Roy", "jean@example.on.ca", "en")
	marie := e.emailOnly("Marie Tremblay", "marie@example.qc.ca", "fr")
	ctx := context.Background()
	send := func(line string) (*storage.Poll, []voteLink, []voteLink) {
		t.Helper()
		p := e.CreatePoll(line)
		if err := e.runPollJob(p.ID); err != nil {
			t.Fatal(err)
		}
		jm, mm := e.sentTo("jean@example.on.ca"), e.sentTo("marie@example.qc.ca")
		return p, links(t, jm[len(jm)-1]), links(t, mm[len(mm)-1])
	}

	// Closed by a coordinator.
	closed, jl, _ := send(`"Closed?" "A" "B"`)
	if r := e.Ask(handlerstest.Coordinator, "poll close "+strconv.FormatInt(closed.ID, 10)); r.Kind == "error" {
		t.Fatal(r.Text)
	}
	for _, page := range []VotePage{e.f.VoteLinkPage(ctx, jl[0].token, jl[0].option), e.f.CastVote(ctx, jl[0].token, []int64{jl[0].option})} {
		hasPage(t, "closed", page, http.StatusConflict, "Poll #1 is closed: it no longer takes votes. Nothing was recorded.",
			"Le sondage nº\u00a01 est fermé")
		if page.Form != nil {
			t.Errorf("a closed poll's page has a form")
		}
	}

	// Anonymous: final once cast.
	anon, jl, _ := send(`"Secret?" "A" "B" --anonymous`)
	hasPage(t, "anonymous GET", e.f.VoteLinkPage(ctx, jl[0].token, jl[0].option), http.StatusOK,
		"This poll is anonymous: your vote is final once sent.", "Ce sondage est anonyme")
	hasPage(t, "anonymous", e.f.CastVote(ctx, jl[0].token, []int64{jl[0].option}), http.StatusOK,
		"Your anonymous vote is recorded. It is final", "Votre vote anonyme est enregistré.")
	for _, page := range []VotePage{e.f.VoteLinkPage(ctx, jl[1].token, jl[1].option), e.f.CastVote(ctx, jl[1].token, []int64{jl[1].option})} {
		hasPage(t, "anonymous again", page, http.StatusConflict, "You already voted in anonymous poll #2", "Vous avez déjà voté au sondage anonyme nº\u00a02")
	}
	if got, _ := e.DB.PollByID(ctx, anon.ID); got.Options[0].Votes != 1 || got.Options[1].Votes != 0 {
		t.Errorf("anonymous tally %+v", got.Options)
	}

	// Options replaced after the mail went out (nobody had voted yet).
	changed, jl, _ := send(`"Changed?" "A" "B"`)
	if _, err := e.DB.UpdatePoll(ctx, changed.ID, storage.PollUpdate{Options: []string{"New A", "New B", "New C"}}); err != nil {
		t.Fatal(err)
	}
	for _, page := range []VotePage{e.f.VoteLinkPage(ctx, jl[0].token, jl[0].option), e.f.CastVote(ctx, jl[0].token, []int64{jl[0].option})} {
		hasPage(t, "changed", page, http.StatusConflict, "The options of poll #3 changed after this email was sent. Nothing was recorded",
			"Les choix du sondage nº\u00a03 ont changé")
		if page.Form == nil || len(page.Form.Options) != 3 || page.Form.Options[2].Label != "3. New C" {
			t.Errorf("changed: form %+v, want the new options", page.Form)
		}
	}
	if c := e.choices(changed, jean); len(c) != 0 {
		t.Errorf("a stale option was voted: %v", c)
	}

	// A member who left since the mail.
	open, jl, ml := send(`"Open?" "A" "B"`)
	if err := e.DB.LeaveMember(ctx, marie.ID); err != nil {
		t.Fatal(err)
	}
	for _, page := range []VotePage{e.f.VoteLinkPage(ctx, ml[0].token, ml[0].option), e.f.CastVote(ctx, ml[0].token, []int64{ml[0].option})} {
		hasPage(t, "left", page, http.StatusForbidden, "You are no longer a member of the Community", "Vous n’êtes plus membre de la Communauté")
		if page.Form != nil {
			t.Errorf("a former member's page has a form")
		}
	}
	if c := e.choices(open, marie); len(c) != 0 {
		t.Errorf("a former member voted: %v", c)
	}
	// Another poll's option through this poll's link.
	hasPage(t, "other poll", e.f.CastVote(ctx, jl[0].token, []int64{closed.Options[0].ID}), http.StatusConflict,
		"changed after this email was sent", "ont changé")
	if got := cs.marked(); !slices.Equal(got, []int64{anon.ID}) {
		t.Errorf("cards marked %v, want only the anonymous vote's poll", got)
	}
}

// runJob runs the email job whose key starts with prefix, as the
// scheduler would, and returns its due time.
func (e *emailEnv) runJob(prefix string) time.Time {
	e.T.Helper()
	jobs, err := e.Jobs(e.S)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, j := range jobs {
		if strings.HasPrefix(j.Key, prefix) {
			if err := j.Run(context.Background()); err != nil {
				e.T.Fatal(err)
			}
			return j.Due
		}
	}
	e.T.Fatalf("no job %s…", prefix)
	return time.Time{}
}

// A poll that asks for a reminder emails it, once, to the email members
// who have not voted, at its time, with vote links of its own; members who
// voted get none.
func TestPollReminderByEmail(t *testing.T) {
	e, _ := newVoteEnv(t)
	e.emailOnly("Marie Tremblay", "marie@example.qc.ca", "fr")
	jean := e.emailOnly("Jean Roy", "jean@example.on.ca", "en")
	p := e.CreatePoll(`"Theme for June? / Thème de juin ?" "A" "B" --closes 2d --remind 1d`)
	if err := e.runPollJob(p.ID); err != nil {
		t.Fatal(err)
	}
	jl := links(t, e.sentTo("jean@example.on.ca")[0])
	hasPage(t, "Jean votes", e.f.CastVote(context.Background(), jl[0].token, []int64{jl[0].option}), http.StatusOK, "is recorded", "est enregistré")
	for range 2 { // run again after a restart: nothing more
		if due := e.runJob("email-poll-remind:" + itoa(p.ID) + ":"); !due.Equal(p.ClosesAt.Add(-24 * time.Hour)) {
			t.Fatalf("the reminder is due %v, want a day before %v", due, p.ClosesAt)
		}
		e.Reopen()
	}
	marie := e.sentTo("marie@example.qc.ca")
	if n := len(e.sentTo("jean@example.on.ca")); n != 1 || len(marie) != 2 {
		t.Fatalf("Jean got %d messages (want only the invitation: he voted), Marie %d (want the invitation and one reminder)", n, len(marie))
	}
	r := marie[1]
	if !strings.HasPrefix(r.Subject, "Rappel\u00a0: le sondage nº\u00a01 ferme le ") || r.Key != pollRemindKey(p.ID, keyMember(marie[0].Key)) {
		t.Errorf("reminder subject %q key %q", r.Subject, r.Key)
	}
	text := handlers.Unmark(bodyText(r.Body))
	if !strings.Contains(text, "Vous n’avez pas encore voté") || strings.Contains(text, "Theme for June") {
		t.Errorf("reminder text:\n%s", text)
	}
	rl, il := links(t, r), links(t, marie[0])
	if len(rl) != 2 || rl[0].token == il[0].token {
		t.Fatalf("reminder links %+v: want fresh ones for both options", rl)
	}
	for _, l := range []voteLink{il[1], rl[0]} { // the invitation's link still works too
		hasPage(t, "Marie votes", e.f.CastVote(context.Background(), l.token, []int64{l.option}), http.StatusOK, "is recorded", "est enregistré")
	}
	if c := e.choices(p, jean); len(c) != 1 {
		t.Errorf("Jean's choices %v", c)
	}
}
