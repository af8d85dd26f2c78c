package slackbot

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
)

// slowFlood holds n connections from the loopback addresses froms (in
// turn), each sending a request's headers (a fresh timestamp and a forged signature)
// and then never its body, as an attacker without the signing secret
// would. A connection the server answers or closes is opened again, at
// most every 100 ms, until stop.
type slowFlood struct {
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	answered atomic.Int64 // responses received (429 at once, 408 at the deadline)
	failed   atomic.Int64 // connections refused or reset
}

func startSlowFlood(t *testing.T, addr string, froms []string, path string, headers map[string]string, n int) *slowFlood {
	ctx, cancel := context.WithCancel(context.Background())
	f := &slowFlood{cancel: cancel}
	for i := range n {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(froms[i%len(froms)])}}
		f.wg.Go(func() {
			for ctx.Err() == nil {
				f.hold(ctx, &d, addr, path, headers)
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	t.Cleanup(f.stop)
	return f
}

// hold sends one slow request and waits for its answer, or for ctx.
func (f *slowFlood) hold(ctx context.Context, d *net.Dialer, addr, path string, headers map[string]string) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		f.failed.Add(1)
		return
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: copbot\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n", path)
	for k, v := range headers {
		fmt.Fprintf(c, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(c, "\r\ncommand=%%2Fcop&text=")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		f.failed.Add(1)
		return
	}
	f.answered.Add(1)
}

func (f *slowFlood) stop() {
	f.cancel()
	f.wg.Wait()
}

// clientFrom is an HTTP client whose connections leave from the loopback
// address from (Linux routes all of 127.0.0.0/8 to loopback).
func clientFrom(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestUnauthenticatedFloodCannotStarveSignedRequests is issue 16's finding
// 5: 1,100 slow-body connections without credentials took every admission
// slot before their body was read, and every signed request got 503 while
// they lasted. Bodies are now read before authentication with a few per
// peer address and a short deadline, and only a verified request takes a
// place among those in progress: signed requests from Slack's address are
// answered throughout a flood from 40 other addresses (enough places, 40 ×
// perPeer, to fill all 1,024 if reading came after admission).
func TestUnauthenticatedFloodCannotStarveSignedRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("1,100 connections")
	}
	e := newEnv(t)
	e.join(marie())
	forged := map[string]string{slacktest.TimestampHeader: fmt.Sprint(e.now().Unix()),
		slacktest.SignatureHeader: "v0=" + fmt.Sprintf("%064x", 0)}
	var attackers []string
	for i := range 40 {
		attackers = append(attackers, fmt.Sprintf("127.0.1.%d", i+1))
	}
	flood := startSlowFlood(t, e.srv.Listener.Addr().String(), attackers, "/slack/commands", forged, 1100)
	waitFor(t, "every flood connection to reach a handler", func() bool {
		return e.a.intake.Reading()+int(e.a.intake.Refused()+e.a.limit.Refused()) >= 1100
	})
	slack := clientFrom("127.0.0.2")
	for i := range 20 {
		form := url.Values{"command": {"/cop"}, "text": {"who Ontario"}, "user_id": {"U0ASKER"},
			"channel_id": {"C0CHAN"}, "response_url": {"https://hooks.slack.com/commands/T0/1/flood"},
			"trigger_id": {fmt.Sprint("flood.", i)}}.Encode()
		resp, err := slack.Do(slacktest.SignedRequest(e.srv.URL+"/slack/commands", testSecret, e.now(), formType, form))
		if err != nil {
			t.Fatalf("signed request %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("signed request %d during the flood: status %d, want 200", i, resp.StatusCode)
		}
	}
	if got := e.a.limit.Refused(); got != 0 {
		t.Errorf("%d requests refused as too many in progress, want 0: the flood holds no place", got)
	}
	flood.stop()
	t.Logf("flood: %d answers (429 or 408), %d connections failed; intake refused %d",
		flood.answered.Load(), flood.failed.Load(), e.a.intake.Refused())
}

// waitFor polls cond, a bounded number of times, while the server's
// goroutines take the flood's connections.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		<-time.After(5 * time.Millisecond)
	}
}
