package slackbot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"copbot/bot/internal/admission"
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

// slackCall is one adapter operation, named by the Web API method it uses.
type slackCall struct {
	method string
	do     func(e *env) error
}

var (
	postCall = slackCall{"chat.postMessage", func(e *env) error {
		refs, err := e.a.Post(context.Background(), notice)
		if err == nil && (len(refs) != 1 || refs[0].Channel != "C0COMMUNITY" || refs[0].ID == "" ||
			refs[0].Platform != storage.PlatformSlack) {
			e.t.Errorf("refs = %+v", refs)
		}
		return err
	}}
	updateCall = slackCall{"chat.update", func(e *env) error {
		ref := handlers.MessageRef{Platform: storage.PlatformSlack, Channel: "C0COMMUNITY", ID: "1700000000.000042"}
		return e.a.Update(context.Background(), ref, notice)
	}}
	directCall = slackCall{"chat.postMessage", func(e *env) error {
		return e.a.Direct(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U0VOTER"}, notice)
	}}
)

// TestRetries checks which failures are retried: a 429 always (Slack did
// not process the call), a 5xx only for calls that are safe to repeat. A
// post retried after a 5xx could show a reminder or a poll card twice.
func TestRetries(t *testing.T) {
	t.Parallel()
	oneSecond := func(t *testing.T, w []time.Duration) {
		if len(w) != 1 || w[0] != time.Second {
			t.Errorf("waits %v, want [1s]", w)
		}
	}
	backedOff := func(t *testing.T, w []time.Duration) {
		// Test backoff is 1ms doubling, plus up to 50% jitter.
		if len(w) != 2 || w[0] < time.Millisecond || w[0] > 1500*time.Microsecond ||
			w[1] < 2*time.Millisecond || w[1] > 3*time.Millisecond {
			t.Errorf("waits %v, want about [1ms 2ms] plus jitter", w)
		}
	}
	noWait := func(t *testing.T, w []time.Duration) {
		if len(w) != 0 {
			t.Errorf("waited %v, want no retry", w)
		}
	}
	tests := []struct {
		name      string
		call      slackCall
		failures  []failure
		wantCalls int
		wantErr   bool
		check     func(t *testing.T, waits []time.Duration)
	}{
		{"post: 429 honours Retry-After", postCall, []failure{{429, "2"}}, 2, false, func(t *testing.T, w []time.Duration) {
			if len(w) != 1 || w[0] != 2*time.Second {
				t.Errorf("waits %v, want [2s]", w)
			}
		}},
		{"post: 429 without Retry-After waits a second", postCall, []failure{{429, ""}}, 2, false, oneSecond},
		{"post: 500 is not repeated", postCall, []failure{{500, ""}}, 1, true, noWait},
		{"post: 503 is not repeated", postCall, []failure{{503, ""}}, 1, true, noWait},
		{"direct: 500 is not repeated", directCall, []failure{{500, ""}}, 1, true, noWait},
		{"direct: 429 is retried", directCall, []failure{{429, ""}}, 2, false, oneSecond},
		{"post: Retry-After beyond the call timeout fails fast", postCall, []failure{{429, "60"}}, 1, true, noWait},
		{"post: 400 is not retried", postCall, []failure{{400, ""}}, 1, true, noWait},
		{"update: 500 then 503 then success", updateCall, []failure{{500, ""}, {503, ""}}, 3, false, backedOff},
		{"update: three 500s give up", updateCall, []failure{{500, ""}, {500, ""}, {500, ""}, {500, ""}}, 3, true, nil},
		{"update: 429 is retried", updateCall, []failure{{429, ""}}, 2, false, oneSecond},
		{"update: 400 is not retried", updateCall, []failure{{400, ""}}, 1, true, noWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sl := &sleepLog{}
			e := newEnv(t, withTuning(func(tu *tuning) { tu.sleep = sl.sleep }))
			for _, f := range tt.failures {
				e.fake.Fail(tt.call.method, f.status, f.retryAfter)
			}
			if err := tt.call.do(e); (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if n := len(e.fake.Calls(tt.call.method)); n != tt.wantCalls {
				t.Errorf("%d %s calls, want %d", n, tt.call.method, tt.wantCalls)
			}
			if tt.check != nil {
				tt.check(t, sl.got())
			}
		})
	}
}

// TestViewsOpenNotRepeated: a second views.open after a 5xx could open the
// form twice; the person gets the one-line fallback instead.
func TestViewsOpenNotRepeated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.Fail("views.open", 500, "")
	e.command("join", "U0NEW")
	e.a.Close()
	if n := len(e.fake.Calls("views.open")); n != 1 {
		t.Errorf("%d views.open calls after a 500, want 1", n)
	}
	if n := len(e.fake.Calls("hook")); n != 1 {
		t.Errorf("%d response_url posts, want the fallback once", n)
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

// refusedDial sends r to a loopback port nobody listens on: a real
// "connection refused", raised before any byte of the request is written.
func refusedDial(t testing.TB) roundTripFunc {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Host, r.Host = addr, addr
		return tr.RoundTrip(r)
	}
}

// TestNetworkErrorRetries checks that after a network error only calls
// that are safe to repeat, or that certainly never left, are sent again.
func TestNetworkErrorRetries(t *testing.T) {
	t.Parallel()
	reset := func(testing.TB) roundTripFunc {
		return func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }
	}
	tests := []struct {
		name         string
		call         slackCall
		first        func(testing.TB) roundTripFunc // the first attempt's fate
		wantAttempts int32
		wantErr      bool
	}{
		{"post after a reset may have arrived", postCall, reset, 1, true},
		{"direct after a reset may have arrived", directCall, reset, 1, true},
		{"post never sent: connection refused", postCall, refusedDial, 2, false},
		{"update after a reset is repeated", updateCall, reset, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			var e *env
			first := tt.first(t)
			flaky := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if n.Add(1) == 1 {
					return first(r)
				}
				return e.fake.Transport().RoundTrip(r)
			})
			e = newEnv(t, withConfig(func(c *Config) { c.Transport = flaky }))
			if err := tt.call.do(e); (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			wantArrived := int(tt.wantAttempts) - 1
			if got := len(e.fake.Calls(tt.call.method)); n.Load() != tt.wantAttempts || got != wantArrived {
				t.Errorf("%d attempts, %d reached Slack; want %d and %d", n.Load(), got, tt.wantAttempts, wantArrived)
			}
		})
	}
}

// TestPostPacedPerChannel stops the pacer's clock: concurrent posts to one
// channel must each wait one more interval than the previous one, while
// another channel is not held up. The waits are recorded, not slept.
func TestPostPacedPerChannel(t *testing.T) {
	t.Parallel()
	const pace = 80 * time.Millisecond
	e := newEnv(t, withTuning(func(tu *tuning) { tu.pace = pace }))
	sl := &sleepLog{}
	frozen := time.Unix(1_700_000_000, 0)
	e.a.pace.now = func() time.Time { return frozen }
	e.a.pace.sleep = sl.sleep
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := e.a.Post(context.Background(), notice); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := e.a.Direct(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U0OTHER"}, notice); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Calls("chat.postMessage")); n != 5 {
		t.Fatalf("%d posts, want 5", n)
	}
	got := sl.got()
	slices.Sort(got)
	if want := []time.Duration{pace, 2 * pace, 3 * pace}; !slices.Equal(got, want) {
		t.Errorf("pacer waits %v, want %v (none for the first post nor for another channel)", got, want)
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

// gateService blocks Handle until its gate opens, announcing each call
// with whether its context had ended.
type gateService struct {
	service
	in   chan bool
	gate chan struct{}
}

func (g gateService) Handle(ctx context.Context, req handlers.Request) handlers.Reply {
	g.in <- ctx.Err() != nil
	<-g.gate
	return handlers.Reply{}
}

func TestTurnTakingQueuesUntilTheContextEnds(t *testing.T) {
	t.Parallel()
	g := gateService{in: make(chan bool, 4), gate: make(chan struct{})}
	s := turnTaking{service: g, limit: admission.NewLimit(4, 1)}
	var wg sync.WaitGroup
	wg.Go(func() { s.Handle(context.Background(), handlers.Request{}) })
	<-g.in // the first call holds the only slot
	ctx, cancel := context.WithCancel(context.Background())
	wg.Go(func() { s.Handle(ctx, handlers.Request{}) })
	select {
	case <-g.in:
		t.Fatal("second call ran while the only slot was taken")
	default:
	}
	cancel()
	if ended := <-g.in; !ended {
		t.Error("second call ran with a live context: it should give up waiting only when it ended")
	}
	close(g.gate)
	wg.Wait()
	if !s.limit.TurnFree() {
		t.Error("the turn is still taken after both calls returned")
	}
}
