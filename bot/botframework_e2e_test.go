package bot

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A fake Bot Framework for the end-to-end tests of the App (see
// reach_e2e_test.go): OpenID keys that sign every inbound activity, the
// token service, and a connector per tenant's service URL.

// The two Teams tenants and the bot's app.
const (
	reachTenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	reachTenantB = "0d0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
	reachAppID   = "00000000-1111-2222-3333-444444444444"
	reachBotID   = "28:" + reachAppID
	reachKid     = "reach-key-1"
)

// bfCall is one call the fake connector received: a channel post (POST
// v3/conversations with isGroup), a card update (PUT …/activities/ID), or
// anything else; Tenant is read from the service URL's path.
type bfCall struct {
	Method, Tenant, Path string
	Body                 string
	Group                bool
}

// fakeBotFramework is the Bot Framework on loopback: OpenID metadata and
// keys for the tokens it signs for inbound activities, the token service,
// and the connector of every tenant (service URL /amer/TENANT/).
type fakeBotFramework struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu    sync.Mutex
	calls []bfCall
}

func newFakeBotFramework(t *testing.T) *fakeBotFramework {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBotFramework{t: t, key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openid", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": "https://api.botframework.com", "jwks_uri": f.srv.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{"kty": "RSA", "use": "sig", "kid": reachKid,
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
			"endorsements": []string{"msteams"}}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() != nil || r.PostForm.Get("client_id") != reachAppID || r.PostForm.Get("client_secret") != "teams-secret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"token_type":"Bearer","access_token":"bf-token","expires_in":3600}`)
	})
	mux.HandleFunc("/amer/", f.connector)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// serviceURL is tenant's service URL.
func (f *fakeBotFramework) serviceURL(tenant string) string {
	return f.srv.URL + "/amer/" + tenant + "/"
}

func (f *fakeBotFramework) connector(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer bf-token" {
		http.Error(w, `{"error":{"code":"Unauthorized"}}`, http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	rest := strings.TrimPrefix(r.URL.Path, "/amer/")
	tenant, path, _ := strings.Cut(rest, "/")
	var p struct {
		IsGroup bool `json:"isGroup"`
	}
	json.Unmarshal(body, &p)
	f.mu.Lock()
	f.calls = append(f.calls, bfCall{Method: r.Method, Tenant: tenant, Path: path, Body: string(body), Group: p.IsGroup})
	n := len(f.calls)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && path == "v3/conversations" && p.IsGroup:
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"19:community-%s@thread.tacv2;messageid=%d","activityId":"%d"}`, tenant, n, n)
	case r.Method == http.MethodPost && path == "v3/conversations":
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"a:personal-%d"}`, n)
	default:
		fmt.Fprintf(w, `{"id":"%d"}`, n)
	}
}

// posts are the channel posts in tenant whose body holds text.
func (f *fakeBotFramework) posts(tenant, text string) []bfCall {
	return f.where(func(c bfCall) bool {
		return c.Tenant == tenant && c.Group && c.Method == http.MethodPost && strings.Contains(c.Body, text)
	})
}

// updates are the card updates in tenant.
func (f *fakeBotFramework) updates(tenant string) []bfCall {
	return f.where(func(c bfCall) bool { return c.Tenant == tenant && c.Method == http.MethodPut })
}

func (f *fakeBotFramework) where(keep func(bfCall) bool) []bfCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []bfCall
	for _, c := range f.calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// send posts activity to the App's Teams endpoint as the Bot Framework
// would: signed for its service URL, on the App's clock.
func (f *fakeBotFramework) send(e *e2eBot, activity map[string]any) (int, string) {
	f.t.Helper()
	now := e.clockNow()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": "https://api.botframework.com", "aud": reachAppID,
		"serviceurl": activity["serviceUrl"], "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()})
	tok.Header["kid"] = reachKid
	signed, err := tok.SignedString(f.key)
	if err != nil {
		f.t.Fatal(err)
	}
	body, _ := json.Marshal(activity)
	req, _ := http.NewRequest(http.MethodPost, "http://"+e.app.Addr()+"/teams/messages", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+signed)
	return e.do(req)
}

// install is the conversationUpdate of the bot added to tenant's team
// (shaped as teams-conversationupdate-bot-added-to-team.json).
func (f *fakeBotFramework) install(e *e2eBot, tenant string) {
	f.t.Helper()
	team := "19:community-" + tenant + "@thread.tacv2"
	code, body := f.send(e, map[string]any{"type": "conversationUpdate", "id": "f:install-" + tenant, "channelId": "msteams",
		"serviceUrl": f.serviceURL(tenant), "membersAdded": []map[string]any{{"id": reachBotID}},
		"from": map[string]any{"id": "29:installer"}, "recipient": map[string]any{"id": reachBotID, "name": "copbot"},
		"conversation": map[string]any{"isGroup": true, "conversationType": "channel", "id": team, "tenantId": tenant},
		"channelData":  map[string]any{"eventType": "teamMemberAdded", "team": map[string]any{"id": team}, "tenant": map[string]any{"id": tenant}}})
	if code != http.StatusOK {
		f.t.Fatalf("install in %s = %d %s", tenant, code, body)
	}
}

// click is member aad's Action.Execute on a button of the card posted in
// tenant's community channel (shaped as channelVote in teamsbot).
func (f *fakeBotFramework) click(e *e2eBot, tenant, aad string, action map[string]any) (int, string) {
	f.t.Helper()
	channel := "19:community-" + tenant + "@thread.tacv2"
	return f.send(e, map[string]any{"type": "invoke", "name": "adaptiveCard/action", "id": "f:click-" + aad, "channelId": "msteams",
		"serviceUrl": f.serviceURL(tenant), "from": map[string]any{"id": "29:" + aad, "name": aad, "aadObjectId": aad},
		"recipient":    map[string]any{"id": reachBotID, "name": "copbot"},
		"conversation": map[string]any{"isGroup": true, "conversationType": "channel", "id": channel + ";messageid=1", "tenantId": tenant},
		"channelData":  map[string]any{"channel": map[string]any{"id": channel}, "tenant": map[string]any{"id": tenant}},
		"value":        map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": action["verb"], "data": action["data"]}}})
}

// say is member aad's message to the bot in their personal chat in
// tenant.
func (f *fakeBotFramework) say(e *e2eBot, tenant, aad, text string) (int, string) {
	f.t.Helper()
	return f.send(e, map[string]any{"type": "message", "id": "f:say-" + aad, "channelId": "msteams", "text": text,
		"serviceUrl": f.serviceURL(tenant), "from": map[string]any{"id": "29:" + aad, "name": aad, "aadObjectId": aad},
		"recipient":    map[string]any{"id": reachBotID, "name": "copbot"},
		"conversation": map[string]any{"conversationType": "personal", "id": "a:" + aad, "tenantId": tenant},
		"channelData":  map[string]any{"tenant": map[string]any{"id": tenant}}})
}

// findAll walks decoded JSON and returns every object keep accepts.
func findAll(v any, keep func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	switch v := v.(type) {
	case map[string]any:
		if keep(v) {
			out = append(out, v)
		}
		for _, x := range v {
			out = append(out, findAll(x, keep)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, findAll(x, keep)...)
		}
	}
	return out
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %.200s", err, s)
	}
	return v
}
