package email

import (
	"context"
	"errors"
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

// fakeSender records what it is given and answers with the errors queued.
type fakeSender struct {
	mu   sync.Mutex
	sent []Message
	errs []error // one per call, then nil
}

func (s *fakeSender) Send(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return err
	}
	return nil
}

func (s *fakeSender) calls() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

type emailEnv struct {
	*handlerstest.Env
	sender *fakeSender
	f      *Feature // the latest Service's
}

func newEmailEnv(t *testing.T, sender *fakeSender) *emailEnv {
	t.Helper()
	o := Options{From: Address{Name: "CoP", Addr: "cop@example.gc.ca"}, PublicURL: "https://copbot.example.gc.ca"}
	if sender != nil {
		o.Sender = sender
	}
	ee := &emailEnv{sender: sender}
	ee.Env = handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)),
		Install: func(s *handlers.Service) {
			polls.Install(s, polls.Deps{})
			ee.f = Install(s, Deps{}, o)
		}})
	return ee
}

// emailOnly adds a member with an address and no chat identity.
func (e *emailEnv) emailOnly(name, addr, lang string) *storage.Member {
	e.T.Helper()
	if _, err := e.DB.ImportMembers(context.Background(), []storage.MemberInput{{Name: name, Email: addr,
		Organization: "Org", Order: storage.OrderMunicipal, Jurisdiction: "NU", Language: lang}}); err != nil {
		e.T.Fatal(err)
	}
	ms, _, err := e.DB.FindMembers(context.Background(), storage.MemberFilter{Email: &addr})
	if err != nil || len(ms) != 1 {
		e.T.Fatalf("%v %v", ms, err)
	}
	return ms[0]
}

// runPollJob runs the email job of poll id as the scheduler would.
func (e *emailEnv) runPollJob(id int64) error {
	e.T.Helper()
	jobs, err := e.Jobs(e.S)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, j := range jobs {
		if strings.HasPrefix(j.Key, "email-poll:"+itoa(id)+":") {
			return j.Run(context.Background())
		}
	}
	e.T.Fatalf("no email job for poll %d", id)
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPreferencesEmailBothLanguages(t *testing.T) {
	e := newEmailEnv(t, nil)
	e.Join("ann", "Ann Lee", "en")
	e.Join("luc", "Luc Roy", "fr")
	ann, luc := handlerstest.User("ann"), handlerstest.User("luc")
	handlerstest.Has(t, e.Ask(ann, "preferences"), "Email: off (the default for members who use the chat)")
	handlerstest.Has(t, e.Ask(luc, "préférences"), "Courriel\u00a0: désactivé (par défaut pour les membres qui utilisent le clavardage)")
	replans := e.Replans()
	handlerstest.Has(t, e.Ask(ann, "preferences email on"), "Email is on, but your profile has no email address yet",
		"has no mail server set up yet")
	if e.Replans() == replans {
		t.Error("turning email on did not re-plan the email jobs")
	}
	handlerstest.Has(t, e.Ask(luc, "préférences courriel oui"), "Le courriel est activé, mais votre profil n’a pas encore d’adresse")
	handlerstest.Has(t, e.Ask(ann, "preferences"), "Email: on, but your profile has no email address yet")
	e.Exec("UPDATE members SET email = 'ann@example.gc.ca' WHERE console_id = 'ann'")
	handlerstest.Has(t, e.Ask(ann, "preferences"), "Email: on.")
	handlerstest.Has(t, e.Ask(luc, "préférences courriel non"), "Le courriel est désactivé")
	handlerstest.Has(t, e.Ask(luc, "préférences"), "Courriel\u00a0: désactivé.")
	if r := e.Ask(ann, "preferences email maybe"); r.Kind != "error" || !strings.Contains(r.Text+strings.Join(handlerstest.Sections(r), " "), "preferences email on") {
		t.Errorf("a bad switch: %s %q", r.Kind, handlerstest.Sections(r))
	}
	handlerstest.Has(t, e.Ask(ann, "preferences plain on"), "Plain replies are on") // the core's own setting still works
	if r := e.Ask(handlerstest.User("nobody"), "preferences email on"); r.Kind != "error" {
		t.Errorf("a visitor's preference: %s", r.Kind)
	}
}

// A person whose language is unknown gets both, English first, under
// "(Le français suit.)"; a French member gets French alone. (Storage
// holds en or fr for every member today; a row without one, from before
// the language column's check or from a later import, gets both.)
func TestPollInvitationLanguages(t *testing.T) {
	sender := &fakeSender{}
	e := newEmailEnv(t, sender)
	e.emailOnly("Marie Tremblay", "marie@example.qc.ca", "fr")
	p := e.CreatePoll(`"Theme for June? / Thème de juin ?" "Accessibility" "Vulnerable communities" --votes 2`)
	if err := e.runPollJob(p.ID); err != nil {
		t.Fatal(err)
	}
	got := sender.calls()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	fr := got[0]
	both := e.f.pollMessage(recipient{m: &storage.Member{ID: 9, Name: "Jo Doe", Email: "jo@example.ca"}, token: "T"}, p, "")
	if fr.Lang != "fr" || fr.Subject != "Sondage nº\u00a01\u00a0: Thème de juin ?" || fr.Key != "email:poll:1:"+itoa(1) {
		t.Errorf("French message: lang %q subject %q key %q", fr.Lang, fr.Subject, fr.Key)
	}
	if both.Lang != "" || both.Subject != "Poll #1: Theme for June? / Sondage nº\u00a01\u00a0: Thème de juin ?" || both.Body.Lang != "en+fr" {
		t.Errorf("message in both: lang %q subject %q body %q", both.Lang, both.Subject, both.Body.Lang)
	}
	if c, ok := both.Body.Blocks[0].(handlers.Context); !ok || c.Text != "(Le français suit.)" {
		t.Errorf("first block %#v, want the French-follows line", both.Body.Blocks[0])
	}
	text := handlers.Unmark(bodyText(both.Body))
	en, frPart, ok := strings.Cut(text, "\x00divider\x00")
	if !ok || !strings.Contains(en, "vote 1 1 3") || !strings.Contains(frPart, "voter 1 1 3") || strings.Contains(en, "Thème") {
		t.Errorf("English then French, each with how to vote:\n%s", text)
	}
	if u := fr.Unsubscribe; !strings.HasPrefix(u.URL, "https://copbot.example.gc.ca/email/unsubscribe/") || u.Mailto != "mailto:cop@example.gc.ca?subject=unsubscribe" {
		t.Errorf("unsubscribe %+v", u)
	}
}

func bodyText(r handlers.Reply) string {
	var parts []string
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case handlers.Header:
			parts = append(parts, b.Text)
		case handlers.Section:
			parts = append(parts, b.Text)
		case handlers.Context:
			parts = append(parts, b.Text)
		case handlers.Divider:
			parts = append(parts, "\x00divider\x00")
		}
	}
	return strings.Join(parts, "\n")
}

// One message per person and event: a job run again, after a restart
// too, sends nothing more; an attempt a crash cut short (recorded, no
// outcome) is sent again under the same key, so with the same Message-ID.
func TestPollInvitationOnce(t *testing.T) {
	sender := &fakeSender{}
	e := newEmailEnv(t, sender)
	m := e.emailOnly("Marie Tremblay", "marie@example.qc.ca", "fr")
	e.emailOnly("Jean Roy", "jean@example.on.ca", "en")
	p := e.CreatePoll(`"Theme?" "A" "B"`)
	// The crash: Marie's attempt recorded, its outcome never.
	crashed := pollKey(p.ID, m.ID)
	if _, err := e.DB.BeginDelivery(context.Background(), crashed, Platform); err != nil {
		t.Fatal(err)
	}
	e.Reopen()
	for range 3 {
		if err := e.runPollJob(p.ID); err != nil {
			t.Fatal(err)
		}
		e.Reopen()
	}
	got := sender.calls()
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2 (one each)", len(got))
	}
	keys := map[string]bool{got[0].Key: true, got[1].Key: true}
	if !keys[crashed] {
		t.Errorf("keys %v: Marie's resend must carry the crashed attempt's key %s", keys, crashed)
	}
	ds, _ := e.DB.Deliveries(context.Background(), crashed)
	if len(ds) != 1 || ds[0].Status != storage.DeliverySent || ds[0].Lost != 1 {
		t.Errorf("ledger %+v, want sent after one lost attempt", ds[0])
	}
}

// Retries are bounded: a lost answer is tried again up to maxAttempts in
// all; a permanent refusal is not tried again.
func TestRetriesBounded(t *testing.T) {
	sender := &fakeSender{}
	e := newEmailEnv(t, sender)
	e.emailOnly("Marie Tremblay", "marie@example.qc.ca", "fr")
	p := e.CreatePoll(`"Theme?" "A" "B"`)
	for range maxAttempts + 3 {
		sender.errs = append(sender.errs, errors.New("connection reset after DATA"))
	}
	e.runPollJob(p.ID)
	if err := e.runPollJob(p.ID); !errors.Is(err, errNotYet) || len(sender.calls()) != 1 {
		t.Fatalf("run again at once: %v, %d sends; want no second attempt before its time", err, len(sender.calls()))
	}
	var errs int
	for range maxAttempts + 3 {
		e.Clock.Add(64 * time.Minute)
		if e.runPollJob(p.ID) != nil {
			errs++
		}
	}
	if n := len(sender.calls()); n != maxAttempts || errs != maxAttempts-1 {
		t.Errorf("%d sends, %d more failed runs; want %d sends in all, then no more", n, errs, maxAttempts)
	}
	ds, _ := e.DB.Deliveries(context.Background(), pollKey(p.ID, 1))
	if len(ds) != 1 || ds[0].Attempts != maxAttempts || ds[0].ErrorCode != storage.FailureLost {
		t.Errorf("ledger %+v", ds)
	}
	q := e.CreatePoll(`"Second?" "A" "B"`)
	sender.errs = []error{handlers.Refused("SMTP 550", errors.New("550 no such user"))}
	before := len(sender.calls())
	for range 3 {
		e.runPollJob(q.ID)
	}
	if n := len(sender.calls()) - before; n != 1 {
		t.Errorf("%d sends after a permanent refusal, want 1", n)
	}
}

// Members with a chat identity get no email unless they ask; members
// without an address never; a member's own "off" wins.
func TestRetryAfter(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 4 * time.Minute, 3: 16 * time.Minute, 4: 64 * time.Minute, 9: 64 * time.Minute} {
		if got := retryAfter(n); got != want {
			t.Errorf("retryAfter(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestWhoGetsEmail(t *testing.T) {
	chat := &storage.Member{Email: "a@x.ca", SlackID: "U1"}
	mail := &storage.Member{Email: "b@x.ca"}
	none := &storage.Member{TeamsID: "29:x"}
	left := &storage.Member{Email: "c@x.ca", LeftAt: time.Now()}
	for _, tc := range []struct {
		m    *storage.Member
		p    storage.EmailPref
		want bool
	}{
		{chat, storage.EmailPref{}, false},
		{chat, storage.EmailPref{Set: true, On: true}, true},
		{mail, storage.EmailPref{}, true},
		{mail, storage.EmailPref{Set: true}, false},
		{none, storage.EmailPref{Set: true, On: true}, false},
		{left, storage.EmailPref{Set: true, On: true}, false},
	} {
		if got := wants(tc.m, tc.p); got != tc.want {
			t.Errorf("wants(%+v, %+v) = %v", tc.m, tc.p, got)
		}
	}
}
