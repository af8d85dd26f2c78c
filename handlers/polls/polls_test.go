package polls

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

func TestPollCreatePostsAndRecords(t *testing.T) {
	e := newPtEnv(t)
	p := e.create(`"Theme for March?" "Accessibility technology in contact centres" "Serving vulnerable communities" --closes 7d`)
	posts := e.fake.Posts("poll")
	if len(posts) != 1 {
		t.Fatalf("%d poll posts, want 1", len(posts))
	}
	card := posts[0]
	ptHas(t, card, "Theme for March?", "1. Accessibility technology in contact centres", "0 votes",
		"Poll #1", "No votes yet (0 active members)", "Aucun vote pour l’instant", "Closes ", "Fermeture")
	var values []string
	for _, b := range ptButtons(card) {
		values = append(values, b.ActionID+"="+b.Value)
	}
	want := []string{"poll_vote=" + voteValue(p, 1), "poll_vote=" + voteValue(p, 2)}
	if !slices.Equal(values, want) {
		t.Errorf("buttons = %v, want %v", values, want)
	}
	refs, err := e.db.PollMessages(context.Background(), p.ID)
	if err != nil || len(refs) != 1 || refs[0].Channel != "C0COP" {
		t.Errorf("PollMessages = %v, %v", refs, err)
	}
	if p.Creator != ptCoordinator || p.Language != "en" || p.ClosesAt.IsZero() {
		t.Errorf("poll = %+v", p)
	}
	if e.Replans() != 1 {
		t.Errorf("replan called %d times, want 1 (a deadline was set)", e.Replans())
	}
}

func TestPollCreateRefusedChangesNothing(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Marie Tremblay", "fr")
	tests := []struct {
		who  storage.Identity
		line string
		want string
	}{
		{ptUser("m1"), `sondage "Thème ?" "A" "B"`, "l’équipe de coordination"},
		{ptCoordinator, `poll "Theme?" "Only one"`, "A poll takes 2 to 10 options; this one would have 1."},
		{ptCoordinator, `poll "Theme?" "Wellness" "wellness"`, "repeats option 1"},
		{ptCoordinator, `poll "Theme?" "A" "B" --closes yesterday`, "I can’t read the closing time “yesterday”"},
		{ptCoordinator, `poll "Theme?" "A" "B" --votes 3`, "between 1 and the number of options (2), not 3"},
		{ptCoordinator, `poll "Theme?" "A" "B" --meeting 99`, "There is no meeting 99."},
		{ptCoordinator, `poll "Theme?" "A" "B" --colour red`, "Unknown flag --colour"},
		{ptCoordinator, `poll close`, "Which poll?"},
	}
	for _, tt := range tests {
		r := e.ask(tt.who, tt.line)
		if r.Kind != "error" || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s: %s %q, want error with %q", tt.line, r.Kind, r.Text, tt.want)
		}
	}
	e.fake.FailNext(-1, errPtDown, false)
	r := e.ask(ptCoordinator, `poll "Theme?" "A" "B"`)
	ptHas(t, r, "could not be posted", "nothing was saved")
	if polls, _ := e.db.FindPolls(context.Background(), storage.PollFilter{}); len(polls) != 0 {
		t.Errorf("%d polls stored after refusals", len(polls))
	}
	if n := len(e.fake.Posts("poll")); n != 0 {
		t.Errorf("%d polls posted after refusals", n)
	}
}

func TestPollVoteClicks(t *testing.T) {
	e := newPtEnv(t)
	m1, m2 := ptUser("m1"), ptUser("m2")
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme for March?" "Accessibility technology" "Serving vulnerable communities"`)
	id := fmt.Sprint(p.ID)
	steps := []struct {
		who   storage.Identity
		value string // "unvote …": typed instead of clicked
		want  string
		votes []int
	}{
		{m1, voteValue(p, 1), "Your vote for “Accessibility technology” is recorded. To take it back: `/cop unvote " + id + " 1`.", []int{1, 0}},
		// The same click again, or Slack delivering it again, never toggles.
		{m1, voteValue(p, 1), "You already voted for “Accessibility technology”: nothing changed.", []int{1, 0}},
		{m1, "unvote " + id + " 1", "You took back your vote for “Accessibility technology”.", []int{0, 0}},
		{m1, "unvote " + id + " 1", "You had not voted for “Accessibility technology”: nothing changed.", []int{0, 0}},
		{m1, voteValue(p, 2), "Your vote for “Serving vulnerable communities” is recorded.", []int{0, 1}},
		{m1, voteValue(p, 1), "Your vote moved to “Accessibility technology”. To take it back: `/cop unvote " + id + " 1`.", []int{1, 0}},
		{m2, voteValue(p, 2), "Votre vote pour «" + nbsp + "Serving vulnerable communities" + nbsp + "» est enregistré. Pour le retirer" + nbsp + ": `/cop retirer-vote " + id + " 2`.", []int{1, 1}},
		{m2, voteValue(p, 2), "Vous avez déjà voté pour «" + nbsp + "Serving vulnerable communities" + nbsp + "»" + nbsp + ": rien n’a changé.", []int{1, 1}},
	}
	for i, s := range steps {
		var r handlers.Reply
		if strings.HasPrefix(s.value, "unvote ") {
			r = e.ask(s.who, s.value)
		} else {
			r = e.click(s.who, "poll_vote", s.value)
		}
		if r.Kind != "poll_vote" || r.Visibility != handlers.Ephemeral {
			t.Fatalf("step %d: %s %v %q", i, r.Kind, r.Visibility, r.Text)
		}
		ptHas(t, r, s.want)
		if got := pollVotesOf(e.poll(p.ID)); !slices.Equal(got, s.votes) {
			t.Errorf("step %d: tally %v, want %v", i, got, s.votes)
		}
		// Text only: Teams answers a click in a channel in its invoke
		// response, which shows no buttons.
		if b := ptButtons(r); len(b) != 0 {
			t.Errorf("step %d: buttons %+v in a vote's answer", i, b)
		}
	}
	r := e.click(ptUser("stranger"), "poll_vote", voteValue(p, 1))
	ptHas(t, r, "Only Community members can vote. Join with /cop join")
	if b := ptButtons(r); len(b) != 1 || b[0].ActionID != "signup_open" {
		t.Errorf("non-member buttons = %v, want signup_open", b)
	}
	for _, bad := range []string{"x", fmt.Sprintf("%d:999", p.ID), "999:1"} {
		if r := e.click(m1, "poll_vote", bad); r.Kind != "error" {
			t.Errorf("value %q: %s %q", bad, r.Kind, r.Text)
		}
	}
	if got := pollVotesOf(e.poll(p.ID)); !slices.Equal(got, []int{1, 1}) {
		t.Errorf("bad clicks changed the tally: %v", got)
	}
}

func TestPollVoteCommand(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "A" "B" "C" --votes 2`)
	id := fmt.Sprint(p.ID)
	tests := []struct {
		who  string
		line string
		want string
	}{
		{"m1", "vote " + id + " 1", "You can choose 1 more option (1 of 2 used)."},
		{"m1", "vote " + id + " 3", "You have used all 2 of your choices; to choose another, first take one back: `/cop unvote " + id + " NUMBER`."},
		{"m1", "vote " + id + " 3", "You already voted for “C”: nothing changed."},
		{"m1", "vote " + id + " 2", "You already have the most choices this poll allows (2). Take one back"},
		{"m1", "unvote " + id + " 3", "You took back your vote for “C”."},
		{"m1", "unvote " + id + " 3", "You had not voted for “C”: nothing changed."},
		{"m1", "unvote " + id + " 9", "Poll " + id + " has options 1 to 3; “9” is not one of them."},
		{"m1", "unvote", "Write /cop unvote POLL NUMBER"},
		{"m1", "vote " + id + " 3", "Your vote for “C” is recorded. To take it back: `/cop unvote " + id + " 3`."},
		{"m2", "retirer-vote " + id, "Vous n’avez aucun vote à retirer au sondage nº" + nbsp + id + "."},
		{"m1", "vote " + id + " 9", "Poll " + id + " has options 1 to 3; “9” is not one of them."},
		{"m1", "vote " + id, "Write /cop vote POLL NUMBER"},
		{"m2", "voter " + id + " 2 3", "Vos choix sont enregistrés" + nbsp + ": «" + nbsp + "B" + nbsp + "» et «" + nbsp + "C" + nbsp + "»."},
		{"m2", "voter " + id + " 1 2 3", "nombre maximal de choix permis par ce sondage (2)"},
		{"m1", "vote 77 1", "There is no poll 77."},
	}
	for _, tt := range tests {
		ptHas(t, e.ask(ptUser(tt.who), tt.line), tt.want)
	}
	if got := pollVotesOf(e.poll(p.ID)); !slices.Equal(got, []int{1, 1, 2}) {
		t.Errorf("tally = %v, want [1 1 2]", got)
	}
	ptHas(t, e.ask(ptUser("m2"), "retirer-vote "+id), "Vous avez retiré vos votes au sondage nº"+nbsp+id+".")
	if got := pollVotesOf(e.poll(p.ID)); !slices.Equal(got, []int{1, 0, 1}) {
		t.Errorf("tally after taking back all = %v, want [1 0 1]", got)
	}
}

func TestPollAnonymous(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	single := e.create(`"Theme?" "A" "B" --anonymous`)
	ptHas(t, e.fake.Posts("poll")[0], "Anonymous: nobody, not even copbot, can tell who chose what")
	ptHas(t, e.click(ptUser("m1"), "poll_vote", voteValue(single, 1)), "Your anonymous vote is recorded. It is final")
	ptHas(t, e.click(ptUser("m1"), "poll_vote", voteValue(single, 2)), "You already voted in anonymous poll")
	ptHas(t, e.ask(ptUser("m1"), fmt.Sprintf("poll %d", single.ID)), "You voted. The poll is anonymous")

	multi := e.create(`"Theme?" "A" "B" "C" --anonymous --votes 2`)
	card := e.fake.Posts("poll")[1]
	if b := ptButtons(card); len(b) != 1 || b[0].ActionID != "poll_ballot" {
		t.Fatalf("anonymous multiple-choice buttons = %v, want one poll_ballot", b)
	}
	form := e.click(ptUser("m2"), "poll_ballot", fmt.Sprint(multi.ID))
	if form.Form == nil || form.Form.ID != "poll_ballot" || len(form.Form.Fields) != 2 || form.Form.State != fmt.Sprint(multi.ID) {
		t.Fatalf("ballot form = %+v", form.Form)
	}
	req := handlers.Request{Identity: ptUser("m2")}
	r, errs := e.s.Submit(context.Background(), req, "poll_ballot", form.Form.State, map[string]string{"choice1": "1", "choice2": "1"})
	if errs["choice1"] == "" {
		t.Errorf("duplicate ballot accepted: %s %q", r.Kind, r.Text)
	}
	r, errs = e.s.Submit(context.Background(), req, "poll_ballot", form.Form.State, map[string]string{"choice1": "1", "choice2": "3"})
	if len(errs) != 0 || r.Kind != "poll_vote" {
		t.Fatalf("ballot: %s %q %v", r.Kind, r.Text, errs)
	}
	ptHas(t, r, "Votre vote anonyme est enregistré.")
	if got := pollVotesOf(e.poll(multi.ID)); !slices.Equal(got, []int{1, 0, 1}) {
		t.Errorf("tally = %v", got)
	}
	// The creator (a coordinator) sees who voted, never who chose what.
	if r := e.ask(ptCoordinator, fmt.Sprintf("poll export %d", multi.ID)); r.File == nil || !bytes.Contains(r.File.Data, []byte("total")) {
		t.Errorf("export %q has no CSV file of totals", r.Text)
	}
	if d := e.ask(ptCoordinator, fmt.Sprintf("poll %d", multi.ID)); strings.Contains(d.Text, "Who chose what") {
		t.Errorf("anonymous poll shows who chose what:\n%s", d.Text)
	}
}

func TestPollManage(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	member := ptUser("m1")
	p := e.create(`"Theme?" "A" "B"`)
	id := fmt.Sprint(p.ID)
	steps := []struct {
		who  storage.Identity
		line string
		want string
	}{
		{member, "poll close " + id, "Only the creator of poll " + id + " or a coordinator can do that."},
		{ptCoordinator, "poll edit " + id + ` "Theme for June?" "Wellness" "Digital identity"`, "Poll #" + id + " is updated."},
		{member, "poll add-option " + id + ` "AI"`, "does not take options from members"},
		{ptCoordinator, "poll edit " + id + " --open-options", "is updated"},
		{member, "poll add-option " + id + ` "AI in contact centres"`, "Option 3, “AI in contact centres”, is added to poll #" + id},
		{member, "vote " + id + " 3", "Your vote for “AI in contact centres” is recorded."},
		{ptCoordinator, "poll edit " + id + ` "Changed?"`, "already has votes"},
		{ptCoordinator, "poll edit " + id, "Nothing to change."},
		{ptCoordinator, "poll edit " + id + " --closes 3d", "is updated"},
		{ptCoordinator, "poll close " + id, "Poll #" + id + " is closed and its result is posted."},
		{ptCoordinator, "poll close " + id, "Poll " + id + " is already closed."},
		{member, "vote " + id + " 1", "Poll " + id + " is closed"},
		{ptCoordinator, "poll reopen " + id, "Poll #" + id + " is open again, with its deadline kept: it closes "},
		{member, "vote " + id + " 1", "Your vote moved to “Wellness”."},
		{ptCoordinator, "polls", "#" + id + " Theme for June? — 1 of 1 member voted"},
		{member, "poll delete " + id, "Only coordinators"},
		{ptCoordinator, "poll delete " + id, "Poll #" + id + " is deleted."},
		{ptCoordinator, "polls", "No poll is open right now."},
	}
	for i, s := range steps {
		ptHas(t, e.ask(s.who, s.line), s.want)
		if t.Failed() {
			t.Fatalf("step %d failed", i)
		}
	}
	results := e.fake.Posts("poll_result")
	if len(results) != 1 {
		t.Fatalf("%d result posts, want 1", len(results))
	}
	ptHas(t, results[0], "Poll #"+id+" results", "Result: “AI in contact centres” wins with 1 vote (100% of voters).",
		"Résultats du sondage nº"+nbsp+id, "l’emporte avec 1 voix")
	e.s.Close()
	ups := e.fake.Updates()
	if len(ups) == 0 || !strings.Contains(ups[len(ups)-1].Reply.Text, "was deleted by a coordinator") {
		t.Errorf("last update is not the deletion notice: %d updates", len(ups))
	}
}

func TestPollExportCSV(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "=HYPERLINK(\"x\")", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "+1 idea" "Wellness"`)
	e.ask(ptUser("m1"), fmt.Sprintf("vote %d 1", p.ID))
	e.ask(ptUser("m2"), fmt.Sprintf("vote %d 1", p.ID))
	var b strings.Builder
	if err := e.f.ExportPoll(context.Background(), p.ID, &b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], pollExportHeader) {
		t.Fatalf("rows = %q", rows)
	}
	want := [][]string{
		{"total", fmt.Sprint(p.ID), "Theme?", "open", "1", "'+1 idea", "2", "100", "2", "", "", "", "", ""},
		{"total", fmt.Sprint(p.ID), "Theme?", "open", "2", "Wellness", "0", "0", "2", "", "", "", "", ""},
	}
	for i, w := range want {
		if !slices.Equal(rows[i+1], w) {
			t.Errorf("row %d = %q, want %q", i+1, rows[i+1], w)
		}
	}
	var names []string
	for _, r := range rows[3:] {
		if r[0] != "vote" || r[5] != "'+1 idea" {
			t.Errorf("vote row = %q", r)
		}
		names = append(names, r[10])
	}
	slices.Sort(names)
	if want := []string{"'=HYPERLINK(\"x\")", "Marie Tremblay"}; !slices.Equal(names, want) {
		t.Errorf("voters = %q, want %q", names, want)
	}
	anon := e.create(`"Secret?" "A" "B" --anonymous`)
	e.ask(ptUser("m1"), fmt.Sprintf("vote %d 1", anon.ID))
	b.Reset()
	if err := e.f.ExportPoll(context.Background(), anon.ID, &b); err != nil {
		t.Fatal(err)
	}
	if rows, _ := csv.NewReader(strings.NewReader(b.String())).ReadAll(); len(rows) != 3 {
		t.Errorf("anonymous export has %d rows, want header and 2 totals:\n%s", len(rows), b.String())
	}
	ptHas(t, e.ask(ptUser("m1"), fmt.Sprintf("poll export %d", p.ID)), "Only the creator")
}

func TestPollForm(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Alex Martin", "en")
	r := e.ask(ptCoordinator, "poll")
	if r.Form == nil || r.Form.ID != "poll_create" {
		t.Fatalf("poll with no arguments = %+v", r)
	}
	ptHas(t, r, `/cop poll "Question?" "Option 1" "Option 2"`)
	if r := e.ask(ptUser("m1"), "poll"); r.Form != nil || r.Kind != "polls" {
		t.Errorf("member's bare poll = %s with form %v", r.Kind, r.Form)
	}
	req := handlers.Request{Identity: ptCoordinator}
	tests := []struct {
		values map[string]string
		field  string
	}{
		{map[string]string{"question": "", "options": "A\nB"}, "question"},
		{map[string]string{"question": "Q?", "options": "Only one"}, "options"},
		{map[string]string{"question": "Q?", "options": "A\nB", "closes": "soon"}, "closes"},
		{map[string]string{"question": "Q?", "options": "A\nB", "votes": "3"}, "votes"},
		{map[string]string{"question": "Q?", "options": "A\nB", "remind": "24h"}, "remind"},
	}
	for _, tt := range tests {
		_, errs := e.s.Submit(context.Background(), req, "poll_create", "", tt.values)
		if errs[tt.field] == "" {
			t.Errorf("Submit(%v) errors = %v, want one on %s", tt.values, errs, tt.field)
		}
	}
	if polls, _ := e.db.FindPolls(context.Background(), storage.PollFilter{}); len(polls) != 0 {
		t.Fatalf("refused forms stored %d polls", len(polls))
	}
	r, errs := e.s.Submit(context.Background(), req, "poll_create", "", map[string]string{"question": "Theme?",
		"options": "- Accessibility\r\n- Wellness\n\n", "votes": "2", "anonymous": "yes", "closes": "7d", "remind": "1d"})
	if len(errs) != 0 || r.Kind != "poll_created" {
		t.Fatalf("Submit = %s %q %v", r.Kind, r.Text, errs)
	}
	p := e.poll(1)
	if p.MaxVotes != 2 || !p.Anonymous || p.RemindBefore != 24*time.Hour || len(p.Options) != 2 || p.Options[0].Label != "Accessibility" {
		t.Errorf("form poll = %+v", p)
	}
	if _, errs := e.s.Submit(context.Background(), handlers.Request{Identity: ptUser("m1")}, "poll_create", "", map[string]string{}); errs != nil {
		t.Errorf("member submit errs = %v", errs)
	}
}

func TestPollHomeBlocks(t *testing.T) {
	e := newPtEnv(t)
	e.join("m1", "Marie Tremblay", "fr")
	home := func() handlers.Reply {
		return handlers.UnmarkReply(e.s.Home(context.Background(), handlers.Request{Identity: ptUser("m1")}))
	}
	if text := home().Text; strings.Contains(text, "Sondages en cours") {
		t.Errorf("no polls, yet the home lists some:\n%s", text)
	}
	p := e.create(`"Thème ?" "A" "B" --closes 2d`)
	r := home()
	text, blocks := r.Text, r.Blocks
	for _, want := range []string{"Sondages en cours", "nº" + nbsp + fmt.Sprint(p.ID) + " Thème ?", "Fermeture" + nbsp + ":"} {
		if !strings.Contains(text, want) {
			t.Errorf("home blocks lack %q:\n%s", want, text)
		}
	}
	var show bool
	for _, b := range blocks {
		if a, ok := b.(handlers.Actions); ok && a.Buttons[0].ActionID == "poll_show" && a.Buttons[0].Value == fmt.Sprint(p.ID) {
			show = true
		}
	}
	if !show {
		t.Error("no Show button")
	}
	if r := e.click(ptUser("m1"), "poll_show", fmt.Sprint(p.ID)); r.Kind != "poll" || len(ptButtons(r)) != 2 {
		t.Errorf("poll_show = %s with %d buttons", r.Kind, len(ptButtons(r)))
	}
}

// TestPollExportIsAFile: `poll export` hands the CSV over as a file, to the
// person who asked, with every vote row; the message only names it.
func TestPollExportIsAFile(t *testing.T) {
	e := newPtEnv(t)
	p := e.create(`"Theme?" "A" "B"`)
	for i := range 200 {
		id := fmt.Sprintf("v%03d", i)
		e.join(id, fmt.Sprintf("Voter %03d", i), "en")
		e.ask(ptUser(id), fmt.Sprintf("vote %d %d", p.ID, i%2+1))
	}
	r := e.ask(ptCoordinator, fmt.Sprintf("poll export %d", p.ID))
	if r.File == nil || r.File.Name != fmt.Sprintf("copbot-poll-%d.csv", p.ID) || !strings.HasPrefix(r.File.MIME, "text/csv") {
		t.Fatalf("export reply %s %q has file %+v", r.Kind, r.Text, r.File)
	}
	if r.Visibility != handlers.Ephemeral || len(r.Text) > 300 || strings.Contains(r.Text, "Voter 000") {
		t.Errorf("the message must only name the file, to the asker: %q", r.Text)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.File.Data)).ReadAll()
	if err != nil || len(rows) != 1+2+200 {
		t.Fatalf("%d rows (%v), want the header, 2 totals and 200 votes", len(rows), err)
	}
	ptHas(t, r, "202 rows") // the 2 totals and the 200 votes
}

// TestPollCardShowsLongTextWhole: a question longer than a title takes goes
// whole in a section under a short header, and options too long for a
// button with their number get buttons with their number alone, each
// option written out whole on the card. Nothing is cut.
func TestPollCardShowsLongTextWhole(t *testing.T) {
	e := newPtEnv(t)
	question := strings.Repeat("Which of these long themes should the March meeting take up? ", 5)[:storage.PollMaxQuestionLen-1] + "?"
	long := strings.Repeat("o", storage.PollMaxOptionLen-2) + "A"
	p := e.create(fmt.Sprintf("%q %q %q", question, long, "Short"))
	card := handlers.UnmarkReply(e.f.pollCard(e.poll(p.ID), pollView{}))
	head, ok := card.Blocks[0].(handlers.Header)
	if !ok || utf8.RuneCountInString(head.Text) > handlers.MaxTitle || !strings.Contains(head.Text, fmt.Sprint(p.ID)) {
		t.Fatalf("first block %+v, want a short header naming the poll", card.Blocks[0])
	}
	if s, ok := card.Blocks[1].(handlers.Section); !ok || s.Text != question {
		t.Errorf("second block %+v, want the whole question", card.Blocks[1])
	}
	var labels []string
	for _, b := range ptButtons(card) {
		if b.ActionID == "poll_vote" {
			labels = append(labels, b.Label)
		}
	}
	if !slices.Equal(labels, []string{"1", "2"}) {
		t.Errorf("vote buttons %q, want the numbers", labels)
	}
	ptHas(t, card, "1. "+long, "2. Short")
	short := e.create(`"Theme?" "Accessibility" "Outreach"`)
	labels = nil
	for _, b := range ptButtons(handlers.UnmarkReply(e.f.pollCard(e.poll(short.ID), pollView{}))) {
		labels = append(labels, b.Label)
	}
	if !slices.Equal(labels, []string{"1. Accessibility", "2. Outreach"}) {
		t.Errorf("buttons %q, want number and text when they fit", labels)
	}
}

// TestPollVoteLineFollowsItsInputs: the confirmation's first line, kept
// once rendered (votelines.go), is always the one of this poll, option
// label, number and reader's language: a renamed option, another poll with
// the same labels and a French reader each get their own.
func TestPollVoteLineFollowsItsInputs(t *testing.T) {
	e := newPtEnv(t)
	m1, m2 := ptUser("m1"), ptUser("m2")
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "Wellness" "Chatbots"`)
	q := e.create(`"Theme again?" "Wellness" "Chatbots"`)
	want := func(p *storage.Poll, label string, n int) string {
		return fmt.Sprintf("Your vote for “%s” is recorded. To take it back: `/cop unvote %d %d`.", label, p.ID, n)
	}
	ptHas(t, e.click(m1, "poll_vote", voteValue(p, 1)), want(p, "Wellness", 1))
	ptHas(t, e.click(m1, "poll_vote", voteValue(q, 1)), want(q, "Wellness", 1))
	ptHas(t, e.click(m2, "poll_vote", voteValue(p, 1)), "Votre vote pour «"+nbsp+"Wellness"+nbsp+"» est enregistré",
		fmt.Sprintf("retirer-vote %d 1", p.ID))

	for _, who := range []storage.Identity{m1, m2} {
		e.ask(who, fmt.Sprintf("unvote %d", p.ID))
	}
	if _, err := e.db.UpdatePoll(context.Background(), p.ID, storage.PollUpdate{Options: []string{"Wellness at work", "Chatbots"}}); err != nil {
		t.Fatal(err)
	}
	p = e.poll(p.ID)
	ptHas(t, e.click(m1, "poll_vote", voteValue(p, 1)), want(p, "Wellness at work", 1))
	ptHas(t, e.click(m1, "poll_vote", voteValue(p, 2)), "Your vote moved to “Chatbots”. To take it back: `/cop unvote "+
		fmt.Sprint(p.ID)+" 2`.")
	r := e.click(m1, "poll_vote", voteValue(p, 2))
	ptHas(t, r, "You already voted for “Chatbots”: nothing changed.")
}
