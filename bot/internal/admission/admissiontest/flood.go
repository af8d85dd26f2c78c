// Package admissiontest floods a server the way an attacker without
// credentials would, for tests of the admission story.
package admissiontest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Flood holds connections that send a request's headers and never its
// body. A connection the server answers or closes is opened again, at
// most every 100 ms, until Stop.
type Flood struct {
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	answered atomic.Int64
	failed   atomic.Int64
}

// SlowBodies starts n such connections to addr, leaving from the loopback
// addresses froms in turn (Linux routes all of 127.0.0.0/8 to loopback),
// each a POST to path with headers. It stops when t ends, if not before.
func SlowBodies(t testing.TB, addr string, froms []string, path string, headers map[string]string, n int) *Flood {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Flood{cancel: cancel}
	for i := range n {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(froms[i%len(froms)])}}
		f.wg.Go(func() {
			for ctx.Err() == nil {
				f.hold(ctx, &d, addr, path, headers)
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	t.Cleanup(f.Stop)
	return f
}

// hold sends one slow request and waits for its answer, or for ctx.
func (f *Flood) hold(ctx context.Context, d *net.Dialer, addr, path string, headers map[string]string) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		f.failed.Add(1)
		return
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: copbot\r\nContent-Length: 1000\r\n", path)
	for k, v := range headers {
		fmt.Fprintf(c, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(c, "\r\n{")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		f.failed.Add(1)
		return
	}
	f.answered.Add(1)
}

// Stop closes every connection and waits for them.
func (f *Flood) Stop() {
	f.cancel()
	f.wg.Wait()
}

// String says how the server treated the flood.
func (f *Flood) String() string {
	return fmt.Sprintf("%d answers (429 or 408), %d connections failed", f.answered.Load(), f.failed.Load())
}

// Addresses returns n loopback addresses of attackers, 127.0.1.1 on.
func Addresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.1.%d", i+1)
	}
	return out
}

// ClientFrom is an HTTP client whose connections leave from the loopback
// address from.
func ClientFrom(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// WaitFor polls cond, a bounded number of times, while the server's
// goroutines take a flood's connections.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		<-time.After(5 * time.Millisecond)
	}
}
