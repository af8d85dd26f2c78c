package slackbot

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"copbot/handlers"
	"copbot/storage"
)

// sleepLog records the waits the retry transport asks for, without waiting.
type sleepLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func (s *sleepLog) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}

// failure is one answer the fake Slack gives instead of success.
type failure struct {
	status     int
	retryAfter string
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var notice = handlers.Reply{Kind: "reminder", Lang: "en", Text: "Meeting tomorrow",
	Blocks: []handlers.Block{handlers.Section{Text: "Meeting tomorrow"}}}

func TestPostRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  []failure
		wantCalls int
		wantErr   bool
		check     func(t *testing.T, waits []time.Duration)
	}{
		{"429 honours Retry-After", []failure{{429, "2"}}, 2, false, func(t *testing.T, w []time.Duration) {
			if len(w) != 1 || w[0] != 2*time.Second {
				t.Errorf("waits %v, want [2s]", w)
			}
		}},
		{"429 without Retry-After waits a second", []failure{{429, ""}}, 2, false, func(t *testing.T, w []time.Duration) {
			if len(w) != 1 || w[0] != time.Second {
				t.Errorf("waits %v, want [1s]", w)
			}
		}},
		{"500 then 503 then success", []failure{{500, ""}, {503, ""}}, 3, false, func(t *testing.T, w []time.Duration) {
			// Test backoff is 1ms doubling, plus up to 50% jitter.
			if len(w) != 2 || w[0] < time.Millisecond || w[0] > 1500*time.Microsecond ||
				w[1] < 2*time.Millisecond || w[1] > 3*time.Millisecond {
				t.Errorf("waits %v, want about [1ms 2ms] plus jitter", w)
			}
		}},
		{"three 500s give up", []failure{{500, ""}, {500, ""}, {500, ""}, {500, ""}}, 3, true, nil},
		{"Retry-After beyond the call timeout fails fast", []failure{{429, "60"}}, 1, true, func(t *testing.T, w []time.Duration) {
			if len(w) != 0 {
				t.Errorf("waited %v although the wait outlasts the deadline", w)
			}
		}},
		{"400 is not retried", []failure{{400, ""}}, 1, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sl := &sleepLog{}
			e := newEnv(t, withTuning(func(tu *tuning) { tu.sleep = sl.sleep }))
			for _, f := range tt.failures {
				e.fake.Fail("chat.postMessage", f.status, f.retryAfter)
			}
			refs, err := e.a.Post(context.Background(), notice)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Post error = %v, wantErr %v", err, tt.wantErr)
			}
			if n := len(e.fake.Calls("chat.postMessage")); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
			if !tt.wantErr && (len(refs) != 1 || refs[0].Channel != "C0COMMUNITY" || refs[0].ID == "" ||
				refs[0].Platform != storage.PlatformSlack) {
				t.Errorf("refs = %+v", refs)
			}
			if tt.check != nil {
				tt.check(t, sl.got())
			}
		})
	}
}

func TestRateLimitErrorSurfaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.Fail("chat.postMessage", 429, "60")
	_, err := e.a.Post(context.Background(), notice)
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Errorf("err = %v, want a RateLimitedError with RetryAfter 1m", err)
	}
}

func TestNetworkErrorRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	var e *env
	flaky := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			return nil, errors.New("connection reset by peer")
		}
		return e.fake.Transport().RoundTrip(r)
	})
	e = newEnv(t, withConfig(func(c *Config) { c.Transport = flaky }))
	if _, err := e.a.Post(context.Background(), notice); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if got := len(e.fake.Calls("chat.postMessage")); n.Load() != 2 || got != 1 {
		t.Errorf("%d attempts, %d reached Slack; want 2 and 1", n.Load(), got)
	}
}

func TestPostPacedPerChannel(t *testing.T) {
	const pace = 80 * time.Millisecond
	e := newEnv(t, withTuning(func(tu *tuning) { tu.pace = pace }))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := e.a.Post(context.Background(), notice); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	calls := e.fake.Calls("chat.postMessage")
	if len(calls) != 4 {
		t.Fatalf("%d posts", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		// The fake stamps arrival; allow for scheduling jitter on loopback.
		if gap := calls[i].At.Sub(calls[i-1].At); gap < pace-15*time.Millisecond {
			t.Errorf("posts %d and %d only %v apart, want about %v", i-1, i, gap, pace)
		}
	}
}

func TestPostWithoutChannel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withConfig(func(c *Config) { c.Channel = "" }))
	if _, err := e.a.Post(context.Background(), notice); err == nil {
		t.Error("Post without a channel succeeded")
	}
	if len(e.fake.Calls("")) != 0 {
		t.Error("Post without a channel called Slack")
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ref := handlers.MessageRef{Platform: storage.PlatformSlack, Channel: "C0COMMUNITY", ID: "1700000000.000042"}
	if err := e.a.Update(context.Background(), ref, notice); err != nil {
		t.Fatal(err)
	}
	up := e.fake.Calls("chat.update")
	if len(up) != 1 || up[0].Form.Get("channel") != "C0COMMUNITY" || up[0].Form.Get("ts") != "1700000000.000042" ||
		up[0].Form.Get("text") != "Meeting tomorrow" {
		t.Errorf("chat.update calls %v", up)
	}
	teams := handlers.MessageRef{Platform: storage.PlatformTeams, Channel: "x", ID: "y"}
	if err := e.a.Update(context.Background(), teams, notice); err == nil {
		t.Error("updating a Teams message through Slack succeeded")
	}
}

func TestResponseURLMustBeSlack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want bool
	}{
		{"https://hooks.slack.com/commands/T1/2/x", true},
		{"https://hooks.slack-gov.com/actions/T1/2/x", true},
		{"http://hooks.slack.com/commands/T1/2/x", false},
		{"https://hooks.slack.com.evil.example/x", false},
		{"https://evil.example/?https://hooks.slack.com/", false},
		{"https://127.0.0.1:8080/x", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := validResponseURL(tt.url); got != tt.want {
			t.Errorf("validResponseURL(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestTTLCache(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := newTTLCache[int](time.Minute, 3, func() time.Time { return now })
	for i, k := range []string{"a", "b", "c", "d"} {
		c.Put(k, i)
	}
	if _, ok := c.Get("a"); ok || c.Len() != 3 {
		t.Errorf("oldest entry kept past the bound (len %d)", c.Len())
	}
	if v, ok := c.Get("d"); !ok || v != 3 {
		t.Errorf("Get(d) = %v, %v", v, ok)
	}
	if c.Add("d", 9) {
		t.Error("Add over a live entry succeeded")
	}
	now = now.Add(time.Minute)
	if _, ok := c.Get("d"); ok {
		t.Error("entry outlived its TTL")
	}
	if !c.Add("d", 9) {
		t.Error("Add over an expired entry failed")
	}
}

// gateService blocks Handle until its gate opens, announcing each call.
type gateService struct {
	service
	in   chan time.Time
	gate chan struct{}
}

func (g gateService) Handle(ctx context.Context, req handlers.Request) handlers.Reply {
	g.in <- time.Now()
	<-g.gate
	return handlers.Reply{}
}

func TestAdmittedQueuesThenOverflows(t *testing.T) {
	t.Parallel()
	g := gateService{in: make(chan time.Time, 4), gate: make(chan struct{})}
	const wait = 50 * time.Millisecond
	s := &admitted{service: g, slots: make(chan struct{}, 1), wait: wait}
	var wg sync.WaitGroup
	wg.Go(func() { s.Handle(context.Background(), handlers.Request{}) })
	<-g.in // the first call holds the only slot
	start := time.Now()
	wg.Go(func() { s.Handle(context.Background(), handlers.Request{}) })
	second := <-g.in // runs although the first never finished
	if waited := second.Sub(start); waited < wait {
		t.Errorf("second call ran after %v, before its %v wait for a slot", waited, wait)
	}
	close(g.gate)
	wg.Wait()
	if n := len(s.slots); n != 0 {
		t.Errorf("%d slots still taken after both calls returned", n)
	}
}
