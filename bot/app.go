// Package bot wires copbot together: configuration, the storage, the
// handlers service, the scheduler and one adapter per platform (console,
// Slack, Teams). App is what main and the end-to-end tests run.
package bot

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"copbot/bot/consolebot"
	"copbot/bot/internal/metrics"
	"copbot/bot/slackbot"
	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/handlers/meetings"
	"copbot/handlers/privacy"
	"copbot/handlers/report"
	"copbot/scheduler"
	"copbot/storage"
)

// AppOptions are the injectable parts of an App; zero values mean
// production defaults.
type AppOptions struct {
	Now func() time.Time
	// Clock, when set, is the clock of everything, the scheduler's timers
	// included (Now is then ignored): tests move it by hand.
	Clock      scheduler.Clock
	Logger     *slog.Logger
	HTTPClient *http.Client // outbound calls to platforms

	limits httpLimits // zero: defaultHTTPLimits; tests shorten them
	// emailTLS, when set, is the SMTP client's TLS settings (tests trust
	// their server's certificate with it).
	emailTLS *tls.Config
}

// App is one running copbot: a store, the service and its adapters.
type App struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	clock   scheduler.Clock
	client  *http.Client
	Store   *storage.DB
	Service *handlers.Service
	// Features are the installed features' own entry points (exports,
	// the calendar feed, the report page).
	Features *features.Set
	sched    *scheduler.Scheduler
	posters  *fanout
	ln       net.Listener
	server   *http.Server
	plat     []platform
	slack    *slackbot.Adapter
	limits   httpLimits
	health   healthCache
	idle     *idleTrim // hands the heap back when serve is idle (idletrim.go)
	// metrics is nil unless [http] metrics_listen is set (see metrics.go).
	metrics    *metrics.Metrics
	metricsLn  net.Listener
	metricsSrv *http.Server
}

// platform is an adapter that serves HTTP routes and posts to its channel.
type platform interface {
	handlers.Poster
	Register(mux *http.ServeMux)
	Close()
}

// NewApp opens the store and builds the service and the configured
// platform adapters. It starts nothing: call Serve or RunConsole.
func NewApp(ctx context.Context, cfg Config, o AppOptions) (*App, error) {
	a := &App{cfg: cfg, log: o.Logger, now: o.Now, client: o.HTTPClient, posters: &fanout{}, limits: o.limits}
	if a.limits == (httpLimits{}) {
		a.limits = defaultHTTPLimits()
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.clock = scheduler.RealTime(a.now)
	if o.Clock != nil {
		a.clock, a.now = o.Clock, o.Clock.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if a.client == nil {
		a.client = &http.Client{Timeout: 15 * time.Second}
	}
	if err := a.open(ctx, o); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context, o AppOptions) error {
	store, err := storage.Open(ctx, a.cfg.Storage.Path)
	if err != nil {
		return err
	}
	store.Now = a.now
	a.Store = store
	a.metrics = a.newMetrics(ctx)
	a.idle = newIdleTrim()
	if u := store.Upgrade(); u.Backup != "" {
		a.log.Info("database upgraded", "migrations", u.Applied, "backup_before", u.Backup)
	}
	opts, fopts, err := a.serviceOptions()
	if err != nil {
		return err
	}
	if fopts.Email, err = a.emailOptions(ctx, store, o); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	if a.Service, a.Features, err = features.NewWith(store, opts, fopts, a.now, a.log); err != nil {
		return err
	}
	a.Service.SetPoster(a.posters)
	a.sched = scheduler.NewWithClock(a.clock, a.log, a.Service.JobSources()...)
	a.Service.SetReplan(a.sched.Reload)
	if err := a.openPlatforms(); err != nil {
		return err
	}
	a.watchOutboxes()
	return nil
}

// serviceOptions are the core's options and the features' from the config.
func (a *App) serviceOptions() (handlers.Options, features.Options, error) {
	coords, err := a.cfg.CoordinatorIdentities()
	if err != nil {
		return handlers.Options{}, features.Options{}, err
	}
	months, _ := a.cfg.MeetingMonths()
	reminders, _ := a.cfg.ReminderOffsets()
	dur, _ := time.ParseDuration(a.cfg.Meetings.Duration)
	return handlers.Options{
			Coordinators:    coords,
			DefaultLanguage: a.cfg.Community.DefaultLanguage,
			Location:        a.cfg.Location(),
			ShowEmails:      a.cfg.Community.ShowEmails,
			Command:         a.cfg.Slack.Command,
			RateLimit:       handlers.DefaultRateLimit(),
			OnRateLimited:   a.rateLimited,
		}, features.Options{Meetings: meetings.Options{Rule: a.cfg.Meetings.Rule, Months: months,
			Duration: dur, Reminders: reminders}, Report: report.Options{PublicURL: a.cfg.HTTP.PublicURL},
			Privacy: privacy.Options{RetentionMonths: a.cfg.Privacy.RetentionMonths}}, nil
}

// Listen binds the HTTP listener (addr "" means the configured one; ":0"
// picks a free port, see Addr).
func (a *App) Listen(addr string) error {
	if addr == "" {
		addr = a.cfg.HTTP.Listen
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	a.ln = ln
	return nil
}

// Addr is the bound address, after Listen.
func (a *App) Addr() string {
	if a.ln == nil {
		return ""
	}
	return a.ln.Addr().String()
}

// Handler returns the HTTP routes: platform callbacks, health, calendar.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /calendar.ics", a.calendar)
	mux.HandleFunc("GET /report", a.report)
	a.registerEmail(mux)
	for _, p := range a.plat {
		p.Register(mux)
	}
	if a.metrics != nil {
		return a.metrics.Middleware(mux)
	}
	return mux
}

// calendar serves the iCalendar feed. With [http] calendar_token set, a
// request without the right ?token= (or "Authorization: Bearer …") gets
// 404, as if there were no feed.
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	if tok := a.cfg.HTTP.CalendarToken; tok != "" && !sameSecret(requestToken(r), tok) {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	if err := a.Features.Meetings.Calendar(r.Context(), &b); err != nil {
		a.log.Error("calendar", "err", err)
		http.Error(w, "calendar unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	io.WriteString(w, b.String())
}

// Serve starts the database's integrity check in the background (see
// checkInBackground), then runs the HTTP server, Socket Mode (if
// configured) and the scheduler until ctx is done, then stops taking
// requests, lets in-flight ones finish and returns nil.
func (a *App) Serve(ctx context.Context) error {
	a.checkInBackground(ctx)
	if a.ln == nil {
		if err := a.Listen(""); err != nil {
			return err
		}
	}
	a.server = newServer(ctx, a.idle.wrap(a.Handler()), a.limits)
	if err := a.serveMetrics(ctx); err != nil {
		return err
	}
	a.sched.Start(ctx)
	errc := make(chan error, 2)
	go func() { errc <- a.server.Serve(a.ln) }()
	a.runBackground(ctx, errc)
	a.idle.start()
	defer a.idle.close()
	a.log.Info("serving", "addr", a.Addr(), "platforms", a.platformNames())
	if a.cfg.HTTP.CalendarToken == "" {
		a.log.Warn("/calendar.ics is public: set [http] calendar_token to require ?token=")
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return a.shutdown()
}

// shutdown is the graceful stop (SIGTERM): the listener closes at once, so
// no request is taken any more; requests in flight finish; the scheduler
// stops; pending channel updates are sent; then each adapter finishes the
// work that follows its acknowledgements (its outbox) — all within the
// [http] stop_timeout. Past it, shutdown returns an error naming what
// was still running (the process then exits non-zero).
func (a *App) shutdown() error {
	limit := a.cfg.StopTimeout()
	a.log.Info("stopping: no new requests; finishing those in flight", "deadline", limit)
	sctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("stop: requests still in flight after %s: %w", limit, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.sched.Stop()
		a.Service.Flush()
		for _, p := range a.plat {
			p.Close()
		}
	}()
	select {
	case <-done:
	case <-sctx.Done():
		return fmt.Errorf("stop: deliveries still running after %s", limit)
	}
	if a.metricsSrv != nil {
		a.metricsSrv.Shutdown(sctx) // scrapes are read-only: nothing to finish
	}
	a.log.Info("stopped")
	return nil
}

// RunConsole runs the console on in/out until EOF, :quit or ctx is done.
// Without Slack or Teams configured the console is the community channel
// and runs the scheduler; with them, `copbot serve` owns reminders and
// polls, so a console opened on the same database must not take them.
func (a *App) RunConsole(ctx context.Context, in io.Reader, out io.Writer, user, lang string, interactive bool) error {
	if err := a.checkDatabase(ctx); err != nil {
		return err
	}
	c := consolebot.New(a.Service, in, out, user, lang, interactive)
	c.NumberWith(func(ctx context.Context) (int64, error) { return a.Store.NextCounter(ctx, "console_message") })
	if a.cfg.HasPlatforms() {
		return c.Run(ctx)
	}
	a.posters.add(storage.PlatformConsole, c)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.sched.Start(ctx)
	defer a.sched.Stop()
	return c.Run(ctx)
}

// Close releases everything NewApp opened. It is safe to call once after
// Serve or RunConsole returned.
func (a *App) Close() error {
	if a.Service != nil {
		a.Service.Close()
	}
	if a.Store != nil {
		return a.Store.Close()
	}
	return nil
}

func (a *App) platformNames() []string {
	var names []string
	for _, p := range a.posters.order {
		names = append(names, string(p))
	}
	return names
}

// fanout posts to every configured platform's community channel and routes
// updates back to the platform that posted.
type fanout struct {
	order []storage.Platform
	by    map[storage.Platform]handlers.Poster
}

func (f *fanout) add(p storage.Platform, poster handlers.Poster) {
	if f.by == nil {
		f.by = map[storage.Platform]handlers.Poster{}
	}
	f.order = append(f.order, p)
	f.by[p] = poster
}

// Post posts to each platform. One platform being down does not stop the
// others: the refs of the posts made come back with the joined errors of
// the platforms that failed (see handlers.Poster).
func (f *fanout) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	if len(f.order) == 0 {
		return nil, errors.New("no platform configured to post to")
	}
	var refs []handlers.MessageRef
	var errs []error
	for _, p := range f.order {
		rs, err := f.by[p].Post(ctx, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
		}
		refs = append(refs, rs...)
	}
	return refs, errors.Join(errs...)
}

// Direct writes to one person privately through their platform's adapter
// (a Slack DM, a Teams 1:1 chat, a console line).
func (f *fanout) Direct(ctx context.Context, to storage.Identity, r handlers.Reply) error {
	dm, ok := f.by[to.Platform].(handlers.DirectMessenger)
	if !ok {
		return fmt.Errorf("no %s adapter can write to %s privately", to.Platform, to.ID)
	}
	return dm.Direct(ctx, to, r)
}

// Update routes the update to the platform that posted ref.
func (f *fanout) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	p, ok := f.by[ref.Platform]
	if !ok {
		return fmt.Errorf("no %s adapter to update message %s", ref.Platform, ref.ID)
	}
	return p.Update(ctx, ref, r)
}
