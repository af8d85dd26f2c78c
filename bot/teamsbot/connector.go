package teamsbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"copbot/bot/internal/retry"
)

// connector is the outbound Bot Connector client: it gets and caches the
// bot's token and retries what may be retried without doing anything twice
// (see again). It is safe for concurrent use.
type connector struct {
	appID, password, tokenURL string
	client                    *http.Client
	now                       func() time.Time
	// sleep waits between tries; tests replace it to record the waits.
	sleep func(ctx context.Context, d time.Duration) error

	callTimeout   time.Duration // per try
	backoff       time.Duration // first wait after a 5xx; doubles
	tries         int
	maxRetryAfter time.Duration // longer Retry-After gives up instead

	bot tokens // for the Bot Connector
}

// tokens caches the access token of one scope, got with the bot's client
// credentials from the token service.
type tokens struct {
	scope   string
	mu      sync.Mutex // held while fetching, so one fetch serves all
	token   string
	expires time.Time
}

const (
	botScope       = "https://api.botframework.com/.default"
	tokenMargin    = 5 * time.Minute // renew this long before expiry
	maxRespBytes   = 1 << 20
	maxErrBodyShow = 512
)

func newConnector(cfg Config, client *http.Client, now func() time.Time) *connector {
	return &connector{appID: cfg.AppID, password: cfg.AppPassword, tokenURL: cfg.TokenURL,
		client: client, now: now, sleep: retry.Sleep, callTimeout: 10 * time.Second,
		backoff: 500 * time.Millisecond, tries: 3, maxRetryAfter: 30 * time.Second, bot: tokens{scope: botScope}}
}

// effect says what sending a call twice would do, which decides whether a
// failure that may have followed its arrival is retried.
type effect int

const (
	// creates: the call makes something new (a message, a channel thread).
	// A second try after a 5xx or a broken connection could post it twice.
	creates effect = iota
	// sameAgain: repeating it leaves the same result (PUT updating a
	// message; opening the one-to-one chat, which returns the same id).
	sameAgain
)

// apiError is a non-2xx answer from the connector or the token service.
type apiError struct {
	Method, URL string
	Status      int
	Body        string
	RetryAfter  time.Duration
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.Status, e.Body)
}

// retryable reports whether another try may succeed.
func (e *apiError) retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// tokenError is a failure to get the bot token: the connector call it was
// for was never sent, so retrying it cannot repeat anything.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "bot token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

var errNoToken = errors.New("empty token in answer")

// botToken returns a cached Bot Connector token, fetching one when none is
// valid.
func (c *connector) botToken(ctx context.Context) (string, error) { return c.tokenFor(ctx, &c.bot) }

// tokenFor returns ts's cached token, fetching one when none is valid.
func (c *connector) tokenFor(ctx context.Context, ts *tokens) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token != "" && c.now().Before(ts.expires) {
		return ts.token, nil
	}
	tok, ttl, err := c.fetchToken(ctx, ts.scope)
	if err != nil {
		return "", &tokenError{err}
	}
	ts.token, ts.expires = tok, c.now().Add(ttl-tokenMargin)
	return tok, nil
}

// drop forgets tok after the service it was for refused it.
func (ts *tokens) drop(tok string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token == tok {
		ts.token = ""
	}
}

func (c *connector) fetchToken(ctx context.Context, scope string) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.callTimeout)
	defer cancel()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.appID},
		"client_secret": {c.password}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.send(req, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, errNoToken
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// call sends body as JSON with the bot token and decodes the answer into
// out (if not nil). eff says whether the call may be repeated after it may
// have arrived; see again for what is retried. At most c.tries tries in
// all; 429 waits for Retry-After, other retries back off.
func (c *connector) call(ctx context.Context, method, u string, body, out any, eff effect) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	var last error
	for try := 0; try < c.tries; try++ {
		if try > 0 {
			if err := c.sleep(ctx, c.wait(last, try)); err != nil {
				return fmt.Errorf("%w (last: %v)", err, last)
			}
		}
		last = c.try(ctx, method, u, payload, out)
		if !c.again(last, eff) {
			return last
		}
	}
	return last
}

// again reports whether err deserves another try. Failures the connector
// answered without acting on the call are retried: 429, and 401 (the
// cached token was dropped; a fresh one may pass). So is a call that never
// left: no token, no connection. A 5xx or a broken or timed-out exchange
// may have posted already, so only a call with the same effect again is
// repeated after one.
func (c *connector) again(err error, eff effect) bool {
	var te *tokenError
	var ae *apiError
	switch {
	case err == nil:
		return false
	case errors.As(err, &te):
		return c.transient(te.err)
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
		return true
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		return ae.RetryAfter <= c.maxRetryAfter
	case retry.NotSent(err):
		return true
	}
	return eff == sameAgain && c.transient(err)
}

// transient reports whether err may pass on another try: a 5xx, a 429
// with a bearable wait, a network error; not another HTTP error nor a
// token answer without a token.
func (c *connector) transient(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.retryable() && ae.RetryAfter <= c.maxRetryAfter
	}
	return !errors.Is(err, errNoToken)
}

// wait is how long to wait before try number try (1-based retries).
func (c *connector) wait(err error, try int) time.Duration {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests && ae.RetryAfter > 0 {
		return ae.RetryAfter
	}
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		return 0
	}
	return c.backoff << (try - 1)
}

func (c *connector) try(ctx context.Context, method, u string, payload []byte, out any) error {
	tok, err := c.botToken(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+tok)
	err = c.send(req, out)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		c.bot.drop(tok)
	}
	return err
}

// send does one request and decodes a 2xx JSON answer into out.
func (c *connector) send(req *http.Request, out any) error {
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRespBytes))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &apiError{Method: req.Method, URL: req.URL.Redacted(), Status: resp.StatusCode,
			Body: truncate(string(body), maxErrBodyShow), RetryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now())}
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return json.Unmarshal(body, out)
}

// retryAfter parses Retry-After as seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// conversationsURL builds {serviceUrl}/v3/conversations[/part…], escaping
// each part (conversation ids hold ':', ';' and '@').
func conversationsURL(serviceURL string, parts ...string) string {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations"
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}
