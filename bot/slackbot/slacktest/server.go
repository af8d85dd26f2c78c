package slacktest

import (
	"crypto/tls"
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

// IntendedHostHeader carries, on requests routed by Transport, the host the
// client meant to reach; Call.Host reports it.
const IntendedHostHeader = "X-Intended-Host"

// Server is a fake Slack Web API, and response_url host, on loopback. It
// records every call and answers the methods copbot uses:
//
//   - chat.postMessage: ok with the channel and a fresh ts (the fake's
//     clock, see SetClock); the message, with its metadata, joins the
//     channel's history (Messages)
//   - conversations.history: the channel's messages, newest first, from
//     oldest on, paged by limit and cursor; each message's metadata only
//     with include_all_metadata, as Slack does
//   - chat.update: ok with the channel and the ts it was given
//   - chat.postEphemeral: ok with a message_ts
//   - views.open, views.publish: ok with a view id
//   - users.info: ok with the user's id, name, real name and the locale set
//     with SetLocale ("" by default)
//   - apps.connections.open: ok with a ws:// URL to the handler set with SetWS
//   - oauth.v2.access: the install of a code registered with AddInstallCode,
//     once, for the right client id and secret (see oauth.go)
//   - files.getUploadURLExternal, the upload itself (recorded as method
//     "upload") and files.completeUploadExternal, with Slack's shapes and
//     rules (see files.go); the shared files are in Files
//
// Any other method answers {"ok":false,"error":"unknown_method"}. Requests
// to paths outside /api/ are response_url posts: recorded as method "hook"
// and answered "ok". Like Slack, the fake refuses a message or view over
// Block Kit's limits (see BlockProblems and Refusals), and a message with
// neither text nor blocks. Fail, LoseAnswer and HangAnswer inject faults.
// It is safe for concurrent use.
type Server struct {
	srv *httptest.Server // nil for NewDirect's

	mu      sync.Mutex
	calls   []Call
	fails   map[string][]failure // method → failures to answer first, in order
	locales map[string]string    // user id → users.info locale
	team    [2]string            // auth.test's team_id and enterprise_id (SetTeam)
	ts      int
	ws      http.Handler            // Socket Mode websocket endpoint, if any
	msgs    []Message               // posted messages, in order
	pending map[string]*pendingFile // external uploads by file id
	files   []File                  // files shared, in order
	clock   func() time.Time
	closing chan struct{} // closed by ReleaseHeld (at the latest when the test ends)
	release sync.Once
	changed chan struct{}          // closed, and replaced, whenever a call is recorded or takes effect
	codes   map[string]installCode // oauth.v2.access codes not yet used (see AddInstallCode)
}

// Call is one recorded request.
type Call struct {
	Method string // Web API method ("chat.postMessage"), or "hook" for response_url posts
	Path   string
	Host   string     // the host the client meant to reach (see Transport)
	Form   url.Values // the body, when form-encoded
	JSON   map[string]any
	At     time.Time // arrival
	Body   []byte    // the raw body (a file upload's multipart form)
	// ContentType is the request's Content-Type header.
	ContentType string
	// Token is the token the call was made with (Authorization: Bearer, or
	// the form's token), which says for which workspace it was made.
	Token string
	// Refused is the error Slack would answer for a payload over its
	// limits ("invalid_blocks: …", "msg_blocks_too_long"), "" when the
	// call was accepted. A refused call has no effect.
	Refused string
	// Warnings are what Slack would warn about in an accepted call
	// ("message_truncated": a text over 40,000 characters, cut).
	Warnings []string
}

type failure struct {
	status     int
	retryAfter string
	drop       dropKind
	slackErr   string // answer 200 {"ok":false,"error":slackErr} instead of status
}

// dropKind says how an answer goes missing after the call took effect.
type dropKind int

const (
	answerSent dropKind = iota // no drop: status is answered
	answerLost                 // the connection is closed without an answer
	answerHeld                 // no answer until the client gives up
)

// NewServer starts a fake Slack that closes itself when the test ends.
func NewServer(t testing.TB) *Server {
	s := newServer()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.ReleaseHeld) // runs first: held answers end before Close waits for them
	return s
}

// Start starts a fake Slack outside a test (the load tool), over TLS with
// cfg's certificate when cfg is not nil; Close stops it.
func Start(cfg *tls.Config) *Server {
	s := newServer()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if cfg == nil {
		s.srv.Start()
		return s
	}
	s.srv.TLS = cfg
	s.srv.StartTLS()
	return s
}

// directURL is the base URL of a Server made with NewDirect: no host
// answers there; Transport carries requests to it in-process.
const directURL = "http://slack.direct.test"

// NewDirect makes a fake Slack that listens nowhere: its Transport serves
// each request in the calling goroutine. With no network in the way, a
// test can run the code under test in a testing/synctest bubble, where
// synctest.Wait tells when everything has finished. (Socket Mode needs a
// listening server: NewServer.)
func NewDirect(t testing.TB) *Server {
	s := newServer()
	t.Cleanup(s.ReleaseHeld)
	return s
}

// Close stops a server made with Start.
func (s *Server) Close() {
	s.ReleaseHeld()
	s.srv.Close()
}

func newServer() *Server {
	return &Server{fails: map[string][]failure{}, locales: map[string]string{}, clock: time.Now,
		pending: map[string]*pendingFile{}, codes: map[string]installCode{},
		closing: make(chan struct{}), changed: make(chan struct{})}
}

// URL is the server's base URL (http://127.0.0.1:port).
func (s *Server) URL() string {
	if s.srv == nil {
		return directURL
	}
	return s.srv.URL
}

// APIURL is the Web API base, what slackbot.Config.APIURL points at.
func (s *Server) APIURL() string { return s.URL() + "/api" }

// Transport sends every outbound request to the fake, whatever its host,
// so that no test can reach a real Slack host. The intended host travels
// in IntendedHostHeader and is recorded as Call.Host.
func (s *Server) Transport() http.RoundTripper {
	if s.srv == nil {
		return roundTripFunc(s.direct)
	}
	return TransportTo(s.srv.URL)
}

// TransportTo is Transport for a fake Slack serving at base (its URL),
// perhaps in another process: a child process of a kill -9 test.
// Like the adapter's own transport (keepAlive), it keeps a connection for
// each of the posts the outbox makes at once, rather than Go's default two
// per host, which would open a connection for most posts of a storm.
func TransportTo(base string) http.RoundTripper {
	target, _ := url.Parse(base)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		r := req.Clone(req.Context())
		r.Header.Set(IntendedHostHeader, req.URL.Host)
		r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, target.Host
		return tr.RoundTrip(r)
	})
}

// direct serves req in the calling goroutine, for NewDirect's Transport.
func (s *Server) direct(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set(IntendedHostHeader, req.URL.Host)
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := &directRecorder{ResponseRecorder: httptest.NewRecorder()}
	s.serve(rec, r)
	if rec.dropped {
		return nil, fmt.Errorf("slacktest: %s: connection closed without an answer", req.URL.Path)
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// directRecorder is the ResponseWriter of a direct request; dropAnswer
// marks it dropped where it would close a connection.
type directRecorder struct {
	*httptest.ResponseRecorder
	dropped bool
}

func (d *directRecorder) drop() { d.dropped = true }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Fail makes the next call of method ("hook" for response_url posts) answer
// status with an empty body, and a Retry-After header when retryAfter is
// not empty. Successive Fail calls queue up, answered in order.
func (s *Server) Fail(method string, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], failure{status: status, retryAfter: retryAfter})
}

// SetTeam makes auth.test answer that the bot token belongs to workspace
// team (of Enterprise Grid organization org, "" if none). Until it is
// set, auth.test answers unknown_method, as before the fake knew it.
func (s *Server) SetTeam(team, org string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.team = [2]string{team, org}
}

// SetLocale sets the locale users.info reports for user.
func (s *Server) SetLocale(user, locale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locales[user] = locale
}

// SetWS installs the Socket Mode websocket endpoint that
// apps.connections.open points at.
func (s *Server) SetWS(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws = h
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ws := s.ws
	s.mu.Unlock()
	if r.URL.Path == "/ws" && ws != nil {
		ws.ServeHTTP(w, r)
		return
	}
	c := s.record(r)
	f, fault := s.nextFailure(ForToken(c.Method, c.Token))
	if !fault {
		f, fault = s.nextFailure(c.Method)
	}
	if fault && f.slackErr != "" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": f.slackErr})
		return
	}
	if fault && f.drop == answerSent {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.status)
		return
	}
	if c.Refused != "" {
		s.answerRefusal(w, c, c.Refused)
		return
	}
	if c.Method == "upload" {
		s.upload(w, c)
		return
	}
	if c.Method == "hook" {
		if fault { // LoseAnswer, HangAnswer
			s.dropAnswer(w, r, f.drop)
			return
		}
		io.WriteString(w, "ok")
		return
	}
	answer := s.answer(c) // the call takes effect, whatever happens to its answer
	if fault {
		s.dropAnswer(w, r, f.drop)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

func (s *Server) record(r *http.Request) Call {
	body, _ := io.ReadAll(r.Body)
	c := Call{Path: r.URL.Path, Host: r.Header.Get(IntendedHostHeader), At: time.Now(), Method: "hook", Body: body,
		ContentType: r.Header.Get("Content-Type")}
	if m, ok := strings.CutPrefix(r.URL.Path, "/api/"); ok {
		c.Method = m
	} else if strings.HasPrefix(r.URL.Path, "/upload/") {
		c.Method = "upload"
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &c.JSON)
	} else if c.Method != "upload" {
		c.Form, _ = url.ParseQuery(string(body))
	}
	c.Token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.Token == "" && c.Form != nil {
		c.Token = c.Form.Get("token")
	}
	check(&c)
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.changedLocked()
	s.mu.Unlock()
	return c
}

// changedLocked wakes every Wait; s.mu is held.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) nextFailure(method string) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.fails[method]
	if len(q) == 0 {
		return failure{}, false
	}
	s.fails[method] = q[1:]
	return q[0], true
}

func (s *Server) answer(c Call) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	switch c.Method {
	case "chat.postMessage":
		s.ts++
		ts := fmt.Sprintf("%d.%06d", s.clock().Unix(), s.ts%1000000)
		s.msgs = append(s.msgs, newMessage(c.Form, ts))
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": ts}
	case "conversations.history":
		return s.history(c.Form)
	case "chat.update":
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": c.Form.Get("ts"),
			"text": c.Form.Get("text")}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": "1700000000.000001"}
	case "views.open", "views.publish":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V0001"}}
	case "users.info":
		u := c.Form.Get("user")
		return map[string]any{"ok": true, "user": map[string]any{"id": u, "name": strings.ToLower(u),
			"real_name": "Real " + u, "locale": s.locales[u]}}
	case "files.getUploadURLExternal":
		return s.uploadURL(c.Form)
	case "files.completeUploadExternal":
		return s.completeUpload(c.Form)
	case "auth.test":
		if s.team[0] != "" {
			res := map[string]any{"ok": true, "url": "https://cop.slack.com/", "team": "CoP", "user": "copbot",
				"team_id": s.team[0], "user_id": "U0BOT", "bot_id": "B0COPBOT"}
			if s.team[1] != "" {
				res["enterprise_id"] = s.team[1]
			}
			return res
		}
	case "oauth.v2.access":
		return s.oauthAccess(c)
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL(), "http") + "/ws"}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// Calls returns the recorded calls of method ("" for all), in arrival order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Forget drops the calls recorded so far (a memory benchmark measures the
// bot, not the fake's record of a flood).
func (s *Server) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Writes returns every recorded call that would show something to a user
// or change Slack: everything but the users.info and auth.test look-ups.
func (s *Server) Writes() []Call {
	return s.where(func(c Call) bool { return c.Method != "users.info" && c.Method != "auth.test" })
}

// where returns the recorded calls keep accepts, in arrival order.
func (s *Server) where(keep func(Call) bool) []Call {
	var out []Call
	for _, c := range s.Calls("") {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until at least n calls of method ("" for any) have arrived
// or timeout passes, and returns the calls recorded by then. The caller
// checks the length: fewer than n means it timed out.
func (s *Server) WaitFor(method string, n int, timeout time.Duration) []Call {
	var calls []Call
	s.Wait(timeout, func() bool {
		calls = s.Calls(method)
		return len(calls) >= n
	})
	return calls
}

// Wait waits until cond holds or timeout passes, and reports whether cond
// held. cond is checked at once and again after every change to the fake
// (a call recorded, a call taking effect), never on a timer; it may call
// the Server's other methods.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	limit := time.NewTimer(timeout)
	defer limit.Stop()
	for {
		s.mu.Lock()
		changed := s.changed // taken before cond runs: no change is missed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-changed:
		case <-limit.C:
			return cond()
		}
	}
}

// WaitQuiet waits until no call has arrived for quiet, or limit has
// passed. It is for a process a test cannot look into (the load tool's
// copbot): the end of its deliveries shows only as calls that stop coming.
// Tests of code in their own process wait for a condition instead (Wait).
func (s *Server) WaitQuiet(quiet, limit time.Duration) {
	end := time.NewTimer(limit)
	defer end.Stop()
	still := time.NewTimer(quiet)
	defer still.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
			still.Reset(quiet)
		case <-still.C:
			return
		case <-end.C:
			return
		}
	}
}
