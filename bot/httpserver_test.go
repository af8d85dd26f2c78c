package bot

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
)

// TestDefaultHTTPLimits lists the production limits, to be read against
// the platforms' own: every one must be set.
func TestDefaultHTTPLimits(t *testing.T) {
	srv := newServer(t.Context(), http.NotFoundHandler(), defaultHTTPLimits())
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"ReadHeaderTimeout", srv.ReadHeaderTimeout, 5 * time.Second},
		{"ReadTimeout (bodies)", srv.ReadTimeout, 10 * time.Second},
		{"WriteTimeout (Teams waits 15 s, Slack 3 s)", srv.WriteTimeout, 20 * time.Second},
		{"IdleTimeout", srv.IdleTimeout, time.Minute},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if srv.MaxHeaderBytes != 64<<10 {
		t.Errorf("MaxHeaderBytes = %d, want 64 KiB", srv.MaxHeaderBytes)
	}
}

// TestSlowBodyCut is issue 9, finding 7: a body sent a byte at a time held
// its connection as long as the sender liked (70 s in the trial) before
// any signature check. With a short read timeout injected, the request is
// cut long before its correctly signed body is complete, and nothing runs.
func TestSlowBodyCut(t *testing.T) {
	e := newE2E(t)
	e.lim = defaultHTTPLimits()
	e.lim.read = 300 * time.Millisecond
	e.start()
	form := url.Values{"command": {"/cop"}, "text": {"join Ann Lee, Org B"}, "user_id": {"USLOW"},
		"channel_id": {"C1"}, "trigger_id": {"1.2.3"}, "response_url": {e.slack.URL() + "/hooks/slow"},
		"pad": {strings.Repeat("x", 600)}}.Encode()
	stamp, sig := slacktest.Sign(e2eSecret, time.Now(), form)
	conn, err := net.Dial("tcp", e.app.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /slack/commands HTTP/1.1\r\nHost: copbot\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\n%s: %s\r\n%s: %s\r\n\r\n", len(form), slacktest.TimestampHeader, stamp, slacktest.SignatureHeader, sig)
	var sent atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go dribble(conn, form, &sent, stop)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	cutAt := sent.Load()
	if err == nil {
		resp.Body.Close()
	}
	if cutAt >= int64(len(form)) {
		t.Fatalf("the whole %d-byte body was read (status %v, err %v): the slow sender was not cut", len(form), resp, err)
	}
	if err == nil && resp.StatusCode == http.StatusOK {
		t.Errorf("a cut request was answered 200")
	}
	if n := e.members(); n != 0 {
		t.Errorf("%d members after a cut request, want 0", n)
	}
	t.Logf("cut after %d of %d bytes", cutAt, len(form))
}

// dribble writes body a byte every 10 ms until it is all sent, the
// connection fails or stop is closed.
func dribble(conn net.Conn, body string, sent *atomic.Int64, stop <-chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := range len(body) {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if _, err := conn.Write([]byte{body[i]}); err != nil {
			return
		}
		sent.Add(1)
	}
}

// TestOversizedHeadersRefused: headers beyond MaxHeaderBytes get 431.
func TestOversizedHeadersRefused(t *testing.T) {
	e := newE2E(t)
	e.start()
	req, _ := http.NewRequest(http.MethodPost, "http://"+e.app.Addr()+"/slack/commands", strings.NewReader("x=1"))
	req.Header.Set("X-Padding", strings.Repeat("a", 128<<10))
	if code, _ := e.do(req); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", code)
	}
}

// TestSlashRateLimited checks that `copbot serve` limits each person: on
// a stopped clock (no allowance comes back) a Slack user's 21st command
// in a row is answered "slow down" and changes nothing, while another user
// is still served.
func TestSlashRateLimited(t *testing.T) {
	e := newE2E(t)
	t0 := time.Now()
	e.now = func() time.Time { return t0 }
	e.start()
	burst := handlers.DefaultRateLimit().Burst
	for i := range burst {
		if code, body := e.slash("UFAST", fmt.Sprintf("who Ontario %d", i), e2eSecret); code != 200 || strings.Contains(body, "too fast") {
			t.Fatalf("command %d: %d %s", i+1, code, body)
		}
	}
	code, body := e.slash("UFAST", "join Fast Eddie | Org | municipal | ON", e2eSecret)
	if code != 200 || !strings.Contains(body, "You are sending requests too fast") || !strings.Contains(body, "Nothing was changed") {
		t.Errorf("command %d: %d %s, want the slow-down reply", burst+1, code, body)
	}
	if n := e.members(); n != 0 {
		t.Errorf("%d members after a limited join, want 0", n)
	}
	if code, body := e.slash("UOTHER", "join Ada Lovelace | ServiceOntario | provincial | ON", e2eSecret); code != 200 || !strings.Contains(body, "Ada Lovelace") {
		t.Errorf("another user: %d %s", code, body)
	}
}
