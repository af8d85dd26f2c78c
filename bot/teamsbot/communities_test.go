package teamsbot

import (
	"bytes"
	"context"
	"testing"

	"copbot/handlers"
)

// TestCommunityPerTenant installs the app in teams of two allowed tenants,
// in a second team of the first, and in a team of a tenant not allowed:
// each allowed tenant keeps its first team as its community conversation,
// the tenant not allowed is refused and learns nothing, and after a
// restart on the same database the home tenant's proactive posts still go
// to its first team.
func TestCommunityPerTenant(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	bodyA, su := f.inbound("teams-conversationupdate-bot-added-to-team.json") // tenant testTenant
	const (
		teamA     = "19:efa9296d959346209fea44151c742e73@thread.skype"
		tenantB   = "0d0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
		tenantOut = "99999999-0000-4000-8000-000000000000"
	)
	install := func(tenant, team string) []byte {
		b := bytes.ReplaceAll(bodyA, []byte(`"id": "`+testTenant+`"`), []byte(`"id": "`+tenant+`"`))
		return bytes.ReplaceAll(b, []byte(teamA), []byte(team))
	}
	if bytes.Count(install(tenantB, "19:b"), []byte(tenantB)) != 1 || bytes.Count(install(tenantB, "19:b"), []byte("19:b")) != 2 {
		t.Fatal("conversationUpdate fixture changed")
	}
	db := testRequests(t)
	cfg := f.config()
	cfg.AllowedTenants = []string{testTenant, tenantB}
	cfg.Requests, cfg.Communities = db, db
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	for _, tc := range []struct {
		body []byte
		want int
	}{
		{bodyA, 200},
		{install(tenantB, "19:teamB@thread.skype"), 200},
		{install(testTenant, "19:secondA@thread.skype"), 200}, // a second team of tenant A
		{install(tenantOut, "19:out@thread.skype"), 403},
	} {
		if status, _ := signedPost(t, f, b, tc.body, su); status != tc.want {
			t.Fatalf("status = %d, want %d", status, tc.want)
		}
	}
	want := map[string]string{testTenant: teamA, tenantB: "19:teamB@thread.skype", tenantOut: ""}
	for tenant, ch := range want {
		if got := b.learned(tenant); got.ChannelID != ch {
			t.Errorf("tenant %s: community %+v, want channel %q", tenant, got, ch)
		}
	}

	// A restart: a new adapter on the same database.
	b2 := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	for tenant, ch := range want {
		if got := b2.learned(tenant); got.ChannelID != ch || (ch != "" && got.ServiceURL != su) {
			t.Errorf("after restart, tenant %s: community %+v, want channel %q at %s", tenant, got, ch, su)
		}
	}
	before := len(f.recorded())
	if _, err := b2.Post(context.Background(), textReply("poll", "en", "Vote now", handlers.InChannel)); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()[before:]
	if len(calls) != 1 {
		t.Fatalf("calls = %+v, want one post", calls)
	}
	got := decode(t, calls[0].Body)
	if ch := got["channelData"].(map[string]any)["channel"].(map[string]any)["id"]; ch != teamA || got["tenantId"] != testTenant {
		t.Errorf("posted to channel %v of tenant %v, want %s of %s", ch, got["tenantId"], teamA, testTenant)
	}
}
