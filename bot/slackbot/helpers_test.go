package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/storage"
)

// testSecret is the signing secret of Slack's documented test vector.
const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fixtureDir holds copies of /work/shared/fixtures/slack (see its SOURCES.md).
const fixtureDir = "testdata/fixtures"

// env is an adapter over a real service and SQLite database, talking to a
// fake Slack, served by a loopback HTTP server (or, withDirect, by its
// handler alone).
type env struct {
	t    testing.TB
	fake *slacktest.Server
	db   *storage.DB
	svc  *handlers.Service
	a    *Adapter
	srv  *httptest.Server // nil withDirect
	mux  *http.ServeMux
	now  func() time.Time
	path string       // the database file
	seq  atomic.Int64 // makes each command's trigger_id unique, as Slack's are
}

type envConfig struct {
	tune  tuning
	wrap  func(service) service
	cfg   func(*Config)
	clock func() time.Time
	opts  handlers.Options
	log   *slog.Logger
	// direct: no network at all, neither to the adapter nor to the fake
	// Slack (slacktest.NewDirect), so that the env can live in a
	// testing/synctest bubble.
	direct bool
	path   string // "": a new database
}

type envOpt func(*envConfig)

func withTuning(f func(*tuning)) envOpt          { return func(c *envConfig) { f(&c.tune) } }
func withService(w func(service) service) envOpt { return func(c *envConfig) { c.wrap = w } }
func withConfig(f func(*Config)) envOpt          { return func(c *envConfig) { c.cfg = f } }
func withClock(now func() time.Time) envOpt      { return func(c *envConfig) { c.clock = now } }
func withLog(l *slog.Logger) envOpt              { return func(c *envConfig) { c.log = l } }
func withDirect() envOpt                         { return func(c *envConfig) { c.direct = true } }
func withPath(path string) envOpt                { return func(c *envConfig) { c.path = path } }
func withOptions(f func(*handlers.Options)) envOpt {
	return func(c *envConfig) { f(&c.opts) }
}

func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	ec := envConfig{tune: defaultTuning(), clock: time.Now, log: discardLog(),
		opts: handlers.Options{DefaultLanguage: "en", Command: "/cop"}}
	ec.tune.pace, ec.tune.backoff = 10*time.Millisecond, time.Millisecond
	for _, o := range opts {
		o(&ec)
	}
	ctx := context.Background()
	if ec.path == "" {
		ec.path = filepath.Join(t.TempDir(), "copbot.db")
	}
	db, err := storage.Open(ctx, ec.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = ec.clock
	svc, _, err := features.New(db, ec.opts, ec.clock, ec.log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	var fake *slacktest.Server
	if ec.direct {
		fake = slacktest.NewDirect(t)
	} else {
		fake = slacktest.NewServer(t)
	}
	// Runs last (cleanups run in reverse), once the adapter has delivered
	// everything: nothing copbot sent may be what Slack refuses.
	t.Cleanup(func() {
		for _, c := range fake.Refusals() {
			t.Errorf("Slack would refuse this %s: %s", c.Method, c.Refused)
		}
	})
	cfg := Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.APIURL(),
		Channel: "C0COMMUNITY", Command: "/cop", Transport: fake.Transport(), Requests: db}
	if ec.cfg != nil {
		ec.cfg(&cfg)
	}
	if cfg.ClientID != "" && cfg.Installs == nil { // withInstalls
		cfg.Installs = db
	}
	var s service = svc
	if ec.wrap != nil {
		s = ec.wrap(svc)
	}
	a, err := newAdapter(cfg, s, ec.log, ec.clock, ec.tune)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	mux := http.NewServeMux()
	a.Register(mux)
	e := &env{t: t, fake: fake, db: db, svc: svc, a: a, mux: mux, now: ec.clock, path: ec.path}
	if !ec.direct {
		e.srv = httptest.NewServer(mux)
		t.Cleanup(e.srv.Close)
	}
	return e
}

func discardLog() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// send posts body to path, signed with the test secret at the env's now.
func (e *env) send(path, contentType, body string) *http.Response {
	e.t.Helper()
	return e.sendAt(e.now(), path, contentType, body)
}

// sendAt posts body to path, signed as if sent at t.
func (e *env) sendAt(t time.Time, path, contentType, body string) *http.Response {
	e.t.Helper()
	return e.do(slacktest.SignedRequest(e.srv.URL+path, testSecret, t, contentType, body))
}

// sendWith posts body to path with exactly these headers (none signed).
func (e *env) sendWith(path, contentType, body string, headers map[string]string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) *http.Response {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const formType = "application/x-www-form-urlencoded"

func (e *env) command(text, user string) *http.Response {
	v := url.Values{"command": {"/cop"}, "text": {text}, "user_id": {user}, "user_name": {"user" + user},
		"channel_id": {"C0CHAN"}, "team_id": {"T0TEAM"}, "trigger_id": {fmt.Sprintf("111.222.trig%d", e.seq.Add(1))},
		"response_url": {"https://hooks.slack.com/commands/T0TEAM/1/cmd"}}
	return e.send("/slack/commands", formType, v.Encode())
}

func (e *env) interact(payload string) *http.Response {
	return e.send("/slack/interactions", formType, url.Values{"payload": {payload}}.Encode())
}

// body reads a response body and returns it decoded as JSON (nil if empty).
func body(t testing.TB, resp *http.Response) map[string]any {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response %q is not JSON: %v", b, err)
	}
	return m
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFixture(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	return string(b), err
}

// memberCount counts every member row, active or not.
func (e *env) memberCount() int {
	e.t.Helper()
	_, n, err := e.db.FindMembers(context.Background(), storage.MemberFilter{IncludeLeft: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) join(in storage.MemberInput) *storage.Member {
	e.t.Helper()
	m, _, err := e.db.JoinMember(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func marie() storage.MemberInput {
	return storage.MemberInput{Name: "Marie Tremblay", Organization: "ServiceOntario",
		Order: storage.OrderProvincial, Jurisdiction: "ON", Title: "Director, Contact Centre",
		Language: "en", Email: "marie.tremblay@ontario.ca"}
}

// jsonOf re-encodes v as generic JSON, to compare payloads structurally.
func jsonOf(t testing.TB, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// waitLimit bounds how long a test waits for work done after an ack.
const waitLimit = 5 * time.Second
