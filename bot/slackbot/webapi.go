package slackbot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"copbot/bot/internal/retry"
)

// retryTransport retries Slack calls that failed for a passing reason,
// without ever making one happen twice. A 429 waits for the Retry-After it
// names: Slack refused the call unprocessed. A 5xx or a network error backs
// off exponentially, but only for idempotent calls (see idempotent) or when
// the connection could not even be opened: a post that may have reached
// Slack is not sent again, which would show a reminder or a poll twice. It
// gives up after tries attempts, when the request body cannot be replayed,
// or when the wait would outlast the call's context deadline (the caller
// then sees the last answer, e.g. slack.RateLimitedError).
type retryTransport struct {
	base    http.RoundTripper
	tries   int
	backoff time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
	log     *slog.Logger
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		r, err := replay(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(r)
		wait, again := t.retryAfter(req, resp, err, attempt)
		if !again || !fitsDeadline(req.Context(), wait) {
			return resp, err
		}
		t.log.Warn("slack call retried", "host", req.URL.Host, "path", req.URL.Path,
			"attempt", attempt, "wait", wait, "status", status(resp), "err", err)
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// replay returns the request for an attempt: the original first, then a
// clone with a fresh body.
func replay(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

// retryAfter decides whether attempt failed for a reason that a new
// attempt may cure without repeating the call's effect, and how long to
// wait before it.
func (t *retryTransport) retryAfter(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.tries || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return 0, false
	}
	switch {
	case err != nil:
		if req.Context().Err() != nil || !(idempotent(req) || retry.NotSent(err)) {
			return 0, false
		}
		return t.backoffFor(attempt), true
	case resp.StatusCode == http.StatusTooManyRequests:
		return parseRetryAfter(resp.Header.Get("Retry-After")), true
	case resp.StatusCode >= 500 && idempotent(req):
		return t.backoffFor(attempt), true
	}
	return 0, false
}

// idempotent reports whether repeating req has the effect of sending it
// once: reads, and writes that set a state (chat.update, views.publish).
// Everything else creates something: chat.postMessage, chat.postEphemeral,
// views.open (a second modal) and response_url posts (another message).
// Slack's methods are all POSTs, so the method name decides, not the verb.
func idempotent(req *http.Request) bool {
	switch path.Base(req.URL.Path) {
	case "users.info", "conversations.history", "chat.update", "views.publish", "apps.connections.open":
		return true
	}
	return false
}

// backoffFor doubles the base wait per attempt, with up to 50% jitter so
// that many callers do not retry in step.
func (t *retryTransport) backoffFor(attempt int) time.Duration {
	d := t.backoff << (attempt - 1)
	return d + rand.N(d/2+1)
}

// parseRetryAfter reads Retry-After in seconds (what Slack sends) or as an
// HTTP date; missing or bad values mean one second.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return max(time.Duration(s)*time.Second, time.Second)
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), time.Second)
	}
	return time.Second
}

func fitsDeadline(ctx context.Context, wait time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > wait
}

func status(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// pacer spaces chat.postMessage calls to one per interval per channel,
// Slack's documented limit. Waiters reserve their slot under the lock, so
// concurrent posts queue in arrival order.
type pacer struct {
	mu    sync.Mutex
	every time.Duration
	next  map[string]time.Time
	now   func() time.Time                                 // tests stop the clock
	sleep func(ctx context.Context, d time.Duration) error // and record the waits
}

func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, next: map[string]time.Time{}, now: time.Now, sleep: retry.Sleep}
}

// wait blocks until channel may receive the next message.
func (p *pacer) wait(ctx context.Context, channel string) error {
	p.mu.Lock()
	now := p.now()
	at := p.next[channel]
	if at.Before(now) {
		at = now
	}
	p.next[channel] = at.Add(p.every)
	if len(p.next) > 1024 {
		p.prune(now)
	}
	p.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}

// prune forgets channels whose slot has passed, keeping the map bounded.
func (p *pacer) prune(now time.Time) {
	for ch, t := range p.next {
		if t.Before(now) {
			delete(p.next, ch)
		}
	}
}

// sweep prunes, and moves the channels left to a new map (a Go map keeps
// the buckets of its largest size), so that memory returns to the
// channels being posted to.
func (p *pacer) sweep() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prune(p.now())
	next := make(map[string]time.Time, len(p.next))
	for ch, t := range p.next {
		next[ch] = t
	}
	p.next = next
}

// validResponseURL accepts only the hosts Slack's response_url points at:
// posting anywhere else would let a payload make the bot call any URL.
func validResponseURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return false
	}
	switch u.Hostname() {
	case "hooks.slack.com", "hooks.slack-gov.com":
		return true
	}
	return false
}

var errBadResponseURL = errors.New("response_url is not a Slack hooks URL")
