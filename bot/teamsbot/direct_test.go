package teamsbot

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// oneToOne answers the create-conversation call for a personal chat as the
// connector does (an "a:" id, 201), and everything else by default.
func oneToOne(id string) connectorFunc {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v3/conversations") {
			return false
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%q}`, id)
		return true
	}
}

// TestDirect checks a direct message: the one-to-one chat is opened for
// the stored identity (bot, member, tenant; no activity, so that opening
// is idempotent), then the card is posted into it.
func TestDirect(t *testing.T) {
	f := newFakeBF(t, newClock())
	f.answer = oneToOne("a:1direct")
	b, _ := connectorBot(t, f)
	r := textReply("poll_reminder", "fr", "Vous n’avez pas encore voté.", handlers.InChannel)
	var dm handlers.DirectMessenger = b.Adapter
	to := storage.Identity{Platform: storage.PlatformTeams, ID: "0b2a4d3c-aad-object-id"}
	if err := dm.Direct(context.Background(), to, r); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	if len(calls) != 2 {
		t.Fatalf("calls = %+v, want open chat then post", calls)
	}
	if calls[0].Method != http.MethodPost || calls[0].Path != "/teams/v3/conversations" {
		t.Errorf("first call %s %s, want POST /teams/v3/conversations", calls[0].Method, calls[0].Path)
	}
	want := map[string]any{"isGroup": false, "bot": map[string]any{"id": "28:" + testAppID},
		"members":     []any{map[string]any{"id": to.ID}},
		"channelData": map[string]any{"tenant": map[string]any{"id": testTenant}}, "tenantId": testTenant}
	if got := decode(t, calls[0].Body); !reflect.DeepEqual(got, want) {
		t.Errorf("open chat body = %v, want %v", got, want)
	}
	wantPath := "/teams/v3/conversations/" + url.PathEscape("a:1direct") + "/activities"
	if calls[1].Method != http.MethodPost || calls[1].Path != wantPath {
		t.Errorf("second call %s %s, want POST %s", calls[1].Method, calls[1].Path, wantPath)
	}
	if card := cardOf(t, decode(t, calls[1].Body)); card["fallbackText"] != r.Text {
		t.Errorf("posted card fallbackText = %v, want %q", card["fallbackText"], r.Text)
	}
}

// TestDirectRefused checks what Direct cannot do, and that it then calls
// nothing: another platform's identity, or no known tenant.
func TestDirectRefused(t *testing.T) {
	f := newFakeBF(t, newClock())
	configured, _ := connectorBot(t, f)
	unconfigured := startBot(t, f, f.config(), &recorder{}, mustTranslator(t))
	r := textReply("poll_reminder", "en", "x", handlers.InChannel)
	tests := []struct {
		name string
		b    *bot
		to   storage.Identity
		want string
	}{
		{"Slack identity", configured, storage.Identity{Platform: storage.PlatformSlack, ID: "U1"}, "cannot write"},
		{"no identity", configured, storage.Identity{Platform: storage.PlatformTeams}, "cannot write"},
		{"no tenant known", unconfigured, storage.Identity{Platform: storage.PlatformTeams, ID: "aad-1"}, "tenant_id"},
	}
	for _, tt := range tests {
		if err := tt.b.Direct(context.Background(), tt.to, r); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
	if n := len(f.recorded()); n != 0 {
		t.Errorf("%d connector calls, want 0", n)
	}
}

// TestDirectUsesLearnedTeam: with tenant_id but without service_url in
// config, the one learned when the bot was added to the team is used.
func TestDirectUsesLearnedTeam(t *testing.T) {
	f := newFakeBF(t, newClock())
	cfg := f.config()
	cfg.TenantID = testTenant
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	body, su := f.inbound("teams-conversationupdate-bot-added-to-team.json")
	if status, _ := signedPost(t, f, b, body, su); status != http.StatusOK {
		t.Fatalf("status = %d", status)
	}
	f.mu.Lock()
	f.answer = oneToOne("a:1learned")
	f.mu.Unlock()
	to := storage.Identity{Platform: storage.PlatformTeams, ID: "29:member"}
	if err := b.Direct(context.Background(), to, textReply("poll_reminder", "en", "x", handlers.InChannel)); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	wantOpen := strings.TrimPrefix(strings.TrimSuffix(su, "/")+"/v3/conversations", f.srv.URL)
	if len(calls) != 2 || calls[0].Path != wantOpen {
		t.Fatalf("calls = %+v, want open chat at %s then post", calls, wantOpen)
	}
	if got := decode(t, calls[0].Body)["tenantId"]; got != "72f988bf-86f1-41af-91ab-2d7cd011db47" {
		t.Errorf("tenantId = %v, want the configured tenant", got)
	}
}

// TestDirectInTheIdentitysTenant: the bot serves two tenants; a member who
// uses Teams as a guest of tenant B (their identity stamped with B when
// they joined from there) gets their direct message created in tenant B,
// through the service URL learned there, not in the home tenant. A member
// whose tenant is not known yet is written to in the home tenant.
func TestDirectInTheIdentitysTenant(t *testing.T) {
	ctx := context.Background()
	f := newFakeBF(t, newClock())
	f.answer = oneToOne("a:1direct")
	const tenantB = "0d0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
	bodyA, su := f.inbound("teams-conversationupdate-bot-added-to-team.json") // tenant testTenant
	suB := f.srv.URL + "/tenantb/"
	bodyB := bytes.ReplaceAll(bodyA, []byte(`"id": "`+testTenant+`"`), []byte(`"id": "`+tenantB+`"`))
	bodyB = bytes.ReplaceAll(bodyB, []byte(su), []byte(suB))
	bodyB = bytes.ReplaceAll(bodyB, []byte("19:efa9296d959346209fea44151c742e73@thread.skype"), []byte("19:teamB@thread.skype"))
	db := testRequests(t)
	cfg := f.config()
	cfg.AllowedTenants = []string{testTenant, tenantB}
	cfg.Requests, cfg.Communities, cfg.Identities = db, db, db
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	for _, in := range []struct {
		body []byte
		su   string
	}{{bodyA, su}, {bodyB, suB}} {
		if status, _ := signedPost(t, f, b, in.body, in.su); status != 200 {
			t.Fatalf("install: status %d", status)
		}
	}
	join := func(name, aad, tenant string) {
		t.Helper()
		_, _, err := db.JoinMember(ctx, storage.MemberInput{Name: name, Organization: "ServiceOntario",
			Order: storage.OrderProvincial, Jurisdiction: "ON", TeamsID: aad, Workspace: tenant})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := b.learned(tenantB); got.ServiceURL != suB {
		t.Fatalf("tenant B's community %+v, want one learned at %s", got, suB)
	}
	join("Guest In B", "aad-guest-b", tenantB)
	join("Not Known Yet", "aad-unknown", "")
	r := textReply("poll_reminder", "en", "You have not voted yet.", handlers.InChannel)
	for _, tc := range []struct{ aad, path, tenant string }{
		{"aad-guest-b", "/tenantb/v3/conversations", tenantB},
		{"aad-unknown", "/v3/conversations", testTenant},
	} {
		before := len(f.recorded())
		if err := b.Direct(ctx, storage.Identity{Platform: storage.PlatformTeams, ID: tc.aad}, r); err != nil {
			t.Fatal(err)
		}
		calls := f.recorded()[before:]
		if len(calls) != 2 {
			t.Fatalf("%s: calls %+v, want open chat then post", tc.aad, calls)
		}
		open := decode(t, calls[0].Body)
		if !strings.HasSuffix(calls[0].Path, tc.path) || open["tenantId"] != tc.tenant ||
			(tc.tenant == tenantB && calls[0].Path != tc.path) {
			t.Errorf("%s: chat opened at %s in tenant %v, want %s in tenant %s", tc.aad, calls[0].Path, open["tenantId"], tc.path, tc.tenant)
		}
	}
}
