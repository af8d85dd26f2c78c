package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"copbot/bot/slackbot/slacktest"
)

// result is one phase against one server.
type result struct {
	name     string
	n        int // requests sent
	errors   int // transport errors, non-200 answers, or answers check refused
	elapsed  time.Duration
	lat      []time.Duration // sorted
	cpu      time.Duration   // server CPU over the phase
	peakKB   int64           // server VmHWM over the phase
	rssKB    int64           // server VmRSS at the end
	accepted []bool          // per request: 200 and accepted by check
	sent     []time.Time     // per request: when it was sent
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))]
}

func (r result) cpuPerReq() time.Duration { return r.cpu / time.Duration(max(r.n, 1)) }

// phase is n signed POSTs of form(i) to path at concurrency c. check, if
// set, accepts an answer's body.
type phase struct {
	name  string
	path  string
	n, c  int
	form  func(i int) string
	check func(body []byte) bool
}

// drive runs ph against s and measures it, including the server's CPU and
// peak memory from /proc.
func drive(ctx context.Context, s *server, ph phase) (result, error) {
	pid := s.cmd.Process.Pid
	resetPeak(pid)
	before, err := readProc(pid)
	if err != nil {
		return result{}, err
	}
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: ph.c, MaxConnsPerHost: ph.c}}
	defer client.CloseIdleConnections()
	r := result{name: ph.name, n: ph.n, lat: make([]time.Duration, ph.n), accepted: make([]bool, ph.n),
		sent: make([]time.Time, ph.n)}
	var next atomic.Int64
	var errs atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for range ph.c {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < ph.n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				form := ph.form(i)
				r.sent[i] = time.Now()
				d, ok := send(ctx, client, s.url+ph.path, form, ph.check)
				r.lat[i], r.accepted[i] = d, ok
				if !ok {
					errs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(t0)
	after, err := readProc(pid)
	if err != nil {
		return r, err
	}
	r.errors, r.cpu, r.peakKB, r.rssKB = int(errs.Load()), after.cpu-before.cpu, after.hwmKB, after.rssKB
	slices.Sort(r.lat)
	return r, ctx.Err()
}

func send(ctx context.Context, client *http.Client, url, form string, check func([]byte) bool) (time.Duration, bool) {
	req := slacktest.SignedRequest(url, secret, time.Now(), "application/x-www-form-urlencoded", form)
	t0 := time.Now()
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return time.Since(t0), false
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	return d, err == nil && resp.StatusCode == http.StatusOK && (check == nil || check(body))
}
