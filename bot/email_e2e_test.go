package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/bot/emailbot/smtptest"
	"copbot/storage"
)

var emailT0 = time.Date(2031, 3, 12, 15, 0, 0, 0, time.UTC)

// newEmailE2E is a bot serving Slack and email (a real SMTP server on
// loopback, STARTTLS and a login), on a clock the test moves, with the
// roster: Marie (French, email only), Jean (English, email only), Ann
// (English, on Slack, with an address) and Bob (on Slack, no address).
func newEmailE2E(t *testing.T) (*e2eBot, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t, smtptest.Options{User: "copbot", Pass: "s3cret"})
	e := newE2E(t, "1h")
	e.cfg.Email = EmailConfig{SMTP: srv.Addr, TLS: "starttls", Username: "copbot", Password: "s3cret",
		From: "CoP Secretariat <cop@example.gc.ca>"}
	e.cfg.HTTP.PublicURL = "https://copbot.example.gc.ca"
	if err := e.cfg.validate(); err != nil {
		t.Fatal(err)
	}
	e.emailTLS = srv.ClientTLS
	e.useClock(emailT0)
	e.start()
	row := func(name, email, lang, slack string) storage.MemberInput {
		return storage.MemberInput{Name: name, Email: email, Organization: "Org " + name, Order: storage.OrderProvincial,
			Jurisdiction: "ON", Language: lang, SlackID: slack}
	}
	if _, err := e.app.Store.ImportMembers(context.Background(), []storage.MemberInput{
		row("Marie Tremblay", "marie@example.qc.ca", "fr", ""), row("Jean Roy", "jean@example.on.ca", "en", ""),
		row("Ann Lee", "ann@example.gc.ca", "en", "UANN"), row("Bob Smith", "", "en", "UBOB"),
	}); err != nil {
		t.Fatal(err)
	}
	return e, srv
}

// mailTo is what srv accepted for addr, read back, in order.
func mailTo(t *testing.T, srv *smtptest.Server, addr string) []*smtptest.Message {
	t.Helper()
	var out []*smtptest.Message
	for _, r := range srv.Received() {
		if len(r.To) == 1 && r.To[0] == addr && !r.Dropped {
			m, err := r.Parse()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
	}
	return out
}

func calendarOf(t *testing.T, m *smtptest.Message) string {
	t.Helper()
	return smtptest.Unfolded(m.Parts["text/calendar"])
}

func TestEmailInvitationsUpdatesCancellationsOnce(t *testing.T) {
	e, srv := newEmailE2E(t)
	if code, body := e.slash("UANN", "preferences email on", e2eSecret); code != 200 || !strings.Contains(body, "ann@example.gc.ca") {
		t.Fatalf("preferences email on = %d %s", code, body)
	}
	start := e.addMeeting(emailT0.Add(3 * time.Hour))
	e.settle()

	marie := mailTo(t, srv, "marie@example.qc.ca")
	if len(marie) != 1 {
		t.Fatalf("Marie got %d messages, want her invitation", len(marie))
	}
	m := marie[0]
	if !strings.HasPrefix(m.Subject, "Invitation\u00a0: ") || m.Header.Get("Content-Language") != "fr-CA" {
		t.Errorf("Marie's subject %q (%s): want French", m.Subject, m.Header.Get("Content-Language"))
	}
	if u := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<https://copbot.example.gc.ca/email/unsubscribe/") ||
		!strings.Contains(u, "<mailto:cop@example.gc.ca?subject=unsubscribe>") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q", u)
	}
	cal := calendarOf(t, m)
	for _, want := range []string{"METHOD:REQUEST", "SEQUENCE:0", "UID:meeting-1.", "DTSTART:20310312T180000Z",
		"ORGANIZER;CN=CoP Secretariat:mailto:cop@example.gc.ca", "RSVP=TRUE:mailto:marie@example.qc.ca"} {
		if !strings.Contains(cal, want) {
			t.Errorf("Marie's invitation lacks %q:\n%s", want, cal)
		}
	}
	if m.Params["text/calendar"]["method"] != "REQUEST" || !strings.Contains(m.Parts["text/plain"], "participer 1") {
		t.Errorf("calendar params %v; text:\n%s", m.Params["text/calendar"], m.Parts["text/plain"])
	}
	jean := mailTo(t, srv, "jean@example.on.ca")
	if len(jean) != 1 || !strings.HasPrefix(jean[0].Subject, "Invitation: ") || jean[0].Header.Get("Content-Language") != "en-CA" {
		t.Fatalf("Jean got %d, want one in English", len(jean))
	}
	if ann := mailTo(t, srv, "ann@example.gc.ca"); len(ann) != 1 || !strings.HasPrefix(ann[0].Subject, "Invitation: ") {
		t.Errorf("Ann (on Slack, asked for email) got %d", len(ann))
	}
	if n := len(srv.Received()); n != 3 {
		t.Errorf("%d messages in all, want 3 (Bob is on Slack and has no address)", n)
	}

	// A restart sends nothing again.
	e.shutdown()
	e.start()
	e.settle()
	if n := len(srv.Received()); n != 3 {
		t.Fatalf("%d messages after a restart, want still 3", n)
	}

	// Moved: an update with a higher SEQUENCE, same UID.
	moved := start.Add(24 * time.Hour).In(e.cfg.Location()).Format("2006-01-02 15:04")
	if code, body := e.slash("UCOORD", "meeting move 1 "+moved, e2eSecret); code != 200 {
		t.Fatalf("move = %d %s", code, body)
	}
	e.settle()
	marie = mailTo(t, srv, "marie@example.qc.ca")
	if len(marie) != 2 || !strings.HasPrefix(marie[1].Subject, "Modification\u00a0: ") {
		t.Fatalf("Marie got %d messages after the move, want an update", len(marie))
	}
	uid := func(cal string) string {
		_, after, _ := strings.Cut(cal, "UID:")
		u, _, _ := strings.Cut(after, "\r\n")
		return u
	}
	if up := calendarOf(t, marie[1]); !strings.Contains(up, "METHOD:REQUEST") || !strings.Contains(up, "SEQUENCE:1") ||
		uid(up) != uid(cal) || !strings.Contains(up, "DTSTART:20310313T180000Z") {
		t.Errorf("update:\n%s", up)
	}
	if marie[1].Header.Get("Message-Id") == marie[0].Header.Get("Message-Id") {
		t.Error("the update has the invitation's Message-ID")
	}

	// Cancelled: METHOD:CANCEL to those who were invited.
	if code, body := e.slash("UCOORD", "meeting cancel 1", e2eSecret); code != 200 {
		t.Fatalf("cancel = %d %s", code, body)
	}
	e.settle()
	marie = mailTo(t, srv, "marie@example.qc.ca")
	if len(marie) != 3 || !strings.Contains(calendarOf(t, marie[2]), "METHOD:CANCEL") ||
		!strings.Contains(calendarOf(t, marie[2]), "SEQUENCE:2") || marie[2].Params["text/calendar"]["method"] != "CANCEL" {
		t.Fatalf("Marie got %d messages after the cancellation, want a METHOD:CANCEL", len(marie))
	}
	if n := len(srv.Received()); n != 9 {
		t.Errorf("%d messages in all, want 9 (3 people × invitation, update, cancellation)", n)
	}
	if _, body := e.slash("UCOORD", "meeting status 1", e2eSecret); !strings.Contains(body, "Email:") || !strings.Contains(body, "sent: 9") {
		t.Errorf("meeting status:\n%s", body)
	}
}

// The SMTP server takes the reminder in and drops the connection before
// answering: the attempt is recorded as lost and tried again a minute
// later (not before), with the same Message-ID; everyone else gets
// theirs once.
func TestEmailReminderAfterLostAnswer(t *testing.T) {
	e, srv := newEmailE2E(t)
	due := e.addMeeting(emailT0.Add(time.Hour + time.Minute)).Add(-time.Hour)
	e.settle()
	before := len(srv.Received())
	srv.DropNext(1)
	e.advanceTo(due)
	e.advanceTo(due.Add(30 * time.Second))
	if n := len(srv.Received()) - before; n != 2 {
		t.Fatalf("%d reminders taken in half a minute later, want 2: no attempt before a minute", n)
	}
	e.advanceTo(due.Add(time.Minute + time.Second)) // the next attempt's time
	var reminders, dropped []smtptest.Received
	for _, r := range srv.Received()[before:] {
		if r.Dropped {
			dropped = append(dropped, r)
		}
		reminders = append(reminders, r)
	}
	if len(dropped) != 1 || len(reminders) != 3 {
		t.Fatalf("%d reminders taken in (%d dropped), want the dropped one, its resend and one more", len(reminders), len(dropped))
	}
	lost, _ := dropped[0].Parse()
	var resent *smtptest.Message
	for _, r := range reminders[1:] {
		if r.To[0] == dropped[0].To[0] {
			resent, _ = r.Parse()
		}
	}
	if resent == nil || resent.Header.Get("Message-Id") != lost.Header.Get("Message-Id") || !strings.Contains(resent.Subject, "Reminder") &&
		!strings.Contains(resent.Subject, "Rappel") {
		t.Fatalf("no resend with the same Message-ID to %s", dropped[0].To[0])
	}
	e.shutdown()
	e.start()
	e.advanceTo(due.Add(2 * time.Minute))
	if n := len(srv.Received()) - before; n != 3 {
		t.Errorf("%d reminder messages after a restart, want still 3", n)
	}
}

// A refused address is tried a bounded number of times (a permanent
// refusal once), and shows in `meeting status`.
func TestEmailRefusalShowsInStatus(t *testing.T) {
	e, srv := newEmailE2E(t)
	srv.RefuseNext(1, 550)
	e.addMeeting(emailT0.Add(3 * time.Hour))
	e.settle()
	for i := 1; i <= 8; i++ {
		e.advanceTo(emailT0.Add(time.Duration(i) * time.Minute))
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("%d messages accepted, want 1 (the refused one is not tried again)", n)
	}
	_, body := e.slash("UCOORD", "meeting status 1", e2eSecret)
	if !strings.Contains(body, "SMTP 550") || !strings.Contains(body, "given up") || !strings.Contains(body, "failed: 1") {
		t.Errorf("meeting status does not show the refusal:\n%s", body)
	}
}

func TestEmailPollInvitationAndUnsubscribe(t *testing.T) {
	e, srv := newEmailE2E(t)
	if code, body := e.slash("UCOORD", `poll "Theme for June? / Thème de juin ?" "Accessibility" "Vulnerable communities"`, e2eSecret); code != 200 {
		t.Fatalf("poll = %d %s", code, body)
	}
	e.settle() // a new poll's invitations go at once
	marie := mailTo(t, srv, "marie@example.qc.ca")
	if len(marie) != 1 || marie[0].Subject != "Sondage nº\u00a01\u00a0: Thème de juin ?" {
		t.Fatalf("Marie got %d messages, want the poll in French", len(marie))
	}
	text := marie[0].Parts["text/plain"]
	for _, want := range []string{"Voter pour 1. Accessibility", "Voter pour 2. Vulnerable communities", "ouvrez le lien de votre choix"} {
		if !strings.Contains(text, want) {
			t.Errorf("poll email lacks %q:\n%s", want, text)
		}
	}
	link := strings.Trim(strings.Fields(marie[0].Header.Get("List-Unsubscribe"))[0], "<>,")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	// A GET (a mail scanner following the link) changes nothing.
	if code, body := e.get(u.Path); code != 200 || !strings.Contains(body, `method="post"`) {
		t.Fatalf("GET %s = %d %s", u.Path, code, body)
	}
	post := func(path string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+e.app.Addr()+path, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		code, _ := e.do(req)
		return code
	}
	if code := post("/email/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAA"); code != http.StatusNotFound {
		t.Errorf("an unknown token: %d, want 404", code)
	}
	prefs, _ := e.app.Store.EmailPrefs(context.Background())
	for _, p := range prefs {
		if p.Set {
			t.Fatalf("a GET or an unknown token changed a setting: %+v", p)
		}
	}
	if code := post(u.Path); code != 200 {
		t.Fatalf("one-click POST = %d", code)
	}
	if code, body := e.slash("UCOORD", `poll "Second?" "A" "B"`, e2eSecret); code != 200 {
		t.Fatalf("poll = %d %s", code, body)
	}
	e.settle()
	if n := len(mailTo(t, srv, "marie@example.qc.ca")); n != 1 {
		t.Errorf("Marie got %d messages, want none after unsubscribing", n)
	}
	if n := len(mailTo(t, srv, "jean@example.on.ca")); n != 2 {
		t.Errorf("Jean got %d, want both polls", n)
	}
}

// A member who starts getting email after the invitations went out gets
// the current one (at the scheduler's next scan); nobody else gets a
// second.
func TestEmailNewcomerGetsTheInvitation(t *testing.T) {
	e, srv := newEmailE2E(t)
	e.addMeeting(emailT0.Add(3 * time.Hour))
	e.settle()
	before := len(srv.Received())
	if _, err := e.app.Store.ImportMembers(context.Background(), []storage.MemberInput{{Name: "Zoé Gagnon",
		Email: "zoe@example.nu.ca", Organization: "Ville d’Iqaluit", Order: storage.OrderMunicipal, Jurisdiction: "NU", Language: "fr"}}); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(emailT0.Add(time.Minute))
	got := srv.Received()[before:]
	if len(got) != 1 || got[0].To[0] != "zoe@example.nu.ca" {
		t.Fatalf("%d messages after Zoé joined, want her invitation alone", len(got))
	}
	if m, err := got[0].Parse(); err != nil || !strings.Contains(smtptest.Unfolded(m.Parts["text/calendar"]), "METHOD:REQUEST") {
		t.Errorf("Zoé's message: %v", err)
	}
}
