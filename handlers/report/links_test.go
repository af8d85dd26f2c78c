package report

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/storage"
)

// linkEnv is the report with a public address for its links.
func linkEnv(t *testing.T, public string) (*rcEnv, *handlerstest.Clock) {
	t.Helper()
	clock := handlerstest.NewClock(rcT0)
	e := &rcEnv{}
	e.Env = handlerstest.New(t, handlerstest.Setup{Clock: clock, Install: func(s *handlers.Service) {
		e.f = Install(s, Deps{Meetings: meetings.Install(s, meetings.Options{}), Directory: directory.Install(s)},
			Options{PublicURL: public})
	}})
	return e, clock
}

// linkOf is the link a reply gives, parsed.
func linkOf(t *testing.T, r handlers.Reply) *url.URL {
	t.Helper()
	for _, s := range handlerstest.Sections(r) {
		if strings.Contains(s, "/report?") {
			u, err := url.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
	t.Fatalf("no link in %s: %s", r.Kind, r.Text)
	return nil
}

// A coordinator's report link opens exactly its period and language for
// 24 hours, is audited, cannot be stretched to another period, language
// or date, and stops working when links are revoked.
func TestReportLink(t *testing.T) {
	e, clock := linkEnv(t, "https://copbot.example.gc.ca/")
	ctx := context.Background()
	r := e.ask(ptCoordinator, "report link 2026-09-01 2027-01-31 --lang fr")
	rcHas(t, r, "The report for September 1, 2026 to January 31, 2027, as a web page, until Saturday, December 5, 2026",
		"Anyone who has this link can read the report")
	if r.Visibility != handlers.Ephemeral {
		t.Error("the link is shown to the channel")
	}
	u := linkOf(t, r)
	if u.Scheme != "https" || u.Host != "copbot.example.gc.ca" || u.Path != "/report" {
		t.Errorf("link %s", u)
	}
	q := u.Query()
	p, lang, err := e.f.CheckLink(ctx, q, clock.Now())
	if err != nil || lang != "fr" || p.From.Format(time.DateOnly) != "2026-09-01" || p.To.Format(time.DateOnly) != "2027-01-31" {
		t.Fatalf("CheckLink: %+v %s %v", p, lang, err)
	}
	audit, err := e.DB.FindAudit(ctx, storage.AuditFilter{Action: storage.AuditReportLink})
	if err != nil || len(audit) != 1 || audit[0].Actor != ptCoordinator || audit[0].Detail["from"] != "2026-09-01" ||
		audit[0].Detail["lang"] != "fr" {
		t.Errorf("audit: %+v %v", audit, err)
	}
	for name, change := range map[string]func(url.Values){
		"another period":  func(v url.Values) { v.Set("from", "2025-01-01") },
		"another end":     func(v url.Values) { v.Set("to", "2027-12-31") },
		"another lang":    func(v url.Values) { v.Set("lang", "en") },
		"a later expiry":  func(v url.Values) { v.Set("expires", "99999999999") },
		"no signature":    func(v url.Values) { v.Set("sig", "") },
		"a token as well": func(v url.Values) { v.Set("token", "x") },
	} {
		v := url.Values{}
		for k, vs := range q {
			v[k] = append([]string(nil), vs...)
		}
		change(v)
		if _, _, err := e.f.CheckLink(ctx, v, clock.Now()); err != ErrLinkInvalid {
			t.Errorf("%s: %v, want ErrLinkInvalid", name, err)
		}
	}
	clock.Add(LinkTTL)
	if _, _, err := e.f.CheckLink(ctx, q, clock.Now()); err != ErrLinkExpired {
		t.Errorf("after 24 hours: %v, want ErrLinkExpired", err)
	}
	fresh := linkOf(t, e.ask(ptCoordinator, "rapport lien")).Query()
	if _, _, err := e.f.CheckLink(ctx, fresh, clock.Now()); err != nil {
		t.Fatalf("a fresh link: %v", err)
	}
	rcHas(t, e.ask(ptCoordinator, "report link revoke"), "Every report link given so far has stopped working")
	if _, _, err := e.f.CheckLink(ctx, fresh, clock.Now()); err != ErrLinkInvalid {
		t.Errorf("after revoke: %v, want ErrLinkInvalid", err)
	}
	if r := e.ask(ptUser("ann"), "report link"); r.Kind != "error" || !strings.Contains(r.Text, "Only coordinators") {
		t.Errorf("a member asked for a link: %s %s", r.Kind, r.Text)
	}
	if r := e.ask(ptCoordinator, "report link 2026-09-01"); r.Kind != "error" || !strings.Contains(r.Text, "report link 2026-09-01 2027-01-31") {
		t.Errorf("bad link args: %s %s", r.Kind, r.Text)
	}
}

// Without a public address the link is a path, with a note saying so.
func TestReportLinkWithoutPublicURL(t *testing.T) {
	e, _ := linkEnv(t, "")
	r := e.ask(ptCoordinator, "report link")
	rcHas(t, r, "\n/report?from=", "[http] public_url")
}

// The report in the chat is for the coordinator alone: its file names
// outreach contacts.
func TestReportReplyIsPrivate(t *testing.T) {
	e, _ := linkEnv(t, "")
	if _, err := e.DB.AddInvitation(context.Background(), storage.InvitationInput{Target: "YT", Contact: "Pat Doe <pat@yukon.ca>",
		SentOn: "2026-11-02"}); err != nil {
		t.Fatal(err)
	}
	r := e.ask(ptCoordinator, "report 2026-09-01 2026-12-04")
	if r.Visibility != handlers.Ephemeral || r.File == nil || !strings.Contains(string(r.File.Data), "pat@yukon.ca") {
		t.Errorf("report: visibility %v, file %v", r.Visibility, r.File != nil)
	}
}
