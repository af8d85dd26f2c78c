package teamsbot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"copbot/handlers"
)

// TestTenantChecked sends genuine, correctly signed activities from
// several tenants: with tenant_id set only that tenant's are served, the
// others are refused with 403 before anything runs or is posted; without
// tenant_id every tenant is served.
func TestTenantChecked(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json") // tenant 50612dbb-…
	const mentionTenant = "50612dbb-0237-4969-b378-8d42590f9c00"
	invoke, isu := f.inbound("teams-invoke-adaptivecard-action-execute.json") // tenant 56653e9d-…
	// Only conversation.tenantId, as some activities carry it.
	convOnly := bytes.Replace(mention, []byte(`"tenant": {
      "id": "50612dbb-0237-4969-b378-8d42590f9c00"
    }`), []byte(`"tenant": null`), 1)
	noTenant := bytes.ReplaceAll(convOnly, []byte(`"tenantId": "50612dbb-0237-4969-b378-8d42590f9c00"`), []byte(`"tenantId": ""`))
	if bytes.Equal(convOnly, mention) || bytes.Equal(noTenant, convOnly) {
		t.Fatal("at-mention fixture changed")
	}
	tests := []struct {
		name, tenant string
		body         []byte
		su           string
		want         int
	}{
		{"same tenant", mentionTenant, mention, su, 200},
		{"same tenant, other case", strings.ToUpper(mentionTenant), mention, su, 200},
		{"same tenant in conversation only", mentionTenant, convOnly, su, 200},
		{"other tenant's message", testTenant, mention, su, 403},
		{"other tenant's card action", testTenant, invoke, isu, 403},
		{"other tenant in conversation only", testTenant, convOnly, su, 403},
		{"no tenant at all", mentionTenant, noTenant, su, 403},
		{"tenant_id unset: any tenant", "", mention, su, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := f.config()
			cfg.TenantID = tt.tenant
			checkTenantPost(t, f, cfg, tt.body, tt.su, tt.want)
		})
	}
}

// checkTenantPost posts body, signed, to a bot with cfg and checks the
// status; a served activity runs once, a refused one runs nothing and
// calls nothing outbound.
func checkTenantPost(t *testing.T, f *fakeBF, cfg Config, body []byte, su string, want int) {
	t.Helper()
	rec := &recorder{reply: textReply("help", "en", "hi", 0)}
	b := startBot(t, f, cfg, rec, mustTranslator(t))
	_, tokBefore, callsBefore := f.counts()
	if got, _ := signedPost(t, f, b, body, su); got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	_, tokAfter, callsAfter := f.counts()
	wantCalls := 0
	if want == 200 {
		wantCalls = 1
	}
	if n := len(rec.got()); n != wantCalls {
		t.Errorf("service called %d times, want %d", n, wantCalls)
	}
	if want != 200 && (tokAfter != tokBefore || callsAfter != callsBefore) {
		t.Errorf("outbound: token %d→%d, connector %d→%d; want none", tokBefore, tokAfter, callsBefore, callsAfter)
	}
}

// TestAllowedTenants sends genuine, correctly signed activities of two
// tenants and a third: with allowed_tenants listing the two (in any case),
// both are served and the third is refused with 403 before anything runs
// or is posted; tenant_id, when also set, must be one of the list.
func TestAllowedTenants(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json") // tenant 50612dbb-…
	const mentionTenant = "50612dbb-0237-4969-b378-8d42590f9c00"
	invoke, isu := f.inbound("teams-invoke-adaptivecard-action-execute.json") // tenant 56653e9d-…
	const invokeTenant = "56653e9d-2158-46ee-90d7-675c39642038"
	// The tenant in channelData and conversation; serviceUrl keeps its own.
	retenant := func(to string) []byte {
		b := bytes.ReplaceAll(mention, []byte(`"id": "`+mentionTenant+`"`), []byte(`"id": "`+to+`"`))
		return bytes.ReplaceAll(b, []byte(`"tenantId": "`+mentionTenant+`"`), []byte(`"tenantId": "`+to+`"`))
	}
	third, noTenant := retenant(testTenant), retenant("")
	if bytes.Count(third, []byte(testTenant)) != 2 {
		t.Fatal("at-mention fixture changed")
	}
	both := []string{strings.ToUpper(mentionTenant), invokeTenant}
	tests := []struct {
		name     string
		tenantID string
		allowed  []string
		body     []byte
		su       string
		want     int
	}{
		{"first listed tenant", "", both, mention, su, 200},
		{"second listed tenant", "", both, invoke, isu, 200},
		{"tenant_id among the list", invokeTenant, both, mention, su, 200},
		{"tenant not listed", "", both, third, su, 403},
		{"tenant not listed, card action", "", []string{mentionTenant, testTenant}, invoke, isu, 403},
		{"no tenant at all", "", both, noTenant, su, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := f.config()
			cfg.TenantID, cfg.AllowedTenants = tt.tenantID, tt.allowed
			checkTenantPost(t, f, cfg, tt.body, tt.su, tt.want)
		})
	}
}

// TestAllowedTenantsConfig checks that tenant_id outside allowed_tenants,
// or an empty entry, is refused, and that the first listed tenant is the
// home tenant when tenant_id is unset.
func TestAllowedTenantsConfig(t *testing.T) {
	for _, tt := range []struct {
		name, tenantID string
		allowed        []string
		wantErr        string
		wantHome       string
	}{
		{"list only", "", []string{"t-1", "t-2"}, "", "t-1"},
		{"tenant_id in list, other case", "T-2", []string{"t-1", "t-2"}, "", "T-2"},
		{"tenant_id outside list", "t-3", []string{"t-1", "t-2"}, "tenant_id must be one of allowed_tenants", ""},
		{"empty entry", "", []string{"t-1", " "}, "empty tenant id", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{AppID: "a", AppPassword: "p", TenantID: tt.tenantID, AllowedTenants: tt.allowed}
			err := c.fill()
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr == "" && c.TenantID != tt.wantHome:
				t.Errorf("home tenant = %q, want %q", c.TenantID, tt.wantHome)
			}
		})
	}
}

// TestRedeliveryIgnored sends activities again, as the Bot Framework does
// after a slow answer: a repeated id in the same conversation is answered
// 200 and not run or posted again; a new id, or the same id elsewhere, is
// a new activity.
func TestRedeliveryIgnored(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json")
	newID := bytes.Replace(mention, []byte(`"id": "1759944781430"`), []byte(`"id": "1759944781431"`), 1)
	elsewhere := bytes.ReplaceAll(mention, []byte("19:6848757105754c8981c67612732d9aa7@thread.tacv2;messageid=1759881511856"),
		[]byte("19:other@thread.tacv2;messageid=1"))
	if bytes.Equal(newID, mention) || bytes.Equal(elsewhere, mention) {
		t.Fatal("at-mention fixture changed")
	}
	tests := []struct {
		name      string
		bodies    [][]byte
		wantCalls int
	}{
		{"once", [][]byte{mention}, 1},
		{"redelivered twice", [][]byte{mention, mention, mention}, 1},
		{"new id", [][]byte{mention, newID}, 2},
		{"same id in another conversation", [][]byte{mention, elsewhere}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: textReply("poll", "en", "hi", handlers.InChannel)}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			_, _, before := f.counts()
			for i, body := range tt.bodies {
				if got, _ := signedPost(t, f, b, body, su); got != 200 {
					t.Fatalf("delivery %d: status = %d, want 200", i+1, got)
				}
			}
			_, _, after := f.counts()
			if n := len(rec.got()); n != tt.wantCalls {
				t.Errorf("service called %d times, want %d", n, tt.wantCalls)
			}
			if after-before != tt.wantCalls {
				t.Errorf("%d replies posted, want %d", after-before, tt.wantCalls)
			}
		})
	}
}

// gated is a recorder whose Act waits for release, to hold a card action
// in flight while it is redelivered.
type gated struct {
	*recorder
	started chan struct{}
	release chan struct{}
}

func (g *gated) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	g.started <- struct{}{}
	<-g.release
	return g.recorder.Act(ctx, req, id, value)
}

// logSignal signals each log record with message msg.
type logSignal struct {
	msg string
	ch  chan struct{}
}

func (h logSignal) Enabled(context.Context, slog.Level) bool { return true }
func (h logSignal) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h logSignal) WithGroup(string) slog.Handler            { return h }
func (h logSignal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.ch <- struct{}{}
	}
	return nil
}

// TestRedeliveredVote redelivers a vote click while the first delivery is
// still running: the vote is counted once, and the redelivery answers with
// the first delivery's answer once it is known, or, when the first
// outlasts the redelivery's time, with a note that the click is in hand.
func TestRedeliveredVote(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	body, su := invokeWith(t, f, `{"type":"Action.Execute","verb":"poll_vote","data":{"action":"poll_vote","value":"7:2"}}`)
	tr := mustTranslator(t)
	tests := []struct {
		name        string
		workTimeout time.Duration
		slow        bool // the first is released only after the redelivery was answered
		wantValue   any  // of the redelivery's invoke response
	}{
		{"first answers while redelivery waits", time.Minute, false, "Vote counted"},
		{"first too slow", 50 * time.Millisecond, true, tr.T("en", "teams_still_working", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// An error reply comes back as an invoke message: easy to compare.
			g := &gated{recorder: &recorder{reply: textReply("error", "en", "Vote counted", 0)},
				started: make(chan struct{}, 2), release: make(chan struct{})}
			b := startBot(t, f, f.config(), g, tr)
			waiting := make(chan struct{}, 1)
			b.log = slog.New(logSignal{msg: "teams redelivery ignored", ch: waiting})
			b.workTimeout = tt.workTimeout
			var wg sync.WaitGroup
			t.Cleanup(func() { // on failure, let the held calls end
				select {
				case <-g.release:
				default:
					close(g.release)
				}
				wg.Wait()
			})
			var first []byte
			wg.Go(func() { _, first = signedPost(t, f, b, body, su) })
			<-g.started
			type answer struct {
				status int
				body   []byte
			}
			again := make(chan answer, 1)
			wg.Go(func() {
				status, out := signedPost(t, f, b, body, su)
				again <- answer{status, out}
			})
			var got answer
			if tt.slow {
				got = within(t, again)
				close(g.release)
			} else {
				within(t, waiting) // the redelivery waits on the first
				close(g.release)
				got = within(t, again)
			}
			wg.Wait()
			if got.status != 200 {
				t.Fatalf("redelivery status = %d, want 200", got.status)
			}
			if n := len(g.got()); n != 1 {
				t.Errorf("Act called %d times, want 1", n)
			}
			if v := decode(t, first)["value"]; v != "Vote counted" {
				t.Errorf("first response value = %v, want the vote's answer", v)
			}
			if r := decode(t, got.body); r["type"] != invokeMessage || r["value"] != tt.wantValue {
				t.Errorf("redelivery response = %v, want message %q", r, tt.wantValue)
			}
		})
	}
}

// within receives from ch, failing the test rather than hanging when
// nothing comes (a redelivery that ran again blocks on the gate).
func within[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing after 10 s: the redelivery ran again or never waited")
		panic("unreachable")
	}
}

// TestRedeliveredAfterRestart is issue 15's finding 11 on Teams: an
// activity redelivered to a new process (its first answer was lost) must
// not run again; before, a redelivered vote was taken back. A card action
// is told it was handled, a message gets 200.
func TestRedeliveredAfterRestart(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	vote, su := invokeWith(t, f, `{"type":"Action.Execute","verb":"poll_vote","data":{"action":"poll_vote","value":"7:2"}}`)
	mention, msu := f.inbound("teams-channel-message-at-mention.json")
	tr := mustTranslator(t)
	cfg := f.config()
	cfg.Requests = testRequests(t)
	first := &recorder{reply: textReply("error", "en", "Vote counted", 0)}
	b := startBot(t, f, cfg, first, tr)
	if got, _ := signedPost(t, f, b, vote, su); got != 200 {
		t.Fatalf("first vote: status %d", got)
	}
	if got, _ := signedPost(t, f, b, mention, msu); got != 200 {
		t.Fatalf("first message: status %d", got)
	}
	b.srv.Close()
	b.Close()

	again := &recorder{reply: textReply("error", "en", "Vote counted", 0)}
	b = startBot(t, f, cfg, again, tr)
	status, out := signedPost(t, f, b, vote, su)
	if r := decode(t, out); status != 200 || r["value"] != tr.T("en", "teams_reply_failed", nil) {
		t.Errorf("redelivered vote: %d %v, want 200 saying it was handled", status, r)
	}
	if got, _ := signedPost(t, f, b, mention, msu); got != 200 {
		t.Errorf("redelivered message: status %d, want 200", got)
	}
	if n := len(again.got()); n != 0 {
		t.Errorf("the new process ran %d redelivered activities, want none", n)
	}
}

// TestActivityWithoutIDKeyedByContent: an activity without an id is
// recognized by its content, so its redelivery does not run again, while
// another activity without an id does run.
func TestActivityWithoutIDKeyedByContent(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json")
	noID := bytes.Replace(mention, []byte(`"id": "1759944781430"`), []byte(`"id": ""`), 1)
	other := bytes.Replace(noID, []byte(`"text": "`), []byte(`"text": "again `), 1)
	if bytes.Equal(noID, mention) || bytes.Equal(other, noID) {
		t.Fatal("at-mention fixture changed")
	}
	rec := &recorder{reply: textReply("help", "en", "hi", 0)}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))
	for i, body := range [][]byte{noID, noID, other} {
		if got, _ := signedPost(t, f, b, body, su); got != 200 {
			t.Fatalf("delivery %d: status %d", i+1, got)
		}
	}
	if n := len(rec.got()); n != 2 {
		t.Errorf("service called %d times, want 2 (the redelivery is not run)", n)
	}
	if n := b.once.InFlight(); n != 0 {
		t.Errorf("%d activities still held in memory, want 0", n)
	}
}

// TestRetentionCoversTheToken: an activity is remembered at least an hour,
// and as long as its token verifies, so that a replay with the same token
// is refused whenever it comes.
func TestRetentionCoversTheToken(t *testing.T) {
	now := time.Date(2027, 1, 15, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		exp  *time.Time
		want time.Time
	}{
		{"no expiry", nil, now.Add(time.Hour)},
		{"short token", ptr(now.Add(10 * time.Minute)), now.Add(time.Hour)},
		{"long token", ptr(now.Add(24 * time.Hour)), now.Add(24*time.Hour + clockSkew)},
	}
	for _, tt := range tests {
		c := &botClaims{}
		if tt.exp != nil {
			c.ExpiresAt = jwt.NewNumericDate(*tt.exp)
		}
		if got := retention(now, c); !got.Equal(tt.want) {
			t.Errorf("%s: retention %v, want %v", tt.name, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
