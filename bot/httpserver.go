package bot

import (
	"context"
	"net"
	"net/http"
	"time"
)

// httpLimits bound what one connection may hold. A legitimate Slack or
// Teams callback is a few kilobytes sent at once, so a request still
// arriving after readTimeout is cut before any signature check: slow
// senders cannot pile up connections (issue 9, finding 7).
type httpLimits struct {
	readHeader time.Duration // request line and headers
	read       time.Duration // the whole request, body included
	// write bounds a response from the end of the request's headers. Slack
	// gives up after 3 s and copbot answers within 2.5 s; Teams waits up to
	// 15 s for an activity's answer, which copbot bounds at 12 s.
	write     time.Duration
	idle      time.Duration // a kept-alive connection between requests
	maxHeader int           // bytes; platform headers (a JWT included) are under 8 KiB
}

func defaultHTTPLimits() httpLimits {
	return httpLimits{readHeader: 5 * time.Second, read: 10 * time.Second,
		write: 20 * time.Second, idle: 60 * time.Second, maxHeader: 64 << 10}
}

// newServer is the HTTP server of `copbot serve`, with lim applied.
// Request contexts outlive ctx's cancellation so that in-flight work can
// finish during a graceful shutdown.
func newServer(ctx context.Context, h http.Handler, lim httpLimits) *http.Server {
	return &http.Server{Handler: h,
		ReadHeaderTimeout: lim.readHeader, ReadTimeout: lim.read,
		WriteTimeout: lim.write, IdleTimeout: lim.idle, MaxHeaderBytes: lim.maxHeader,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
}
