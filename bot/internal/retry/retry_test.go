package retry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// An hour-long sleep on a cancelled context must return its error at
	// once: if it did not, the test would hang, not pass.
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
}

// TestNotSent uses real failures from net/http on loopback.
func TestNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()
	_, refused := http.Post("http://"+closedAddr+"/x", "text/plain", nil)

	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the request arrived; the answer never comes
		}
	}))
	defer hangUp.Close()
	_, afterArrival := http.Post(hangUp.URL, "text/plain", nil)

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"wrapped connection refused", fmt.Errorf("slack: %w", refused), true},
		{"server hung up after the request", afterArrival, false},
		{"timeout", context.DeadlineExceeded, false},
		{"other", errors.New("connection reset by peer"), false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		if tt.err == nil && tt.name != "no error" {
			t.Fatalf("%s: the scenario produced no error", tt.name)
		}
		if got := NotSent(tt.err); got != tt.want {
			t.Errorf("%s: NotSent(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
