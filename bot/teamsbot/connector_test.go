package teamsbot

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
)

// connectorBot returns an adapter with a configured community channel on
// the fake, and a recorder of the waits between tries.
func connectorBot(t *testing.T, f *fakeBF) (*bot, *[]time.Duration) {
	cfg := f.config()
	cfg.ServiceURL, cfg.ChannelID = f.srv.URL+"/teams/", "19:c@thread.tacv2"
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

func TestRetries(t *testing.T) {
	clk := newClock()
	tests := []struct {
		name      string
		statuses  []int
		retry     string
		wantErr   bool
		wantCalls int
		wantWaits []time.Duration
	}{
		{"ok", nil, "", false, 1, nil},
		{"429 honours Retry-After", []int{429}, "2", false, 2, []time.Duration{2 * time.Second}},
		{"429 with HTTP date", []int{429}, clk.Now().Add(7 * time.Second).Format(http.TimeFormat), false, 2, []time.Duration{7 * time.Second}},
		{"429 too long gives up", []int{429}, "3600", true, 1, nil},
		{"5xx backs off", []int{500, 503}, "", false, 3, []time.Duration{500 * time.Millisecond, time.Second}},
		{"5xx three times fails", []int{502, 502, 502, 502}, "", true, 3, []time.Duration{500 * time.Millisecond, time.Second}},
		{"4xx not retried", []int{400}, "", true, 1, nil},
		{"403 not retried", []int{403}, "", true, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeBF(t, clk)
			f.answer = script(tt.statuses, tt.retry)
			b, waits := connectorBot(t, f)
			_, err := b.Post(context.Background(), textReply("poll", "en", "x", handlers.InChannel))
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

// TestCallTimeout checks that a connector that never answers costs one
// timeout per try, not a hung request.
func TestCallTimeout(t *testing.T) {
	f := newFakeBF(t, newClock())
	release := make(chan struct{})
	defer close(release)
	f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	b, _ := connectorBot(t, f)
	b.conn.callTimeout = 50 * time.Millisecond
	start := time.Now()
	_, err := b.Post(context.Background(), textReply("poll", "en", "x", handlers.InChannel))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline error", err)
	}
	if _, _, n := f.counts(); n != 3 {
		t.Errorf("tries = %d, want 3", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
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
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("connector calls = %d, want 0", n)
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
