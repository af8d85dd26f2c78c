package teamsbot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// BenchmarkMessageWhoOntario sends authenticated "who Ontario" messages
// over loopback at concurrency 32 to the real Service on a 1,000-member
// roster; each reply is posted to the fake connector before the request
// returns. It reports requests per second and p50/p99 latency.
//
//	go test -run '^$' -bench MessageWhoOntario -benchtime 3000x ./bot/teamsbot/
func BenchmarkMessageWhoOntario(b *testing.B) {
	clk := newClock()
	svc, db := realService(b, clk.Now)
	if _, err := db.ImportMembers(context.Background(), benchRoster(1000)); err != nil {
		b.Fatal(err)
	}
	benchMessages(b, clk, svc)
}

// BenchmarkMessageAdapterOnly is the same traffic answered by a canned
// reply of the same size, measuring the adapter alone (token check,
// parsing, rendering, posting) without the Service and the database.
func BenchmarkMessageAdapterOnly(b *testing.B) {
	clk := newClock()
	svc, db := realService(b, clk.Now)
	if _, err := db.ImportMembers(context.Background(), benchRoster(1000)); err != nil {
		b.Fatal(err)
	}
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: "aad-bench"}, Locale: "en-CA", Text: "who Ontario"}
	benchMessages(b, clk, &recorder{reply: svc.Handle(context.Background(), req)})
}

func benchMessages(b *testing.B, clk *clock, svc service) {
	f := newFakeBF(b, clk)
	bt := startBot(b, f, f.config(), svc, mustTranslator(b))
	_, su := f.inbound("teams-channel-message-at-mention.json")
	// Each request is a new activity (a new id): a repeated id is a
	// redelivery and is not run again.
	var seq atomic.Int64
	body := func() []byte {
		return []byte(`{"type":"message","channelId":"msteams","id":"` + strconv.FormatInt(seq.Add(1), 10) + `","serviceUrl":"` + su + `",
		"text":"<at>copbot</at> who Ontario","locale":"en-CA",
		"from":{"id":"29:u","name":"Bench","aadObjectId":"aad-bench"},"recipient":{"id":"28:bot","name":"copbot"},
		"conversation":{"id":"19:c@thread.tacv2;messageid=1","isGroup":true,"conversationType":"channel"},
		"entities":[{"type":"mention","text":"<at>copbot</at>","mentioned":{"id":"28:bot","name":"copbot"}}]}`)
	}
	authz := "Bearer " + f.sign(f.claims(su), testKid)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	if code := benchPost(client, bt.srv.URL, authz, body()); code != 200 {
		b.Fatalf("warm-up status %d", code)
	}

	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 goroutines on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		mine := make([]time.Duration, 0, 64)
		for pb.Next() {
			t0 := time.Now()
			if code := benchPost(client, bt.srv.URL, authz, body()); code != 200 {
				b.Errorf("status %d", code)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	if n := len(f.recorded()); n < len(lat) {
		b.Errorf("connector got %d replies for %d requests", n, len(lat))
	}
}

func benchPost(c *http.Client, base, authz string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, base+"/teams/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", authz)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// benchRoster is n members spread over the provinces, a fifth in Ontario.
func benchRoster(n int) []storage.MemberInput {
	places := []string{"ON", "QC", "BC", "AB", "NS"}
	orders := []storage.Order{storage.OrderProvincial, storage.OrderMunicipal}
	rows := make([]storage.MemberInput, n)
	for i := range rows {
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Member %04d", i), Email: fmt.Sprintf("m%04d@example.ca", i),
			Organization: fmt.Sprintf("Org %d", i%40), Order: orders[i%2], Jurisdiction: places[i%len(places)],
			Title: "Agent", Language: "en"}
	}
	return rows
}
