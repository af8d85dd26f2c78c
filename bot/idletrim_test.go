package bot

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"copbot/scheduler/clocktest"
)

// TestIdleTrimOncePerIdlePeriod: the heap is handed back once a whole
// period passes without a request, once per idle period, and not while
// requests come (health checks aside); close stops it.
func TestIdleTrimOncePerIdlePeriod(t *testing.T) {
	clock := clocktest.New(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC))
	trims := 0
	it := &idleTrim{clock: clock, after: 5 * time.Second, trim: func() { trims++ }}
	h := it.wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	request := func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/slack/commands", nil))
	}
	it.start()
	steps := []struct {
		what    string
		request bool
		advance time.Duration
		want    int
	}{
		{"a request, then 4 s", true, 4 * time.Second, 0},
		{"the first check sees the request", false, time.Second, 0},
		{"a whole idle period", false, 5 * time.Second, 1},
		{"still idle: once is enough", false, 20 * time.Second, 1},
		{"requests every 3 s", true, 3 * time.Second, 1},
		{"…", true, 3 * time.Second, 1},
		{"…", true, 3 * time.Second, 1},
		{"idle again", false, 10 * time.Second, 2},
	}
	for _, s := range steps {
		if s.request {
			request()
		}
		clock.Advance(s.advance)
		if trims != s.want {
			t.Fatalf("%s: %d trims, want %d", s.what, trims, s.want)
		}
	}
	request()
	for range 5 { // health checks do not count as activity
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
		clock.Advance(3 * time.Second)
	}
	if trims != 3 {
		t.Fatalf("idle but for /healthz polls: %d trims, want 3", trims)
	}
	request()
	it.close()
	clock.Advance(time.Minute)
	if trims != 3 || clock.Pending() != 0 {
		t.Errorf("after close: %d trims (want 3), %d timers pending (want 0)", trims, clock.Pending())
	}
}
