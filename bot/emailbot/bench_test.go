package emailbot

import (
	"context"
	"strconv"
	"testing"

	"copbot/bot/emailbot/smtptest"
)

// BenchmarkSendInvitation renders and sends one invitation over a new
// STARTTLS connection with a login, to the SMTP server on loopback: what
// one person's copy of an event costs.
func BenchmarkSendInvitation(b *testing.B) {
	srv := smtptest.Start(b, smtptest.Options{User: "copbot", Pass: "s3cret"})
	a, err := New(Config{SMTP: srv.Addr, Username: "copbot", Password: "s3cret", From: "CoP <cop@example.gc.ca>",
		TLSConfig: srv.ClientTLS}, nil)
	if err != nil {
		b.Fatal(err)
	}
	m := testMessage()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Key = "email:meeting:7:" + strconv.Itoa(i) + ":0"
		if err := a.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCalendar writes one invitation's iCalendar object.
func BenchmarkCalendar(b *testing.B) {
	inv := *testMessage().Invite
	b.ReportAllocs()
	for b.Loop() {
		Calendar(inv)
	}
}
