package privacy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/handlers/handlerstest"
	"copbot/handlers/privacy"
	"copbot/storage"
)

// t0 is Monday 1 February 2027, 10:00 in Toronto.
var t0 = time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)

var (
	ann  = handlerstest.User("ann")
	jean = handlerstest.User("jean")
	zoe  = handlerstest.User("zoe") // never joined
)

// env is every feature at t0 (privacy with retention months), with Ann
// (English) and Jean (French) members; Ann voted in poll 1 and answered
// meeting 1.
func env(t *testing.T, retention int) (*handlerstest.Env, *storage.Poll) {
	t.Helper()
	e := handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(t0),
		Install: func(s *handlers.Service) { features.Install(s, features.Options{Privacy: featuresPrivacy(retention)}) }})
	for _, step := range []struct {
		who  storage.Identity
		text string
	}{
		{ann, "join Ann Lee | ServiceOntario | provincial | ON | Director | ann@ontario.ca"},
		{jean, "rejoindre Jean Roy | Ville de Québec | municipal | QC | Chef | jean@quebec.ca | fr"},
	} {
		if r := e.Ask(step.who, step.text); r.Kind != "joined" {
			t.Fatalf("%s: %s %s", step.text, r.Kind, r.Text)
		}
	}
	p := e.CreatePoll(`"Theme for March?" "Accessibility" "Chatbots"`)
	e.Vote(ann, p, 2)
	m := e.AddMeeting(t0.Add(30 * 24 * time.Hour))
	if r := e.Ask(ann, fmt.Sprintf("attend %d", m.ID)); r.Kind != "rsvp" {
		t.Fatalf("attend: %s %s", r.Kind, r.Text)
	}
	return e, p
}

// tally is option n's count in poll id.
func tally(t *testing.T, e *handlerstest.Env, id int64, n int) int {
	t.Helper()
	p, err := e.DB.PollByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Options[n-1].Votes
}

func isMember(t *testing.T, e *handlerstest.Env, id storage.Identity) bool {
	t.Helper()
	c, err := e.DB.CallerByIdentity(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Member != nil || c.Former != nil
}

// "forget me" shows what it erases and erases nothing until confirmed;
// "yes" erases the person, their vote staying counted.
func TestForgetMeAfterYes(t *testing.T) {
	e, p := env(t, 0)
	r := e.Ask(ann, "forget me")
	handlerstest.Has(t, r, "Erase everything copbot holds about you?", "your profile (Ann Lee)", "your platform id",
		"your answer to 1 meeting", "the link between you and your vote in 1 poll", "Your votes stay counted", "type `yes`")
	if r.Visibility != handlers.Ephemeral {
		t.Errorf("the prompt is visible to the channel")
	}
	if !isMember(t, e, ann) {
		t.Fatal("erased before any confirmation")
	}
	if r := e.Ask(ann, "yes"); r.Kind != "forgotten" {
		t.Fatalf("yes: %s %s", r.Kind, r.Text)
	}
	if isMember(t, e, ann) {
		t.Error("Ann is still held after forget me")
	}
	if got := tally(t, e, p.ID, 2); got != 1 {
		t.Errorf("Ann's vote: option 2 has %d votes, want 1 (kept, anonymously)", got)
	}
	if who := e.Ask(jean, "qui Ontario"); strings.Contains(who.Text, "Ann") {
		t.Errorf("the directory still shows Ann:\n%s", who.Text)
	}
	if d, err := e.DB.PersonData(context.Background(), ann); err != nil || d.Member != nil || len(d.Ballots)+len(d.RSVPs) != 0 {
		t.Errorf("after forget me, PersonData: %+v %v", d, err)
	}
	if r := e.Ask(ann, "forget me"); r.Kind != "forget_nothing" {
		t.Errorf("forget me again: %s %s", r.Kind, r.Text)
	}
}

// The French command, the button, and what does not erase: "non", Cancel,
// an expired button, a button shown to someone else, and anything but a
// bare yes.
func TestForgetMeConfirmations(t *testing.T) {
	e, _ := env(t, 0)
	r := e.Ask(jean, "oublier moi")
	handlerstest.Has(t, r, "Effacer tout ce que copbot détient à votre sujet", "votre profil (Jean Roy)", "tapez `oui`")
	if r := e.Ask(jean, "non"); r.Kind != "forget_cancelled" || !isMember(t, e, jean) {
		t.Fatalf("non: %s %s", r.Kind, r.Text)
	}
	r = e.Ask(jean, "oubliez-moi")
	var confirm handlers.Button
	for _, b := range handlerstest.Buttons(r) {
		if b.ActionID == "forget_confirm" {
			confirm = b
		}
	}
	if confirm.Value == "" {
		t.Fatalf("no confirm button: %+v", handlerstest.Buttons(r))
	}
	if r := e.Click(ann, "forget_confirm", confirm.Value); r.Kind != "error" || !isMember(t, e, ann) || !isMember(t, e, jean) {
		t.Fatalf("someone else clicked Jean's button: %s %s", r.Kind, r.Text)
	}
	if r := e.Ask(jean, "peut-être"); !isMember(t, e, jean) {
		t.Fatalf("an unrelated answer erased Jean: %s", r.Text)
	}
	e.Clock.Add(11 * time.Minute)
	if r := e.Click(jean, "forget_confirm", confirm.Value); r.Kind != "error" || !strings.Contains(r.Text, "expiré") || !isMember(t, e, jean) {
		t.Fatalf("expired button: %s %s", r.Kind, r.Text)
	}
	if r := e.Ask(jean, "oui"); r.Kind == "forgotten" || !isMember(t, e, jean) {
		t.Fatalf("a late oui erased Jean: %s %s", r.Kind, r.Text)
	}
	if r := e.Ask(jean, "oublier moi"); r.Kind != "confirm" {
		t.Fatalf("oublier moi: %s %s", r.Kind, r.Text)
	}
	if r := e.Click(jean, "forget_cancel", ""); r.Kind != "forget_cancelled" || !isMember(t, e, jean) {
		t.Fatalf("cancel: %s %s", r.Kind, r.Text)
	}
	r = e.Ask(jean, "oublier moi")
	for _, b := range handlerstest.Buttons(r) {
		if b.ActionID == "forget_confirm" {
			confirm = b
		}
	}
	if r := e.Click(jean, "forget_confirm", confirm.Value); r.Kind != "forgotten" || isMember(t, e, jean) {
		t.Fatalf("button: %s %s", r.Kind, r.Text)
	}
	if r := e.Ask(zoe, "forget me"); r.Kind != "forget_nothing" {
		t.Errorf("a visitor: %s %s", r.Kind, r.Text)
	}
	if r := e.Ask(ann, "forget everyone"); r.Kind != "error" || !strings.Contains(r.Text, "forget me") || !isMember(t, e, ann) {
		t.Errorf("forget everyone: %s %s", r.Kind, r.Text)
	}
}

// "my data" answers privately with a file holding everything about the
// person, in their language; nothing goes to the channel.
func TestMyData(t *testing.T) {
	e, _ := env(t, 0)
	posts := len(e.Fake().Posts(""))
	r := e.Ask(ann, "my data")
	if r.Visibility != handlers.Ephemeral || r.File == nil {
		t.Fatalf("my data: %s %v file %v", r.Kind, r.Visibility, r.File)
	}
	handlerstest.Has(t, r, "Everything copbot holds about you", "your profile", "1 vote", "1 meeting answer")
	file := string(r.File.Data)
	for _, want := range []string{"Ann Lee", "ann@ontario.ca", "ServiceOntario", "Ontario", "Director", "console:ann",
		"Poll #1 “Theme for March?”", "“Chatbots”", "Quarterly meeting", "attending", "joined"} {
		if !strings.Contains(file, want) {
			t.Errorf("the file lacks %q:\n%s", want, file)
		}
	}
	if strings.Contains(file, "Jean") || strings.Contains(file, "jean@") {
		t.Errorf("Ann's file names someone else:\n%s", file)
	}
	if !strings.HasSuffix(r.File.Name, ".en.txt") || !strings.HasPrefix(r.File.MIME, "text/plain") {
		t.Errorf("file %s %s", r.File.Name, r.File.MIME)
	}
	fr := e.Ask(jean, "mes données")
	if fr.File == nil || !strings.Contains(string(fr.File.Data), "Profil") || !strings.Contains(fr.Text, "Tout ce que copbot") {
		t.Errorf("mes données: %s", fr.Text)
	}
	if r := e.Ask(zoe, "my data"); r.Kind != "mydata_nothing" || r.File != nil {
		t.Errorf("a visitor: %s %s", r.Kind, r.Text)
	}
	if n := len(e.Fake().Posts("")); n != posts {
		t.Errorf("%d posts to the channel", n-posts)
	}
}

func featuresPrivacy(months int) privacy.Options { return privacy.Options{RetentionMonths: months} }

func privacyValidate(months int) error {
	return privacy.ValidateOptions(privacy.Options{RetentionMonths: months})
}
