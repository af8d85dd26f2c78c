package slackbot

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
)

// Fuzz targets of the Slack adapter. CI runs each for a few seconds (see
// .ci/run); seeds are the captured payloads in testdata/fixtures and the
// corpus in testdata/fuzz.

// docsVector is Slack's documented signing example (see SOURCES.md).
const (
	docsVectorTS  = "1531420618"
	docsVectorSig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

// FuzzVerifySignature checks that a signature verifies exactly when it is
// the HMAC of the timestamp and body, with a timestamp in the window, and
// that the right signature of any body does.
func FuzzVerifySignature(f *testing.F) {
	body, err := readFixture("slash_command_signed.form")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(docsVectorTS, docsVectorSig, []byte(body))
	f.Add(docsVectorTS, "v0=", []byte(""))
	f.Add("+1531420618", strings.ToUpper(docsVectorSig), []byte(body))
	f.Add("1531420918", "v1=00", []byte("a=b"))
	now := time.Unix(1531420618, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		good := sign(testSecret, ts, body)
		err := verifySignature(testSecret, ts, sig, body, now)
		hexSig, _ := strings.CutPrefix(sig, "v0=")
		got, _ := hex.DecodeString(hexSig)
		if err == nil && (!strings.HasPrefix(sig, "v0=") || string(got) != string(good)) {
			t.Fatalf("signature %q accepted for ts %q; the right one is %x", sig, ts, good)
		}
		sec, perr := strconv.ParseInt(ts, 10, 64)
		inWindow := perr == nil && sec >= now.Add(-signatureWindow).Unix() && sec <= now.Add(signatureWindow).Unix()
		err = verifySignature(testSecret, ts, "v0="+hex.EncodeToString(good), body, now)
		if inWindow != (err == nil) {
			t.Fatalf("right signature at ts %q (in window: %v): err %v", ts, inWindow, err)
		}
		if verifySignature("", ts, sig, body, now) == nil {
			t.Fatal("an empty secret verified a request")
		}
	})
}

// panicWatch is a log handler that remembers records about panics, which
// the adapter and the service recover and log rather than crash.
type panicWatch struct {
	mu     sync.Mutex
	panics []string
}

func (p *panicWatch) Enabled(context.Context, slog.Level) bool { return true }
func (p *panicWatch) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *panicWatch) WithGroup(string) slog.Handler            { return p }
func (p *panicWatch) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
		p.mu.Lock()
		p.panics = append(p.panics, b.String())
		p.mu.Unlock()
	}
	return nil
}

func (p *panicWatch) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.panics
	p.panics = nil
	return out
}

// slackRoutes are the signed callback routes the fuzzer picks from.
var slackRoutes = [...]string{"/slack/commands", "/slack/interactions", "/slack/events"}

// FuzzSlackPayload sends correctly signed bodies of any shape to each
// route, through the real adapter and service (fake Slack on loopback):
// the answer is 200 or 400, an answer body is JSON, and nothing panics,
// in the handler or in the work done after the ack.
func FuzzSlackPayload(f *testing.F) {
	for _, name := range []string{"slash_command_signed.form", "slash_command_docs_example.form", "slash_command_real_modified.form"} {
		f.Add(uint8(0), fixture(f, name))
	}
	for _, name := range []string{"block_actions_docs_example.json", "block_actions_with_state.json", "view_submission.json"} {
		f.Add(uint8(1), url.Values{"payload": {fixture(f, name)}}.Encode())
	}
	for _, name := range []string{"url_verification.json", "app_home_opened_home.json", "app_home_opened_messages.json"} {
		f.Add(uint8(2), fixture(f, name))
	}
	f.Add(uint8(0), commandForm("who Ontario", "U0ASKER"))
	f.Add(uint8(0), commandForm(`poll "Theme?" "A" "B"`, stormCoordinator))
	watch := &panicWatch{}
	e := newStormEnv(f, 3, withLog(slog.New(watch)),
		withTuning(func(t *tuning) {
			// Each input must end quickly: a fuzz run stopped by -fuzztime while
			// an input still waits out a budget fails with "context deadline
			// exceeded".
			t.tries, t.pace = 1, 0
			t.budget, t.asyncTimeout, t.callTimeout, t.userTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond, 200*time.Millisecond
		}))
	start := time.Now()
	var inputs atomic.Int64
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		// Each input is signed at its own second: the same body twice would
		// otherwise be a replay, refused with 401 as it should be.
		now := start.Add(time.Duration(inputs.Add(1)) * time.Second)
		a, err := newAdapter(e.a.cfg, e.a.svc, slog.New(watch), func() time.Time { return now }, e.a.tune)
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		a.Register(mux)
		path := slackRoutes[int(route)%len(slackRoutes)]
		ctype := formType
		if path == "/slack/events" {
			ctype = "application/json"
		}
		req := slacktest.SignedRequest("http://copbot"+path, testSecret, now, ctype, body)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		a.Close()
		if p := watch.take(); len(p) > 0 {
			t.Fatalf("%s: panic: %s", path, p)
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%s answered %d %q, want 200 or 400", path, rec.Code, rec.Body)
		}
		if b := rec.Body.Bytes(); rec.Code == http.StatusOK && len(b) > 0 && !json.Valid(b) {
			t.Fatalf("%s answered 200 with %q, not JSON", path, b)
		}
	})
}
