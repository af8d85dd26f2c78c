package teamsbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
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

// tenantPosts counts the channel posts the fake connector received, by
// tenant.
func tenantPosts(t *testing.T, f *fakeBF) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range f.recorded() {
		var p conversationParams
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/v3/conversations") &&
			json.Unmarshal(c.Body, &p) == nil && p.IsGroup {
			out[p.TenantID]++
		}
	}
	return out
}

// TestAnnouncementReachesEachTenantOnce runs the delivery ledger of a real
// service over the adapter with two tenants' community conversations: an
// announcement is posted in each exactly once. When the second tenant's
// connector refuses (502: not posted), the ledger's retry posts there only;
// when its answer is lost, the retry posts there again (the Bot Connector
// cannot be searched) but never in the tenant that has its copy, and a
// further run posts nothing.
func TestAnnouncementReachesEachTenantOnce(t *testing.T) {
	const tenantB = "0d0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
	for _, tc := range []struct {
		name    string
		fail    func(w http.ResponseWriter) // the first post in tenant B
		wantErr func(error) bool
		wantB   int // posts received in tenant B after the retry
	}{
		{"refused", func(w http.ResponseWriter) { http.Error(w, `{"error":{"code":"ServiceError"}}`, http.StatusBadGateway) },
			handlers.Unsettled, 2},
		{"answer lost", closeWithoutAnswer, handlers.MayHavePosted, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk, f, svc, b := twoTenantBot(t, tenantB)
			var once sync.Once
			f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
				calls := f.recorded()
				var p conversationParams
				if json.Unmarshal(calls[n-1].Body, &p) != nil || p.TenantID != tenantB {
					return false
				}
				failed := false
				once.Do(func() { tc.fail(w); failed = true })
				return failed
			}
			ctx := context.Background()
			r := textReply("announcement", "en", "Meeting on accessibility technology", handlers.InChannel)
			if _, err := svc.PostOnce(ctx, "announce:1", r); err == nil || !tc.wantErr(err) {
				t.Fatalf("first run: err %v", err)
			}
			if got := tenantPosts(t, f); got[testTenant] != 1 || got[tenantB] != 1 {
				t.Fatalf("after the first run: posts %v, want one attempt in each tenant", got)
			}
			for run := 2; run <= 3; run++ {
				refs, err := svc.PostOnce(ctx, "announce:1", r)
				if err != nil || len(refs) != 1 {
					t.Fatalf("run %d: refs %+v, err %v", run, refs, err)
				}
			}
			if got := tenantPosts(t, f); got[testTenant] != 1 || got[tenantB] != tc.wantB {
				t.Errorf("posts %v, want 1 in %s and %d attempts in %s", got, testTenant, tc.wantB, tenantB)
			}
			// A process that posted everywhere but lost its ledger record
			// finds the copies instead of posting again.
			ref, found, err := b.FindKeyed(ctx, "announce:1", clk.Now())
			if !found || err != nil || ref.ID == "" {
				t.Errorf("FindKeyed with every copy recorded: %+v %v %v, want found", ref, found, err)
			}
			if _, found, err := b.FindKeyed(ctx, "announce:2", clk.Now()); found || !errors.Is(err, handlers.ErrNoLookup) {
				t.Errorf("FindKeyed of a post never made: found %v, err %v; want ErrNoLookup", found, err)
			}
			channels := map[string]bool{}
			for _, c := range f.recorded() {
				var p conversationParams
				if json.Unmarshal(c.Body, &p) == nil && p.IsGroup {
					channels[p.TenantID+" "+p.ChannelData.Channel.ID] = true
				}
			}
			if !channels[testTenant+" 19:efa9296d959346209fea44151c742e73@thread.skype"] || !channels[tenantB+" 19:teamB@thread.skype"] {
				t.Errorf("posted to %v, want each tenant's own community conversation", channels)
			}
		})
	}
}

// TestUpdateReachesEachTenantsCopy posts a card in two tenants' community
// conversations and updates it (a poll's tally): each tenant's copy is
// replaced, in its own conversation.
func TestUpdateReachesEachTenantsCopy(t *testing.T) {
	const tenantB = "0d0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
	_, f, _, b := twoTenantBot(t, tenantB)
	// Each tenant's connector gives its own ids.
	f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		var p conversationParams
		if r.Method != http.MethodPost || json.Unmarshal(f.recorded()[n-1].Body, &p) != nil || !p.IsGroup {
			return false
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"19:%s@thread.tacv2;messageid=%d","activityId":"%d"}`, p.TenantID[:4], n, n)
		return true
	}
	ctx := context.Background()
	refs, err := b.PostKeyed(ctx, "poll:1", textReply("poll", "en", "Vote now", handlers.InChannel))
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.recorded())
	if err := b.Update(ctx, refs, textReply("poll", "en", "3 votes", handlers.InChannel)); err != nil {
		t.Fatal(err)
	}
	var puts []string
	for _, c := range f.recorded()[before:] {
		if c.Method == http.MethodPut {
			p, _ := url.PathUnescape(c.Path)
			puts = append(puts, p)
		}
	}
	sort.Strings(puts)
	want := []string{"/amer-client-ss.msg/v3/conversations/19:0d0a@thread.tacv2;messageid=2/activities/2",
		"/amer-client-ss.msg/v3/conversations/19:72f9@thread.tacv2;messageid=1/activities/1"}
	if !slices.Equal(puts, want) {
		t.Errorf("updates %q, want %q", puts, want)
	}
}

// twoTenantBot starts an adapter serving testTenant and tenantB over a
// real service (its poster) and database, and installs it in one team of
// each: testTenant's fixture team and tenantB's 19:teamB@thread.skype.
func twoTenantBot(t *testing.T, tenantB string) (*clock, *fakeBF, *handlers.Service, *bot) {
	t.Helper()
	clk := newClock()
	f := newFakeBF(t, clk)
	svc, db := realService(t, clk.Now)
	cfg := f.config()
	cfg.AllowedTenants = []string{testTenant, tenantB}
	cfg.Requests, cfg.Communities = db, db
	b := startBot(t, f, cfg, svc, svc.Translator())
	svc.SetPoster(b.Adapter)
	bodyA, su := f.inbound("teams-conversationupdate-bot-added-to-team.json")
	bodyB := bytes.ReplaceAll(bytes.ReplaceAll(bodyA, []byte(`"id": "`+testTenant+`"`), []byte(`"id": "`+tenantB+`"`)),
		[]byte("19:efa9296d959346209fea44151c742e73@thread.skype"), []byte("19:teamB@thread.skype"))
	for _, body := range [][]byte{bodyA, bodyB} {
		if status, _ := signedPost(t, f, b, body, su); status != 200 {
			t.Fatalf("install: status %d", status)
		}
	}
	return clk, f, svc, b
}
