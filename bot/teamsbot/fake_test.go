package teamsbot

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/storage"
)

// This file is a fake Bot Framework on loopback: OpenID metadata and JWKS
// with a key generated here, a token service, and a connector that records
// what the bot posts. It also holds the test clock and a recording service.

const (
	testAppID    = "00000000-1111-2222-3333-444444444444"
	testPassword = "test-secret"
	testKid      = "test-kid-1"
	fixtureDir   = "/work/shared/fixtures/teams"
	realHost     = "https://smba.trafficmanager.net"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2027, 1, 15, 17, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorded is one request the fake connector received.
type recorded struct {
	Method, Path, Auth string
	Body               []byte
}

// connectorFunc answers a connector request; n counts requests from 1.
type connectorFunc func(w http.ResponseWriter, r *http.Request, n int) bool

// fakeBF is the fake Bot Framework.
type fakeBF struct {
	t     testing.TB
	srv   *httptest.Server
	key   *rsa.PrivateKey
	clock *clock

	mu                  sync.Mutex
	jwks                []map[string]any
	metaHits, tokenHits int
	tokenTries          int // token requests, refused ones included
	tokenTTL            int
	tokenFails          []int // statuses the token service answers first, in order
	calls               []recorded
	answer              connectorFunc // nil: default answers
	// Microsoft Graph tokens (graph_test.go): how many were issued, and
	// whether the tenant refuses them.
	graphTokens  int
	graphRefused bool
}

// testKeys are RSA keys generated once per test run: generating 2048-bit
// keys under -race costs about a second each.
var testKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
	var keys [3]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

func newFakeBF(t testing.TB, c *clock) *fakeBF {
	key := testKeys()[0]
	f := &fakeBF{t: t, key: key, clock: c, tokenTTL: 3600}
	f.jwks = []map[string]any{jwk(testKid, &key.PublicKey, "msteams")}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openid", f.serveMeta)
	mux.HandleFunc("GET /keys", f.serveKeys)
	mux.HandleFunc("POST /token", f.serveToken)
	mux.HandleFunc("/", f.serveConnector)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func jwk(kid string, pub *rsa.PublicKey, endorsements ...string) map[string]any {
	return map[string]any{"kty": "RSA", "use": "sig", "kid": kid,
		"n":            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"endorsements": endorsements}
}

func (f *fakeBF) config() Config {
	return Config{AppID: testAppID, AppPassword: testPassword, TenantID: "",
		OpenIDURL: f.srv.URL + "/openid", TokenURL: f.srv.URL + "/token"}
}

func (f *fakeBF) serveMeta(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.metaHits++
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"issuer": botIssuer, "jwks_uri": f.srv.URL + "/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"}})
}

func (f *fakeBF) serveKeys(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"keys": f.jwks})
}

func (f *fakeBF) serveToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.tokenTries++
	fail := 0
	if len(f.tokenFails) > 0 {
		fail, f.tokenFails = f.tokenFails[0], f.tokenFails[1:]
	}
	f.mu.Unlock()
	if fail != 0 {
		http.Error(w, `{"error":"temporarily_unavailable"}`, fail)
		return
	}
	r.ParseForm()
	scope := r.PostForm.Get("scope")
	if r.PostForm.Get("client_id") != testAppID || r.PostForm.Get("client_secret") != testPassword ||
		r.PostForm.Get("grant_type") != "client_credentials" || (scope != botScope && scope != graphScope) {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	if scope == graphScope && f.graphRefused {
		f.mu.Unlock()
		http.Error(w, `{"error":"invalid_scope"}`, http.StatusBadRequest)
		return
	}
	issued, name := &f.tokenHits, "bot-token"
	if scope == graphScope {
		issued, name = &f.graphTokens, "graph-token"
	}
	*issued++
	n, ttl := *issued, f.tokenTTL
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": ttl,
		"access_token": fmt.Sprintf("%s-%d", name, n)})
}

func (f *fakeBF) serveConnector(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, recorded{Method: r.Method, Path: r.URL.EscapedPath(),
		Auth: r.Header.Get("Authorization"), Body: body})
	n, answer := len(f.calls), f.answer
	f.mu.Unlock()
	if answer != nil && answer(w, r, n) {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/upload/") {
		serveUpload(w, r, body)
		return
	}
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v3/conversations") {
		w.WriteHeader(http.StatusCreated)
		w.Write(readFixture(f.t, "bot-to-connector-create-conversation-channel-thread.response.json"))
		return
	}
	fmt.Fprintf(w, `{"id":"reply-%d"}`, n)
}

// serveUpload plays a OneDrive upload session URL, as a file consent
// gives it: a PUT of the whole file with its Content-Range, no bot token
// (the URL is pre-authorized), answered 201 with the drive item.
func serveUpload(w http.ResponseWriter, r *http.Request, body []byte) {
	want := fmt.Sprintf("bytes 0-%d/%d", len(body)-1, len(body))
	switch {
	case r.Method != http.MethodPut:
		http.Error(w, "upload sessions take PUT", http.StatusMethodNotAllowed)
	case r.Header.Get("Authorization") != "":
		http.Error(w, "an upload URL needs no Authorization header", http.StatusUnauthorized)
	case r.Header.Get("Content-Range") != want:
		http.Error(w, "Content-Range "+r.Header.Get("Content-Range")+", want "+want, http.StatusBadRequest)
	default:
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"01DRIVEITEM","name":%q,"size":%d}`, path.Base(r.URL.Path), len(body))
	}
}

// recorded returns a copy of the connector calls so far.
func (f *fakeBF) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.calls...)
}

// tokenRequests counts token requests, refused ones included.
func (f *fakeBF) tokenRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenTries
}

func (f *fakeBF) counts() (meta, token, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.metaHits, f.tokenHits, len(f.calls)
}

// claims are the default claims of a valid inbound token for serviceURL.
func (f *fakeBF) claims(serviceURL string) jwt.MapClaims {
	now := f.clock.Now()
	return jwt.MapClaims{"iss": botIssuer, "aud": testAppID, "serviceurl": serviceURL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
}

// sign signs claims with the fake's key under kid.
func (f *fakeBF) sign(c jwt.MapClaims, kid string) string {
	return signWith(f.t, jwt.SigningMethodRS256, f.key, c, kid)
}

func signWith(t testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims, kid string) string {
	tok := jwt.NewWithClaims(m, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readFixture reads a shared fixture.
func readFixture(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inbound reads an inbound fixture with its serviceUrl host pointed at
// the fake connector, everything else byte-identical, and returns it with
// its (rewritten) serviceUrl.
func (f *fakeBF) inbound(name string) ([]byte, string) {
	b := bytes.ReplaceAll(readFixture(f.t, name), []byte(realHost), []byte(f.srv.URL))
	var a struct {
		ServiceURL string `json:"serviceUrl"`
	}
	if err := json.Unmarshal(b, &a); err != nil || !strings.HasPrefix(a.ServiceURL, f.srv.URL) {
		f.t.Fatalf("fixture %s: serviceUrl %q not rewritten (%v)", name, a.ServiceURL, err)
	}
	return b, a.ServiceURL
}

// bot is an adapter under test, served on loopback.
type bot struct {
	*Adapter
	srv *httptest.Server
}

func startBot(t testing.TB, f *fakeBF, cfg Config, svc service, tr *handlers.Translator) *bot {
	if cfg.Requests == nil {
		cfg.Requests = testRequests(t)
	}
	client := f.srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	a, err := newAdapter(cfg, svc, tr, slog.New(slog.DiscardHandler), f.clock.Now, client)
	if err != nil {
		t.Fatal(err)
	}
	a.conn.sleep = func(context.Context, time.Duration) error { return nil }
	mux := http.NewServeMux()
	a.Register(mux)
	b := &bot{Adapter: a, srv: httptest.NewServer(mux)}
	t.Cleanup(func() { b.srv.Close(); a.Close() })
	return b
}

// testRequests is a record of handled requests in a database of its own.
func testRequests(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "requests.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// post sends body to /teams/messages with the Authorization value authz,
// and returns once the replies queued after the answer are posted.
func (b *bot) post(t testing.TB, authz string, body []byte) (int, []byte) {
	resp, out := b.raw(t, authz, body)
	b.out.Wait() // the replies posted after the answer
	return resp.StatusCode, out
}

// raw is post without waiting for the replies queued after the answer.
func (b *bot) raw(t testing.TB, authz string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/teams/messages", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// realService opens a temp database and a real handlers.Service on it.
func realService(t testing.TB, now func() time.Time) (*handlers.Service, *storage.DB) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = now
	svc, _, err := features.New(db, handlers.Options{DefaultLanguage: "en"}, now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc, db
}

// call is one call the recording service received.
type call struct {
	Kind          string // handle, act, submit
	Req           handlers.Request
	ID, Value     string
	Values        map[string]string
	State, FormID string
}

// recorder is a service that records calls and answers with canned replies.
type recorder struct {
	mu    sync.Mutex
	calls []call
	reply handlers.Reply
	errs  map[string]string
}

func (r *recorder) add(c call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) got() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

func (r *recorder) Handle(ctx context.Context, req handlers.Request) handlers.Reply {
	r.add(call{Kind: "handle", Req: req})
	return r.reply
}

func (r *recorder) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	r.add(call{Kind: "act", Req: req, ID: id, Value: value})
	return r.reply
}

func (r *recorder) Submit(ctx context.Context, req handlers.Request, formID, state string, values map[string]string) (handlers.Reply, map[string]string) {
	r.add(call{Kind: "submit", Req: req, FormID: formID, State: state, Values: values})
	return r.reply, r.errs
}

func (r *recorder) Language(ctx context.Context, req handlers.Request) string {
	if strings.HasPrefix(req.Locale, "fr") {
		return "fr"
	}
	return "en"
}

func mustTranslator(t testing.TB) *handlers.Translator {
	tr, err := handlers.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// textReply is a simple reply for the recorder.
func textReply(kind, lang, text string, vis handlers.Visibility) handlers.Reply {
	return handlers.Reply{Kind: kind, Lang: lang, Text: text, Visibility: vis,
		Blocks: []handlers.Block{handlers.Section{Text: text}}}
}
