package emailbot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"copbot/bot/emailbot/smtptest"
	"copbot/handlers"
	"copbot/handlers/email"
)

func parse(t *testing.T, r smtptest.Received) *smtptest.Message {
	t.Helper()
	m, err := r.Parse()
	if err != nil {
		t.Fatalf("%v\n%s", err, r.Data)
	}
	return m
}

func testMessage() email.Message {
	start := time.Date(2027, 3, 17, 17, 0, 0, 0, time.UTC)
	body := handlers.Reply{Kind: "meeting_invite", Lang: "fr", Blocks: []handlers.Block{
		handlers.Header{Text: "Réunion trimestrielle"},
		handlers.Section{Text: "Thème : <accessibilité> & " + handlers.User("*technologie*")},
		handlers.Actions{Buttons: []handlers.Button{{Label: "Rejoindre", URL: "https://meet.example/x?a=1&b=2"},
			{Label: "Je serai là", ActionID: "rsvp", Value: "7"}}},
	}}
	return email.Message{Key: "email:meeting:7:0:3", To: email.Address{Name: "Marie Tremblay", Addr: "marie@example.qc.ca"},
		Lang: "fr", Subject: "Invitation : réunion trimestrielle", Body: body,
		Invite: &email.Invite{Method: email.MethodRequest, UID: "meeting-7.x@copbot", Sequence: 0,
			Stamp: start.Add(-time.Hour), Start: start, End: start.Add(time.Hour), Summary: "Réunion trimestrielle",
			Organizer: email.Address{Name: "CdP", Addr: "cop@example.gc.ca"}, Attendee: email.Address{Name: "Marie Tremblay", Addr: "marie@example.qc.ca"}},
		Unsubscribe: email.Unsubscribe{URL: "https://copbot.example.gc.ca/email/unsubscribe/tok123", Mailto: "mailto:cop@example.gc.ca?subject=unsubscribe"}}
}

func newTestAdapter(t *testing.T, srv *smtptest.Server, mode, user, pass string) *Adapter {
	t.Helper()
	a, err := New(Config{SMTP: srv.Addr, TLS: mode, Username: user, Password: pass, From: "CoP Secretariat <cop@example.gc.ca>",
		Salt: "install-1", Timeout: 20 * time.Second, TLSConfig: srv.ClientTLS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSendInvitationOverStartTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{User: "copbot", Pass: "s3cret"})
	a := newTestAdapter(t, srv, "", "copbot", "s3cret")
	if err := a.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	if !got[0].TLS || got[0].User != "copbot" {
		t.Errorf("session TLS %v user %q: want STARTTLS and the configured user", got[0].TLS, got[0].User)
	}
	if got[0].From != "cop@example.gc.ca" || len(got[0].To) != 1 || got[0].To[0] != "marie@example.qc.ca" {
		t.Errorf("envelope %q → %v", got[0].From, got[0].To)
	}
	p := parse(t, got[0])
	for name, want := range map[string]string{
		"Subject":               "Invitation : réunion trimestrielle",
		"Message-Id":            "<" + a.MessageID("email:meeting:7:0:3") + ">",
		"List-Unsubscribe":      "<https://copbot.example.gc.ca/email/unsubscribe/tok123>, <mailto:cop@example.gc.ca?subject=unsubscribe>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Content-Language":      "fr-CA",
		"Auto-Submitted":        "auto-generated",
	} {
		v := p.Header.Get(name)
		if name == "Subject" {
			v = p.Subject
		}
		if v != want {
			t.Errorf("%s: %q, want %q", name, v, want)
		}
	}
	if from, _ := p.Header.AddressList("From"); len(from) != 1 || from[0].Address != "cop@example.gc.ca" {
		t.Errorf("From %v", from)
	}
	if to, _ := p.Header.AddressList("To"); len(to) != 1 || to[0].Address != "marie@example.qc.ca" || to[0].Name != "Marie Tremblay" {
		t.Errorf("To %v", to)
	}
	cal := p.Parts["text/calendar"]
	if p.Params["text/calendar"]["method"] != "REQUEST" {
		t.Errorf("text/calendar params %v, want method=REQUEST", p.Params["text/calendar"])
	}
	for _, want := range []string{"METHOD:REQUEST\r\n", "UID:meeting-7.x@copbot\r\n", "SEQUENCE:0\r\n", "RSVP=TRUE"} {
		if !strings.Contains(smtptest.Unfolded(cal), want) {
			t.Errorf("calendar part lacks %q:\n%s", want, cal)
		}
	}
	if text := p.Parts["text/plain"]; !strings.Contains(text, "Thème : <accessibilité> & *technologie*") ||
		!strings.Contains(text, "Rejoindre\u00a0: https://meet.example/x?a=1&b=2") || strings.Contains(text, "Je serai là") {
		t.Errorf("text part:\n%s", text)
	}
	if h := p.Parts["text/html"]; !strings.Contains(h, "&lt;accessibilité&gt; &amp; *technologie*") ||
		!strings.Contains(h, `<a href="https://meet.example/x?a=1&amp;b=2">Rejoindre</a>`) || !strings.Contains(h, `lang="fr"`) {
		t.Errorf("html part:\n%s", h)
	}
}

func TestSendImplicitTLSAndLocalRelay(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		implicit bool
		tls      bool
	}{{TLSImplicit, true, true}, {TLSNone, false, false}} {
		srv := smtptest.Start(t, smtptest.Options{Implicit: tc.implicit})
		a := newTestAdapter(t, srv, tc.mode, "", "")
		m := testMessage()
		m.Invite, m.Unsubscribe = nil, email.Unsubscribe{Mailto: "mailto:cop@example.gc.ca?subject=unsubscribe"}
		if err := a.Send(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", tc.mode, err)
		}
		got := srv.Received()
		if len(got) != 1 || got[0].TLS != tc.tls {
			t.Fatalf("%s: %d messages, TLS %v", tc.mode, len(got), len(got) > 0 && got[0].TLS)
		}
		p := parse(t, got[0])
		if _, ok := p.Parts["text/calendar"]; ok {
			t.Errorf("%s: a calendar part in a message without an invitation", tc.mode)
		}
		if u := p.Header.Get("List-Unsubscribe"); u != "<mailto:cop@example.gc.ca?subject=unsubscribe>" || p.Header.Get("List-Unsubscribe-Post") != "" {
			t.Errorf("%s: List-Unsubscribe %q, Post %q: mailto only, no one-click", tc.mode, u, p.Header.Get("List-Unsubscribe-Post"))
		}
	}
}

// A server that takes the message in and drops the connection before its
// answer: the send is a lost answer (not a PostFailure), and sending again
// carries the same Message-ID, so that mail systems see one message.
func TestLostAnswerResendsTheSameMessage(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	a := newTestAdapter(t, srv, TLSStartTLS, "", "")
	srv.DropNext(1)
	err := a.Send(context.Background(), testMessage())
	var pf *handlers.PostFailure
	if err == nil || errors.As(err, &pf) {
		t.Fatalf("dropped after DATA: err %v, want a lost answer (not a PostFailure)", err)
	}
	if err := a.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 2 || !got[0].Dropped || got[1].Dropped {
		t.Fatalf("received %d (want the dropped one, then the resend)", len(got))
	}
	first, second := parse(t, got[0]).Header.Get("Message-Id"), parse(t, got[1]).Header.Get("Message-Id")
	if first == "" || first != second {
		t.Errorf("Message-ID %q then %q: a resend must be the same message", first, second)
	}
}

func TestRefusalsAndUnreachableAreCertain(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	a := newTestAdapter(t, srv, TLSStartTLS, "", "")
	srv.RefuseNext(1, 550)
	err := a.Send(context.Background(), testMessage())
	var pf *handlers.PostFailure
	if !errors.As(err, &pf) || !pf.Refused || pf.Detail != "SMTP 550" {
		t.Fatalf("refused with 550: %v, want a refusal with detail SMTP 550", err)
	}
	// Wrong password: nothing was handed over.
	auth := smtptest.Start(t, smtptest.Options{User: "copbot", Pass: "right"})
	err = newTestAdapter(t, auth, TLSStartTLS, "copbot", "wrong").Send(context.Background(), testMessage())
	if !errors.As(err, &pf) || pf.Refused {
		t.Fatalf("bad credentials: %v, want not sent", err)
	}
	// Nobody listening.
	dead := &smtptest.Server{Addr: "127.0.0.1:1"}
	err = newTestAdapter(t, dead, TLSStartTLS, "", "").Send(context.Background(), testMessage())
	if !errors.As(err, &pf) || pf.Refused {
		t.Fatalf("no server: %v, want not sent", err)
	}
	if n := len(auth.Received()) + len(srv.Received()); n != 0 {
		t.Errorf("%d messages accepted, want none", n)
	}
}

func TestValidateIsBilingual(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{SMTP: "smtp.example", From: "a@b.c"}, "email.smtp"},
		{Config{SMTP: "h:25", TLS: "ssl", From: "a@b.c"}, "email.tls"},
		{Config{SMTP: "127.0.0.1:25", TLS: TLSNone, Username: "u", Password: "p", From: "a@b.c"}, "mot de passe en clair"},
		{Config{SMTP: "smtp.example.gc.ca:25", TLS: TLSNone, From: "a@b.c"}, "relay on this machine only"},
		{Config{SMTP: "h:587", Username: "u", From: "a@b.c"}, "COPBOT_EMAIL_PASSWORD"},
		{Config{SMTP: "h:587", From: "not an address"}, "email.from"},
	} {
		err := Validate(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), " / ") {
			t.Errorf("Validate(%+v) = %v, want a bilingual error naming %q", tc.cfg, err, tc.want)
		}
	}
	for _, ok := range []Config{{SMTP: "smtp.example.gc.ca:587", Username: "u", Password: "p", From: "CoP <cop@example.gc.ca>"},
		{SMTP: "localhost:25", TLS: TLSNone, From: "cop@example.gc.ca"}, {SMTP: "[::1]:25", TLS: TLSNone, From: "cop@example.gc.ca"}} {
		if err := Validate(ok); err != nil {
			t.Errorf("valid config refused: %v", err)
		}
	}
}
