package slackbot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSlack is a Slack Web API (and response_url host) on loopback. It
// records every call and can be told to fail a method with 429 or 500.
type fakeSlack struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	calls   []fakeCall
	fails   map[string][]fakeFailure // method → failures to answer first, in order
	locales map[string]string        // user id → users.info locale
	ts      int
	ws      http.Handler // Socket Mode websocket endpoint, if any
}

// fakeCall is one recorded request.
type fakeCall struct {
	Method string // Web API method ("chat.postMessage"), or "hook" for response_url posts
	Path   string
	Host   string // the host the adapter meant to reach
	Form   url.Values
	JSON   map[string]any
	At     time.Time
}

type fakeFailure struct {
	status     int
	retryAfter string
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{t: t, fails: map[string][]fakeFailure{}, locales: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is what Config.APIURL points at.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api" }

// transport sends every outbound request to the fake, whatever its host,
// so that no test can reach a real Slack host; the intended host is kept
// in a header for assertions.
func (f *fakeSlack) transport() http.RoundTripper {
	target, _ := url.Parse(f.srv.URL)
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		r := req.Clone(req.Context())
		r.Header.Set("X-Intended-Host", req.URL.Host)
		r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, target.Host
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fail makes the next calls of method answer with these failures.
func (f *fakeSlack) fail(method string, ff ...fakeFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails[method] = append(f.fails[method], ff...)
}

func (f *fakeSlack) setLocale(user, locale string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locales[user] = locale
}

// setWS installs the Socket Mode websocket endpoint.
func (f *fakeSlack) setWS(h http.Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ws = h
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	ws := f.ws
	f.mu.Unlock()
	if r.URL.Path == "/ws" && ws != nil {
		ws.ServeHTTP(w, r)
		return
	}
	c := f.record(r)
	if ff, ok := f.nextFailure(c.Method); ok {
		if ff.retryAfter != "" {
			w.Header().Set("Retry-After", ff.retryAfter)
		}
		w.WriteHeader(ff.status)
		return
	}
	if c.Method == "hook" {
		io.WriteString(w, "ok")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(f.answer(c))
}

func (f *fakeSlack) record(r *http.Request) fakeCall {
	body, _ := io.ReadAll(r.Body)
	c := fakeCall{Path: r.URL.Path, Host: r.Header.Get("X-Intended-Host"), At: time.Now(), Method: "hook"}
	if m, ok := strings.CutPrefix(r.URL.Path, "/api/"); ok {
		c.Method = m
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	return c
}

func (f *fakeSlack) nextFailure(method string) (fakeFailure, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.fails[method]
	if len(q) == 0 {
		return fakeFailure{}, false
	}
	f.fails[method] = q[1:]
	return q[0], true
}

func (f *fakeSlack) answer(c fakeCall) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch c.Method {
	case "chat.postMessage", "chat.update":
		f.ts++
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": fmt.Sprintf("1700000000.%06d", f.ts)}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": "1700000000.000001"}
	case "views.open", "views.publish":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V0001"}}
	case "users.info":
		u := c.Form.Get("user")
		return map[string]any{"ok": true, "user": map[string]any{"id": u, "name": strings.ToLower(u),
			"real_name": "Real " + u, "locale": f.locales[u]}}
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// callsOf returns the recorded calls of method ("" for all).
func (f *fakeSlack) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// writes returns every recorded call that would show something to a user
// or change Slack: everything but the users.info look-ups.
func (f *fakeSlack) writes() []fakeCall {
	var out []fakeCall
	for _, c := range f.callsOf("") {
		if c.Method != "users.info" {
			out = append(out, c)
		}
	}
	return out
}
