package slackbot

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConfirmationsKeepTheirConnections: with no Transport configured (as
// in production), response_url posts and Web API calls go through a
// transport that keeps an idle connection for each outbox worker. Go's
// default keeps two per host, so four workers posting confirmations to
// hooks.slack.com closed a connection after every other post and paid a
// TLS handshake for the next (issue 20: keep-alive connections for
// confirmations).
func TestConfirmationsKeepTheirConnections(t *testing.T) {
	workers := defaultTuning().outWorkers
	a := &Adapter{tune: defaultTuning()}
	rt, ok := a.transport().(*retryTransport)
	if !ok {
		t.Fatalf("transport %T, want the retrying transport", a.transport())
	}
	tr, ok := rt.base.(*http.Transport)
	if !ok || tr == http.DefaultTransport || tr.Proxy == nil {
		t.Fatalf("base transport %T (default: %v): want its own, with the proxy from the environment", rt.base, tr == http.DefaultTransport)
	}

	// Each round, every worker posts a confirmation and the fake answers
	// once all of them are in: the round's connections are all busy at
	// once, then all idle before the next round.
	var opened atomic.Int64
	var mu sync.Mutex
	arrived, release := 0, make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		wait := release
		if arrived++; arrived == workers {
			close(release)
			arrived, release = 0, make(chan struct{})
		}
		mu.Unlock()
		<-wait
		io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	tr = tr.Clone()
	tr.Proxy, tr.TLSClientConfig = nil, srv.Client().Transport.(*http.Transport).TLSClientConfig
	client := &http.Client{Transport: tr}
	defer client.CloseIdleConnections()
	const rounds = 20
	for range rounds {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				resp, err := client.Post(srv.URL, "application/json", strings.NewReader(`{"text":"Vote saved"}`))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
	}
	if n := opened.Load(); n > int64(workers) {
		t.Errorf("%d workers posting %d rounds of confirmations opened %d connections, want at most %d", workers, rounds, n, workers)
	}
}

// TestConfirmationsPostedSideBySide: the confirmations of a storm are
// posted many at once, each waiting for Slack's answer on its own, so
// that a voter's does not wait for the round trips of everyone clicking
// before. With four workers, four posts waited for hooks.slack.com while
// every other confirmation queued behind them.
func TestConfirmationsPostedSideBySide(t *testing.T) {
	const clicks = 12 // more than the four of before, at most outboxWorkers
	e := newStormEnv(t, clicks, withTuning(func(tu *tuning) { tu.callTimeout = time.Minute }))
	p := e.postPoll("Accessibility technology", "Serving vulnerable communities")
	for range clicks {
		e.fake.HangAnswer("hook") // each post reaches Slack, whose answer does not come
	}
	client := &http.Client{}
	defer client.CloseIdleConnections()
	for i := range clicks {
		if code, _, err := e.click(client, clickForm(t, p, stormVoter(i), p.Buttons[i%2], i)); err != nil || code != http.StatusOK {
			t.Fatalf("click %d: status %d, err %v", i, code, err)
		}
	}
	posted := func() int { return len(e.fake.Calls("hook")) }
	if !e.fake.Wait(10*time.Second, func() bool { return posted() == clicks }) {
		t.Errorf("%d of %d confirmations posted while Slack answered none: want every one on its way", posted(), clicks)
	}
	e.fake.ReleaseHeld()
	e.a.Close() // the posts given up on are retried before the fake closes
}
