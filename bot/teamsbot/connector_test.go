package teamsbot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

const testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// connectorBot returns an adapter with a configured community channel and
// tenant on the fake, and a recorder of the waits between tries.
func connectorBot(t *testing.T, f *fakeBF) (*bot, *[]time.Duration) {
	cfg := f.config()
	cfg.ServiceURL, cfg.ChannelID, cfg.TenantID = f.srv.URL+"/teams/", "19:c@thread.tacv2", testTenant
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	var mu sync.Mutex
	waits := new([]time.Duration)
	b.conn.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return b, waits
}

// script answers connector requests with the given statuses in turn (0:
// the default answer), with Retry-After when retry is set.
func script(statuses []int, retry string) connectorFunc {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > len(statuses) || statuses[n-1] == 0 {
			return false
		}
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		http.Error(w, `{"error":{"code":"x"}}`, statuses[n-1])
		return true
	}
}

// hangUp drops the connection of the nth connector request after it
// arrived: the connector may have acted on it, the bot cannot know.
func hangUp(nth int) connectorFunc {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n != nth {
			return false
		}
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return true
	}
}

// teamsCall is one adapter operation the connector retries.
type teamsCall struct {
	name string
	do   func(b *bot) error
}

var (
	postOp = teamsCall{"post", func(b *bot) error {
		_, err := b.Post(context.Background(), textReply("poll", "en", "x", handlers.InChannel))
		return err
	}}
	updateOp = teamsCall{"update", func(b *bot) error {
		ref := handlers.MessageRef{Platform: storage.PlatformTeams, Channel: "19:c@thread.tacv2;messageid=17", ID: "17"}
		return b.Update(context.Background(), ref, textReply("poll", "en", "x", handlers.InChannel))
	}}
	directOp = teamsCall{"direct", func(b *bot) error {
		return b.Direct(context.Background(), storage.Identity{Platform: storage.PlatformTeams, ID: "aad-1"},
			textReply("poll_reminder", "en", "x", handlers.InChannel))
	}}
)

// TestRetries checks what is retried: what the connector refused without
// acting on it (429, 401) always; a 5xx only when repeating the call is
// harmless (an update, opening a one-to-one chat), never for a post, which
// would show twice.
func TestRetries(t *testing.T) {
	clk := newClock()
	backoff := []time.Duration{500 * time.Millisecond, time.Second}
	tests := []struct {
		name      string
		op        teamsCall
		statuses  []int
		retry     string
		wantErr   bool
		wantCalls int
		wantWaits []time.Duration
	}{
		{"ok", postOp, nil, "", false, 1, nil},
		{"429 honours Retry-After", postOp, []int{429}, "2", false, 2, []time.Duration{2 * time.Second}},
		{"429 with HTTP date", postOp, []int{429}, clk.Now().Add(7 * time.Second).Format(http.TimeFormat), false, 2, []time.Duration{7 * time.Second}},
		{"429 too long gives up", postOp, []int{429}, "3600", true, 1, nil},
		{"401 gets a fresh token", postOp, []int{401}, "", false, 2, []time.Duration{0}},
		{"post: 500 is not repeated", postOp, []int{500}, "", true, 1, nil},
		{"post: 503 is not repeated", postOp, []int{503}, "", true, 1, nil},
		{"update: 5xx backs off", updateOp, []int{500, 503}, "", false, 3, backoff},
		{"update: 5xx three times fails", updateOp, []int{502, 502, 502, 502}, "", true, 3, backoff},
		{"update: 4xx not retried", updateOp, []int{400}, "", true, 1, nil},
		{"update: 403 not retried", updateOp, []int{403}, "", true, 1, nil},
		{"direct: opening the chat is retried", directOp, []int{503}, "", false, 3, backoff[:1]},
		{"direct: the message is not repeated", directOp, []int{0, 503}, "", true, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBF(t, clk)
			f.answer = script(tt.statuses, tt.retry)
			b, waits := connectorBot(t, f)
			err := tt.op.do(b)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
			if _, _, n := f.counts(); n != tt.wantCalls {
				t.Errorf("calls = %d, want %d", n, tt.wantCalls)
			}
			if !reflect.DeepEqual(*waits, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", *waits, tt.wantWaits)
			}
		})
	}
}

// refuseFirst makes the first connector request fail to connect (a real
// "connection refused" from a closed loopback port); later ones go through.
func refuseFirst(t *testing.T, b *bot) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	base := b.conn.client.Transport
	var mu sync.Mutex
	first := true
	b.conn.client.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		refuse := first && r.URL.Path != "/token"
		first = first && !refuse
		mu.Unlock()
		if refuse {
			r = r.Clone(r.Context())
			r.URL.Host, r.Host = closed, closed
		}
		return base.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNetworkErrorRetries: after a broken exchange the connector may have
// posted already, so only harmless calls are sent again; a call that never
// left (no connection) always is.
func TestNetworkErrorRetries(t *testing.T) {
	tests := []struct {
		name      string
		op        teamsCall
		answer    connectorFunc
		refuse    bool
		wantErr   bool
		wantCalls int // that reached the fake connector
	}{
		{"post cut off after arrival", postOp, hangUp(1), false, true, 1},
		{"direct message cut off after arrival", directOp, hangUp(2), false, true, 2},
		{"update cut off after arrival", updateOp, hangUp(1), false, false, 2},
		{"post refused at connect", postOp, nil, true, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBF(t, newClock())
			f.answer = tt.answer
			b, _ := connectorBot(t, f)
			if tt.refuse {
				refuseFirst(t, b)
			}
			if err := tt.op.do(b); (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
			if _, _, n := f.counts(); n != tt.wantCalls {
				t.Errorf("connector calls = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestTokenFailureRetried: when the token service fails, the connector
// call was never sent, so even a post is retried; refused credentials are
// not retried at all.
func TestTokenFailureRetried(t *testing.T) {
	f := newFakeBF(t, newClock())
	f.tokenFails = []int{503}
	b, waits := connectorBot(t, f)
	if err := postOp.do(b); err != nil {
		t.Fatalf("post after a token 503: %v", err)
	}
	if _, tok, n := f.counts(); tok != 1 || n != 1 || f.tokenRequests() != 2 {
		t.Errorf("token fetched %d of %d tries, %d connector calls; want 1 of 2, and 1", tok, f.tokenRequests(), n)
	}
	if want := []time.Duration{500 * time.Millisecond}; !reflect.DeepEqual(*waits, want) {
		t.Errorf("waits = %v, want %v", *waits, want)
	}
}

// deadlines records the deadline of every connector request's context.
type deadlines struct {
	mu   sync.Mutex
	seen []time.Time
	none int // requests without a deadline
}

func (d *deadlines) wrap(base http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/token" {
			d.mu.Lock()
			if dl, ok := r.Context().Deadline(); ok {
				d.seen = append(d.seen, dl)
			} else {
				d.none++
			}
			d.mu.Unlock()
		}
		return base.RoundTrip(r)
	})
}

// TestCallTimeout checks that a connector that never answers costs one
// bounded try per attempt, not a hung request: every try carries its own
// deadline although the caller set none, and ends with a deadline error.
// A post is tried once (it may have arrived), an update three times.
func TestCallTimeout(t *testing.T) {
	tests := []struct {
		op        teamsCall
		wantTries int
	}{{postOp, 1}, {updateOp, 3}}
	for _, tt := range tests {
		t.Run(tt.op.name, func(t *testing.T) {
			f := newFakeBF(t, newClock())
			release := make(chan struct{})
			defer close(release)
			var mu sync.Mutex
			var stuck bool
			f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
				select {
				case <-release:
				case <-r.Context().Done(): // the bot gave up the try
				case <-time.After(10 * time.Second): // only turns a hang into a failure
					mu.Lock()
					stuck = true
					mu.Unlock()
				}
				return true
			}
			b, _ := connectorBot(t, f)
			b.conn.callTimeout = 50 * time.Millisecond
			dl := &deadlines{}
			b.conn.client.Transport = dl.wrap(b.conn.client.Transport)
			if err := tt.op.do(b); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want a deadline error", err)
			}
			if _, _, n := f.counts(); n != tt.wantTries {
				t.Errorf("tries = %d, want %d", n, tt.wantTries)
			}
			dl.mu.Lock()
			defer dl.mu.Unlock()
			if len(dl.seen) != tt.wantTries || dl.none != 0 {
				t.Errorf("%d tries with a deadline, %d without; want %d with", len(dl.seen), dl.none, tt.wantTries)
			}
			for i := 1; i < len(dl.seen); i++ {
				if !dl.seen[i].After(dl.seen[i-1]) {
					t.Errorf("try %d shares the deadline of the one before: not one timeout per try", i+1)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if stuck {
				t.Error("a try outlived its deadline")
			}
		})
	}
}

// TestBotToken checks the token is fetched once, reused until it nears
// expiry, and dropped when the connector refuses it.
func TestBotToken(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	b, _ := connectorBot(t, f)
	ctx := context.Background()
	post := func() {
		t.Helper()
		if _, err := b.Post(ctx, textReply("poll", "en", "x", handlers.InChannel)); err != nil {
			t.Fatal(err)
		}
	}
	lastAuth := func() string { c := f.recorded(); return c[len(c)-1].Auth }
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); post() }()
	}
	wg.Wait()
	if _, tok, _ := f.counts(); tok != 1 {
		t.Errorf("token fetched %d times for 8 concurrent posts, want 1", tok)
	}
	clk.Add(54 * time.Minute) // 1 h token, renewed 5 min before expiry
	post()
	if _, tok, _ := f.counts(); tok != 1 || lastAuth() != "Bearer bot-token-1" {
		t.Errorf("after 54 min: token fetches = %d, auth %s; want the cached token", tok, lastAuth())
	}
	clk.Add(2 * time.Minute)
	post()
	if _, tok, _ := f.counts(); tok != 2 || lastAuth() != "Bearer bot-token-2" {
		t.Errorf("after 56 min: token fetches = %d, auth %s; want a new token", tok, lastAuth())
	}
	f.mu.Lock()
	f.answer = script([]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 401}, "")
	f.mu.Unlock()
	post()
	if _, tok, _ := f.counts(); tok != 3 || lastAuth() != "Bearer bot-token-3" {
		t.Errorf("after a 401: token fetches = %d, auth %s; want a fresh token", tok, lastAuth())
	}
}

// TestBadCredentials checks that a refused client secret is reported and
// not retried.
func TestBadCredentials(t *testing.T) {
	f := newFakeBF(t, newClock())
	cfg := f.config()
	cfg.AppPassword = "wrong"
	cfg.ServiceURL, cfg.ChannelID = f.srv.URL+"/teams/", "19:c@thread.tacv2"
	b := startBot(t, f, cfg, &recorder{}, mustTranslator(t))
	_, err := b.Post(context.Background(), textReply("poll", "en", "x", handlers.InChannel))
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Errorf("err = %v, want the token service's 401", err)
	}
	if _, _, n := f.counts(); n != 0 || f.tokenRequests() != 1 {
		t.Errorf("connector calls = %d, token requests = %d; want 0 and 1", n, f.tokenRequests())
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {" 10 ", 10 * time.Second}, {"-1", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}
