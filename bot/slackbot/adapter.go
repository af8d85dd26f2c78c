// Package slackbot is copbot's Slack adapter. It verifies and parses what
// Slack sends (slash commands, interactions, Events API, over HTTP or Socket
// Mode), turns it into a handlers.Request, and renders the neutral Reply as
// Block Kit: in the acknowledgement when the answer is ready within Slack's
// 3 seconds, else through response_url or the Web API.
package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"copbot/bot/internal/admission"
	"copbot/bot/internal/lifecycle"
	"copbot/bot/internal/once"
	"copbot/bot/internal/outbox"
	"copbot/bot/internal/retry"
	"copbot/handlers"
	"copbot/storage"
)

// Config is the [slack] section of copbot's configuration.
type Config struct {
	BotToken      string // xoxb-…
	SigningSecret string // verifies HTTP callbacks; unused in Socket Mode
	AppToken      string // xapp-…: enables Socket Mode
	APIURL        string // Web API base; empty means https://slack.com/api
	Channel       string // community channel id for Post
	Command       string // the slash command, e.g. "/cop"
	// AllowedTeams are the other workspaces (T…) and Enterprise Grid
	// organizations (E…) whose people take full part; the bot token's own
	// workspace always does (teamgate.go).
	AllowedTeams []string
	// Transport carries every outbound call (Web API and response_url);
	// nil means http.DefaultTransport. Tests and proxies set it.
	Transport http.RoundTripper
	// Requests is the record of handled requests (the *storage.DB), so
	// that a replay or a redelivery acts once, across restarts too.
	Requests once.Store
	// OAuth installs in other workspaces (oauth.go), enabled by ClientID:
	// the app's client id and secret, copbot's public URL of
	// /slack/oauth_redirect, the key that seals bot tokens at rest and the
	// store of installations.
	ClientID     string
	ClientSecret string
	RedirectURL  string
	TokenKey     *storage.TokenKey
	Installs     InstallStore
	// Observe, when set, hears of every Socket Mode envelope once it is
	// settled: its kind (command, interaction, event), its outcome (acked,
	// redelivered, busy, failed) and the time from its arrival to then.
	// HTTP callbacks are observed by the server's middleware instead. It
	// must not block.
	Observe func(kind, outcome string, took time.Duration)
}

// service is what the adapter needs of handlers.Service; tests wrap it to
// slow it down.
type service interface {
	Handle(ctx context.Context, req handlers.Request) handlers.Reply
	Act(ctx context.Context, req handlers.Request, actionID, value string) handlers.Reply
	Submit(ctx context.Context, req handlers.Request, formID, state string, values map[string]string) (handlers.Reply, map[string]string)
	Home(ctx context.Context, req handlers.Request) handlers.Reply
	Language(ctx context.Context, req handlers.Request) string
	LookUp(ctx context.Context, id storage.Identity) *handlers.Caller
	WritesNothing(text string) bool
	Translator() *handlers.Translator
	Options() handlers.Options
}

// tuning holds timings that tests shorten.
type tuning struct {
	budget       time.Duration // answer in the ack if ready by then
	asyncTimeout time.Duration // cap on work finished after the ack
	callTimeout  time.Duration // one Web API call, retries included
	userTimeout  time.Duration // users.info on the request path
	pace         time.Duration // chat.postMessage spacing per channel
	turns        int           // service calls run at once (see admission.Limit.Turn)
	backoff      time.Duration // first retry wait for 5xx/network errors
	tries        int
	sleep        func(ctx context.Context, d time.Duration) error
	noteTimeout  time.Duration // language look-up for a "working on it" note
	inFlight     int           // requests in progress (see admission.Limit.Enter)
	outWorkers   int           // outbox workers (see outbox and outboxWorkers)
	outQueue     int           // outbox queue length
}

func defaultTuning() tuning {
	return tuning{budget: 2500 * time.Millisecond, asyncTimeout: time.Minute,
		callTimeout: 10 * time.Second, userTimeout: time.Second, pace: time.Second,
		backoff: 500 * time.Millisecond, tries: 3, sleep: retry.Sleep,
		turns:       2 * runtime.GOMAXPROCS(0),
		noteTimeout: 200 * time.Millisecond,
		inFlight:    1024, outWorkers: outboxWorkers, outQueue: 4096}
}

// outboxWorkers is how many posts that follow an acknowledgement are in
// flight at once. Each waits for Slack's answer, a round trip to
// hooks.slack.com, so the outbox posts at most outboxWorkers ÷ RTT of
// them a second: with 4, at a 20 ms round trip, a storm of 100 clicks
// read its confirmations 260 ms (median) to 560 ms after the click, and
// a storm of 1,000 three to seven seconds after (README, "Issue 20, fourth
// part"). Waiting costs no CPU; each worker keeps a connection alive
// (keepAlive).
const outboxWorkers = 16

// Adapter connects one Slack workspace to the service. It is safe for
// concurrent use.
type Adapter struct {
	cfg   Config
	svc   service
	log   *slog.Logger
	now   func() time.Time
	tune  tuning
	api   *slack.Client
	hooks *http.Client // response_url posts
	pace  *pacer
	users *ttlCache[userInfo] // users.info answers, an hour
	once  *once.Guard         // replays, retried events, redelivered envelopes

	stopSweep context.CancelFunc // ends the cache sweeper
	swept     sync.WaitGroup

	intake *admission.Intake // request bodies, before authentication
	limit  *admission.Limit  // requests in progress and their turns
	out    *outbox.Outbox    // deliveries after the acknowledgement
	work   lifecycle.Group   // slow commands still running after their ack
	acks   ackCache          // encoded acks of the replies the core caches
	gate   *teamGate         // whose people take part (teamgate.go)
	ws     workspaces        // installed through OAuth, each with its client (workspaces.go)
}

// New builds the adapter. now is the clock used to check request
// timestamps (time.Now in production).
func New(cfg Config, svc *handlers.Service, log *slog.Logger, now func() time.Time) (*Adapter, error) {
	if svc == nil {
		return nil, errors.New("slackbot: nil service")
	}
	return newAdapter(cfg, svc, log, now, defaultTuning())
}

func newAdapter(cfg Config, svc service, log *slog.Logger, now func() time.Time, t tuning) (*Adapter, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("slackbot: bot_token is required")
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slackbot: signing_secret is required unless app_token (Socket Mode) is set")
	}
	if cfg.Requests == nil {
		return nil, errors.New("slackbot: no record of handled requests")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{cfg: cfg}
	if err := a.checkInstallConfig(); err != nil {
		return nil, err
	}
	limit := admission.NewLimit(t.inFlight, t.turns)
	*a = Adapter{cfg: cfg, svc: turnTaking{service: svc, limit: limit}, limit: limit,
		intake: admission.NewIntake(perPeer, bodyDeadline), log: log.With("platform", "slack"), now: now, tune: t,
		pace:  newPacer(t.pace),
		users: newTTLCache[userInfo](time.Hour, 10000, now), acks: ackCache{now: now}, gate: newTeamGate(cfg.AllowedTeams)}
	a.once = once.New(cfg.Requests, now, a.log)
	var ctx context.Context
	ctx, a.stopSweep = context.WithCancel(context.Background())
	a.swept.Go(func() { every(ctx, sweepEvery, a.sweep) })
	a.out = outbox.New(t.outWorkers, t.outQueue, t.asyncTimeout, a.log)
	a.hooks = &http.Client{Transport: a.transport()}
	a.api = slack.New(cfg.BotToken, a.apiOptions()...)
	if err := a.loadInstalls(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *Adapter) transport() http.RoundTripper {
	base := a.cfg.Transport
	if base == nil {
		base = keepAlive(a.tune.outWorkers)
	}
	return &retryTransport{base: base, tries: a.tune.tries, backoff: a.tune.backoff,
		sleep: a.tune.sleep, log: a.log}
}

// keepAlive is http.DefaultTransport (proxy from the environment, its
// timeouts) keeping an idle connection per host for each of the outbox's
// workers and a few request-path calls: the default keeps two, so with
// four workers posting confirmations to hooks.slack.com every other post
// closed its connection and the next one paid a new TLS handshake.
func keepAlive(workers int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers + 4
	return t
}

func (a *Adapter) apiOptions(extra ...slack.Option) []slack.Option {
	opts := []slack.Option{slack.OptionHTTPClient(a.hooks)}
	if a.cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(a.cfg.APIURL, "/")+"/"))
	}
	return append(opts, extra...)
}

// Register adds Slack's callback routes to mux. Each reads and verifies
// its request before anything else, then takes a place among the requests
// in progress (see route).
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", a.route(a.serveCommand))
	mux.HandleFunc("POST /slack/interactions", a.route(a.serveInteraction))
	mux.HandleFunc("POST /slack/events", a.route(a.serveEvent))
	if a.installs() {
		mux.HandleFunc("GET "+installPath, a.serveInstall)
		mux.HandleFunc("GET "+oauthReplyPath, a.serveOAuthRedirect)
	}
}

// OutboxStats are the depth and the drops of the adapter's outbox, for
// the metrics.
func (a *Adapter) OutboxStats() (depth int, dropped int64) { return a.out.Depth(), a.out.Dropped() }

// Close waits for slow commands still running after their acknowledgement,
// then for the deliveries already queued. Stop the HTTP server and Socket
// Mode first; deliveries queued after Close are dropped.
func (a *Adapter) Close() {
	a.work.Close()
	a.out.Close()
	a.once.Close()
	a.stopSweep()
	a.swept.Wait()
}

// sweep drops what the adapter's caches hold past its time. The adapter
// runs it every sweepEvery.
func (a *Adapter) sweep() {
	a.users.Sweep()
	a.pace.sweep()
}

// begin claims a delivery (see once.Guard.Begin). Its look-up reads the
// database, so it waits its turn like a service call, within the
// request's acknowledgement budget (ctx); once it has its turn, the
// look-up runs to its end, and whatever budget is left goes to the work.
func (a *Adapter) begin(ctx context.Context, expires time.Time, keys ...string) (*once.Delivery, once.Status, error) {
	defer a.limit.Turn(ctx)()
	if err := ctx.Err(); err != nil {
		return nil, once.First, err
	}
	return a.once.Begin(context.WithoutCancel(ctx), expires, keys...)
}

// finish records a delivery as handled before its answer (see
// once.Guard.Finish); a request that wrote nothing records itself in a
// write of its own, which waits its turn too.
func (a *Adapter) finish(ctx context.Context, d *once.Delivery) {
	if !d.Recorded() {
		defer a.limit.Turn(ctx)()
	}
	a.once.Finish(ctx, d, nil)
}

// enqueue runs f after the acknowledgement, on the outbox, for the
// workspace of the request ctx serves.
func (a *Adapter) enqueue(ctx context.Context, kind string, f func(ctx context.Context)) {
	team := teamFrom(ctx)
	a.out.Enqueue(kind, func(ctx context.Context) { f(withTeam(ctx, team)) })
}

func (a *Adapter) recoverPanic() {
	if v := recover(); v != nil {
		a.log.Error("slack adapter panic", "panic", v)
	}
}

// within runs work under the acknowledgement budget. If it finishes in time
// its result comes back with ok; otherwise ok is false and later receives
// the result when it is ready. The work runs on its own goroutine holding
// the request's admission slot (so the number of them stays bounded) and
// tracked, so that Close waits for it; its context keeps the request's
// values but not its cancellation, with a deadline of asyncTimeout.
func within[T any](ctx context.Context, a *Adapter, s *slot, work func(context.Context) T, later func(context.Context, T)) (T, bool) {
	h := &handoff[T]{ready: make(chan struct{})}
	own := s.Pass()
	run := func() {
		defer own.Leave()
		defer a.recoverPanic()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.tune.asyncTimeout)
		defer cancel()
		v := work(ctx)
		if !h.deliver(v) {
			later(ctx, v)
		}
	}
	if !a.work.Begin() {
		run()
	} else {
		go func() {
			defer a.work.Done()
			run()
		}()
	}
	t := time.NewTimer(a.remaining(ctx))
	defer t.Stop()
	select {
	case <-h.ready:
		return h.v, true
	case <-t.C:
		return h.abandon()
	}
}

// handoff passes a result from a worker to a waiter that may give up.
// Exactly one of them ends up owning the result.
type handoff[T any] struct {
	mu    sync.Mutex
	v     T
	done  bool
	late  bool
	ready chan struct{}
}

func (h *handoff[T]) deliver(v T) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.late {
		return false
	}
	h.v, h.done = v, true
	close(h.ready)
	return true
}

func (h *handoff[T]) abandon() (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return h.v, true
	}
	h.late = true
	var zero T
	return zero, false
}

// userInfo is what users.info tells about a person.
type userInfo struct {
	Locale string
	Name   string
}

// user returns the person's Slack locale and name, cached for an hour. A
// failed lookup is not fatal: the service falls back to the default language.
func (a *Adapter) user(ctx context.Context, id string) userInfo {
	if u, ok := a.users.Get(id); ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, a.tune.userTimeout)
	defer cancel()
	u, err := a.client(ctx).GetUserInfoContext(ctx, id)
	if err != nil {
		a.log.Warn("users.info failed", "user", id, "err", err)
		return userInfo{}
	}
	info := userInfo{Locale: u.Locale, Name: firstNonEmpty(u.RealName, u.Profile.RealName, u.Profile.DisplayName, u.Name)}
	a.users.Put(id, info)
	return info
}

// request builds the service request for a Slack user of team (the user's
// own workspace: the identity's, see storage identities). Only a non-member's
// Slack locale and name are looked up (users.info): a member's saved
// language wins over the locale, and the name only pre-fills the join form.
// Skipping the look-up for members keeps a vote storm off the Web API.
func (a *Adapter) request(ctx context.Context, userID, team, userName, channel, text string) handlers.Request {
	req := handlers.Request{
		// Copies: userID and team are slices of the request's body, which a
		// cache keyed by identity would otherwise keep whole.
		Identity: storage.Identity{Platform: storage.PlatformSlack, ID: strings.Clone(userID),
			Workspace: strings.Clone(team)},
		UserName:  userName,
		ChannelID: channel,
		Text:      text,
	}
	// The caller is looked up once: the service's call takes it along.
	if req.Caller = a.svc.LookUp(ctx, req.Identity); req.Caller.IsMember() {
		return req
	}
	u := a.user(ctx, userID)
	req.UserName, req.Locale = firstNonEmpty(u.Name, userName), u.Locale
	return req
}

// guessLang picks the language of the adapter's own notes when the service
// has not answered in time: the one the service would choose (saved
// language, else the cached Slack locale, else the community default),
// asked with a short deadline of its own (the request's budget is spent)
// so that the acknowledgement is not much later.
func (a *Adapter) guessLang(ctx context.Context, userID string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.tune.noteTimeout)
	defer cancel()
	u, _ := a.users.Get(userID)
	return a.svc.Language(ctx, handlers.Request{
		Identity: storage.Identity{Platform: storage.PlatformSlack, ID: userID}, Locale: u.Locale})
}

// t translates one of the adapter's own texts (locales/slack.*.toml).
func (a *Adapter) t(lang, id string) string { return a.svc.Translator().T(lang, id, nil) }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}
