package slackbot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/storage"
)

// benchRoster is a deterministic roster of n members spread over the 14
// jurisdictions and three orders, a few organizations each.
func benchRoster(n int) []storage.MemberInput {
	js := storage.Jurisdictions()
	rows := make([]storage.MemberInput, n)
	for i := range rows {
		j := js[i%len(js)]
		order := storage.OrderProvincial
		switch {
		case j.Federal():
			order = storage.OrderFederal
		case i%3 == 0:
			order = storage.OrderMunicipal
		}
		rows[i] = storage.MemberInput{
			Name:         fmt.Sprintf("Member %05d", i),
			Email:        fmt.Sprintf("member%05d@example.gc.ca", i),
			Organization: fmt.Sprintf("%s %s office %d", j.Code, order, i%5),
			Order:        order, Jurisdiction: j.Code, Title: "Manager", Language: []string{"en", "fr"}[i%2],
		}
	}
	return rows
}

// BenchmarkSlashWhoOntario sends correctly signed `/cop who Ontario`
// commands over loopback HTTP at concurrency 32 against 10,000 members,
// and reports throughput and the p50/p99 latency seen by the client.
func BenchmarkSlashWhoOntario(b *testing.B) {
	e := newEnv(b)
	if _, err := e.db.ImportMembers(context.Background(), benchRoster(10000)); err != nil {
		b.Fatal(err)
	}
	// Every body differs (trigger_id), as Slack's do: a repeated signed body
	// is refused as a replay. Askers rotate over 64 people per 1,000
	// requests, so that none reaches the per-person rate limit.
	body := func(i int) string {
		return url.Values{"command": {"/cop"}, "text": {"who Ontario"}, "user_id": {fmt.Sprintf("U%05d", i/1000*64+i%64)},
			"channel_id": {"C0"}, "response_url": {"https://hooks.slack.com/commands/T0/1/x"},
			"trigger_id": {fmt.Sprintf("%d.1700000000.bench", i)}}.Encode()
	}
	var next atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if got := benchSend(b, client, e, body(-1)); !strings.Contains(got, "Ontario") || !strings.Contains(got, "Member") {
		b.Fatalf("unexpected answer: %.200s", got)
	}
	const concurrency = 32
	b.SetParallelism((concurrency + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			benchSend(b, client, e, body(int(next.Add(1))))
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	reportPercentiles(b, "", lat)
	// CPU per request (server and client together) tells capacity on a
	// quiet machine even when other processes share the cores.
	b.ReportMetric(millis(cpu)/float64(len(lat)), "cpu-ms/op")
}

// reportPercentiles sorts lat and reports its median and 99th percentile
// in milliseconds, as prefix+"p50-ms" and prefix+"p99-ms".
func reportPercentiles(b *testing.B, prefix string, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(millis(lat[len(lat)/2]), prefix+"p50-ms")
	b.ReportMetric(millis(lat[len(lat)*99/100]), prefix+"p99-ms")
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime is the user+system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSend posts one signed command and returns the answer's body.
func benchSend(b *testing.B, client *http.Client, e *env, form string) string {
	req := slacktest.SignedRequest(e.srv.URL+"/slack/commands", testSecret, time.Now(), formType, form)
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Errorf("status %d", resp.StatusCode)
	}
	return string(body)
}
