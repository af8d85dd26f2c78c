package teamsbot

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// TestFixtureConversationUpdate adds the bot to a team (the real
// conversationUpdate), then posts proactively: the post goes to the
// learned channel in the shape of the captured create-conversation request,
// and the captured response becomes the message reference.
func TestFixtureConversationUpdate(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	svc, _ := realService(t, clk.Now)
	cfg := f.config()
	cfg.TenantID = testTenant
	b := startBot(t, f, cfg, svc, svc.Translator())
	ctx := context.Background()
	if _, err := b.Post(ctx, textReply("poll", "en", "x", handlers.InChannel)); err == nil {
		t.Fatal("Post before any channel is known: want an error")
	}
	body, su := f.inbound("teams-conversationupdate-bot-added-to-team.json")
	if status, _ := signedPost(t, f, b, body, su); status != 200 {
		t.Fatalf("status = %d", status)
	}
	if n := len(f.recorded()); n != 0 {
		t.Fatalf("conversationUpdate posted %d messages, want 0", n)
	}

	refs, err := b.Post(ctx, textReply("poll", "en", "Vote now", handlers.InChannel))
	if err != nil {
		t.Fatal(err)
	}
	want := []handlers.MessageRef{{Platform: storage.PlatformTeams,
		Channel: "19:LydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1@thread.tacv2;messageid=1776390257332", ID: "1776390257332"}}
	if !reflect.DeepEqual(refs, want) {
		t.Errorf("refs = %+v, want %+v", refs, want)
	}
	calls := f.recorded()
	if len(calls) != 1 || calls[0].Method != http.MethodPost || calls[0].Path != "/amer-client-ss.msg/v3/conversations" {
		t.Fatalf("calls = %+v, want POST /amer-client-ss.msg/v3/conversations", calls)
	}
	got := decode(t, calls[0].Body)
	wantBody := map[string]any{"isGroup": true,
		"channelData": map[string]any{"channel": map[string]any{"id": "19:efa9296d959346209fea44151c742e73@thread.skype"}},
		"tenantId":    "72f988bf-86f1-41af-91ab-2d7cd011db47"}
	if card := cardOf(t, got["activity"].(map[string]any)); card["fallbackText"] != "Vote now" {
		t.Errorf("posted card fallbackText = %v", card["fallbackText"])
	}
	delete(got, "activity")
	if !reflect.DeepEqual(got, wantBody) {
		t.Errorf("body = %v, want %v", got, wantBody)
	}

	if err := b.Update(ctx, refs[0], textReply("poll", "en", "Closed", handlers.InChannel)); err != nil {
		t.Fatal(err)
	}
	calls = f.recorded()
	wantPath := "/amer-client-ss.msg/v3/conversations/" + url.PathEscape(want[0].Channel) + "/activities/1776390257332"
	if len(calls) != 2 || calls[1].Method != http.MethodPut || calls[1].Path != wantPath {
		t.Fatalf("update call = %+v, want PUT %s", calls[len(calls)-1], wantPath)
	}
	if act := decode(t, calls[1].Body); act["id"] != "1776390257332" || cardOf(t, act)["fallbackText"] != "Closed" {
		t.Errorf("update body = %v", act)
	}
}

// TestPostMatchesCapturedRequest posts to the channel of the captured
// create-conversation request, configured rather than learned: the body
// is the captured one apart from the activity's content.
func TestPostMatchesCapturedRequest(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	cfg := f.config()
	cfg.ServiceURL = f.srv.URL + "/teams/"
	cfg.ChannelID = "19:LydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1@thread.tacv2"
	cfg.TenantID = "3f3d1cea-7a18-41af-872b-cfbbd5140984"
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	if _, err := b.Post(context.Background(), textReply("diag", "en", "[Diagnostic] channel thread", handlers.InChannel)); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	if len(calls) != 1 || calls[0].Path != "/teams/v3/conversations" {
		t.Fatalf("calls = %+v", calls)
	}
	got, want := decode(t, calls[0].Body), decode(t, readFixture(t, "bot-to-connector-create-conversation-channel-thread.request.json"))
	gotAct, wantAct := got["activity"].(map[string]any), want["activity"].(map[string]any)
	if gotAct["type"] != wantAct["type"] || gotAct["summary"] != wantAct["text"] {
		t.Errorf("activity = %v, want type %v and summary %v", gotAct, wantAct["type"], wantAct["text"])
	}
	delete(got, "activity")
	delete(want, "activity")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v, want %v", got, want)
	}
}

// TestConversationUpdateIgnored checks that only the first team in the
// configured tenant is learned (in memory, without a store), that another
// tenant's update is refused,
// that nothing is learned without tenant_id, and that other updates change
// nothing.
func TestConversationUpdateIgnored(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	body, su := f.inbound("teams-conversationupdate-bot-added-to-team.json")
	other := []byte(strings.Replace(string(body), "19:efa9296d959346209fea44151c742e73@thread.skype", "19:other@thread.skype", 2))
	userAdded := []byte(strings.Replace(string(body), `"id": "28:f5d48856-5b42-41a0-8c3a-c5f944b679b0"
        }
    ]`, `"id": "29:someone"
        }
    ]`, 1))
	tests := []struct {
		name       string
		tenant     string
		bodies     [][]byte
		wantStatus int
		wantRef    convRef
	}{
		{"first team wins", testTenant, [][]byte{body, other}, 200, convRef{su, "19:efa9296d959346209fea44151c742e73@thread.skype", testTenant}},
		{"tenant case differs", strings.ToUpper(testTenant), [][]byte{body}, 200, convRef{su, "19:efa9296d959346209fea44151c742e73@thread.skype", testTenant}},
		{"other tenant refused", "11111111-0000-0000-0000-000000000000", [][]byte{body}, 403, convRef{}},
		{"no tenant_id: not adopted", "", [][]byte{body}, 200, convRef{}},
		{"a user joining is not the bot", testTenant, [][]byte{userAdded}, 200, convRef{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := f.config()
			cfg.TenantID = tt.tenant
			b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
			for _, body := range tt.bodies {
				if status, _ := signedPost(t, f, b, body, su); status != tt.wantStatus {
					t.Fatalf("status = %d, want %d", status, tt.wantStatus)
				}
			}
			got := b.learned(cfg.TenantID)
			if got != tt.wantRef {
				t.Errorf("learned %+v, want %+v", got, tt.wantRef)
			}
		})
	}
}

// TestPrivateReplies checks that a personal answer asked for in a channel
// goes to the user's one-to-one chat, with a pointer in the thread, and
// that when the private chat fails the thread says so without the answer.
func TestPrivateReplies(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	body, su := f.inbound("teams-channel-message-at-mention.json")
	tests := []struct {
		name       string
		reply      handlers.Reply
		failCreate bool
		wantPaths  []string // suffixes, in order
		wantNotice string
	}{
		{"in-channel reply stays in thread", textReply("stats", "en", "81 people", handlers.InChannel), false,
			[]string{"/activities/1759944781430"}, ""},
		{"error stays in thread", textReply("error", "en", "Unknown place.", handlers.Ephemeral), false,
			[]string{"/activities/1759944781430"}, ""},
		{"profile goes private", textReply("profile", "fr", "Votre profil", handlers.Ephemeral), false,
			[]string{"/v3/conversations", "/v3/conversations/" + url.PathEscape("19:LydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1@thread.tacv2;messageid=1776390257332") + "/activities", "/activities/1759944781430"},
			"rido, je vous ai envoyé ma réponse en conversation privée."},
		{"private chat refused", textReply("profile", "en", "Your profile", handlers.Ephemeral), true,
			[]string{"/v3/conversations", "/activities/1759944781430"},
			"rido, I could not send you a private message. Open a chat with me (search for copbot in Teams), then ask again there."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.mu.Lock()
			f.calls, f.answer = nil, nil
			if tt.failCreate {
				f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
					if strings.HasSuffix(r.URL.Path, "/v3/conversations") {
						http.Error(w, `{"error":{"code":"BotNotInConversationRoster"}}`, http.StatusForbidden)
						return true
					}
					return false
				}
			}
			f.mu.Unlock()
			b := startBot(t, f, f.config(), &recorder{reply: tt.reply}, mustTranslator(t))
			if status, _ := signedPost(t, f, b, body, su); status != 200 {
				t.Fatalf("status = %d", status)
			}
			calls := f.recorded()
			if len(calls) != len(tt.wantPaths) {
				t.Fatalf("calls = %d (%+v), want %d", len(calls), calls, len(tt.wantPaths))
			}
			for i, p := range tt.wantPaths {
				if !strings.HasSuffix(calls[i].Path, p) {
					t.Errorf("call %d path = %s, want suffix %s", i, calls[i].Path, p)
				}
			}
			last := decode(t, calls[len(calls)-1].Body)
			text := cardOf(t, last)["fallbackText"]
			if tt.wantNotice != "" && text != tt.wantNotice {
				t.Errorf("thread got %q, want %q", text, tt.wantNotice)
			}
			if tt.wantNotice == "" && text != tt.reply.Text {
				t.Errorf("thread got %q, want the reply %q", text, tt.reply.Text)
			}
		})
	}
}

// TestClose checks that a closed adapter refuses new requests.
func TestClose(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	rec := &recorder{reply: textReply("help", "en", "hi", 0)}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))
	body, su := f.inbound("teams-channel-message-at-mention.json")
	b.Close()
	if status, _ := signedPost(t, f, b, body, su); status != http.StatusServiceUnavailable {
		t.Errorf("status after Close = %d, want 503", status)
	}
	if n := len(rec.got()); n != 0 {
		t.Errorf("service called %d times after Close", n)
	}
}

func TestNewConfig(t *testing.T) {
	db := testRequests(t)
	tests := []struct {
		name      string
		cfg       Config
		wantErr   string
		wantToken string
	}{
		{"no app id", Config{AppPassword: "p"}, "app_id", ""},
		{"no password", Config{AppID: "a"}, "app_password", ""},
		{"no record of handled requests", Config{AppID: "a", AppPassword: "p"}, "record of handled requests", ""},
		{"plain http service url", Config{AppID: "a", AppPassword: "p", ServiceURL: "http://example.com/", Requests: db}, "service_url", ""},
		{"multi-tenant default", Config{AppID: "a", AppPassword: "p", Requests: db}, "", DefaultTokenURL},
		{"single tenant", Config{AppID: "a", AppPassword: "p", TenantID: "t-1", Requests: db}, "",
			"https://login.microsoftonline.com/t-1/oauth2/v2.0/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := newAdapter(tt.cfg, &recorder{}, mustTranslator(t), nil, nil, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.conn.tokenURL != tt.wantToken || a.cfg.OpenIDURL != DefaultOpenIDURL {
				t.Errorf("token URL = %s, openid = %s", a.conn.tokenURL, a.cfg.OpenIDURL)
			}
		})
	}
}
