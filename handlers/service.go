// Package handlers is copbot's core: it turns a command from any platform
// into a platform-neutral Reply. It knows nothing of Slack, Teams or
// terminals (adapters in bot/ parse their input into a Request and render
// the Reply), and nothing of any feature by name: features install their
// commands, buttons, forms, Home sections and timed jobs (Service.Install).
//
// The core owns the registry, the Call a handler answers with, the neutral
// Reply, the Translator and its catalogs, the shared text helpers (Fold,
// EditDistance, SplitFlag and FlagSpec), the delivery ledger, rate limits,
// help and plain replies.
package handlers

import (
	"context"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"copbot/storage"
)

// Options are the community settings handlers need, read from config.
type Options struct {
	// Coordinators are identities named in config; more can be added at run
	// time with the coordinator command (stored in the database).
	Coordinators    []storage.Identity
	DefaultLanguage string         // "en" or "fr"
	Location        *time.Location // community time zone
	ShowEmails      bool           // may members see each other's emails
	Command         string         // slash command name, e.g. "/cop"
	RateLimit       RateLimit      // per person; the zero value sets none (the app sets DefaultRateLimit)
	// OnRateLimited, when set, is told of each request RateLimit refused
	// (the metrics count them by platform).
	OnRateLimited func(storage.Platform)
}

// Service answers requests. It is safe for concurrent use once every
// feature is installed.
type Service struct {
	store  *storage.DB
	opts   Options
	tr     *Translator
	now    func() time.Time
	log    *slog.Logger
	limit  *limiter // requests per person
	ledger ledger   // the delivery ledger's memory of this process (delivery.go)
	reg    registry
	// replies are the Cached commands' replies, by directory_version
	replies replyCache

	mu      sync.RWMutex // guards poster, replanF and reg.closers
	poster  Poster
	replanF func()
}

// New builds a core Service with no feature installed: help and the
// preferences setting only. now is the clock (time.Now in production).
func New(store *storage.DB, opts Options, now func() time.Time, log *slog.Logger) (*Service, error) {
	tr, err := NewTranslator()
	if err != nil {
		return nil, err
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.DefaultLanguage != "fr" {
		opts.DefaultLanguage = "en"
	}
	if opts.Command == "" {
		opts.Command = "/cop"
	}
	s := &Service{store: store, opts: opts, tr: tr, now: now, log: log, limit: newLimiter(opts.RateLimit),
		ledger: ledger{store: store, log: log}}
	s.reg = registry{actions: map[string]ActionFunc{}, forms: map[string]FormFunc{}}
	s.reg.core = []*Command{
		{Names: []string{"help", "aide", "?"}, HelpKey: "help_help", Run: s.help, Cached: true},
		{Names: []string{"preferences", "preference", "prefs"}, HelpKey: "help_preferences", Run: s.cmdPreferences},
		deliveryCmd{s}.command(),
	}
	s.reg.addWords(coreWords)
	return s, nil
}

// Store is the database every feature reads and writes.
func (s *Service) Store() *storage.DB { return s.store }

// Now reads the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Log is the service's logger.
func (s *Service) Log() *slog.Logger { return s.log }

// Translator returns the service's translator, for adapters' own texts.
func (s *Service) Translator() *Translator { return s.tr }

// Options returns the options the service runs with.
func (s *Service) Options() Options { return s.opts }

// SetPoster sets where community posts go. Until it is called posts fail.
func (s *Service) SetPoster(p Poster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.poster = p
}

// Poster is where community posts go, nil before SetPoster.
func (s *Service) Poster() Poster {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.poster
}

// SetReplan sets what to call when timed jobs change (a meeting moved, a
// poll got a deadline): the app points it at the scheduler's Reload.
func (s *Service) SetReplan(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replanF = f
}

// Replan tells the scheduler that the job sources' answers changed. It
// never blocks for long.
func (s *Service) Replan() {
	s.mu.RLock()
	f := s.replanF
	s.mu.RUnlock()
	if f != nil {
		f()
	}
}

// Close stops the features' background work (flushing pending message
// updates, queued membership work) and waits for it, latest installed
// first. Handle must not be called after Close.
func (s *Service) Close() {
	s.mu.Lock()
	cs := s.reg.closers
	s.reg.closers = nil
	s.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

// Flush sends the channel updates still pending (live poll results) now
// and waits for them. An adapter that shows the channel and its user's
// replies in one stream (the console) calls it after each command, so that
// updates print before the next prompt rather than into it.
func (s *Service) Flush() {
	for _, f := range s.reg.flush {
		f()
	}
}

// Handle answers one command or plain question. It never panics: a bug
// becomes an internal-error reply in the user's language. The text goes
// through storage's text rules (storage.CheckText) before anything parses
// it, so broken UTF-8 is refused rather than turned into U+FFFD by a
// parser and stored; Act and Submit check a button's value and each form
// value the same way.
func (s *Service) Handle(ctx context.Context, req Request) (r Reply) {
	c := s.NewCall(ctx, req)
	ctx = c.WithActor(ctx)
	defer s.recover(c, &r)
	if r, ok := c.cutShort(); ok {
		return r
	}
	if r, limited := s.throttle(c); limited {
		return r
	}
	if err := storage.CheckText("message", req.Text); err != nil {
		return c.Fail(err)
	}
	name, rest := splitCommand(stripCommand(req.Text, s.opts.Command))
	c.Args = rest
	if name == "" {
		return s.help(ctx, c)
	}
	if cmd := s.reg.lookup(name); cmd != nil {
		if cmd.Coordinator && !c.Coordinator {
			return c.CoordinatorOnly()
		}
		if cmd.Cached {
			return s.replies.run(ctx, c, cmd)
		}
		return cmd.Run(ctx, c)
	}
	for _, answer := range s.reg.answers {
		if r, ok := answer(ctx, c); ok {
			return r
		}
	}
	return s.unknownCommand(c)
}

// Act handles a button click: actionID from the Button, value its Value.
func (s *Service) Act(ctx context.Context, req Request, actionID, value string) (r Reply) {
	c := s.NewCall(ctx, req)
	ctx = c.WithActor(ctx)
	c.Clicked = true
	defer s.recover(c, &r)
	if r, ok := c.cutShort(); ok {
		return r
	}
	if r, limited := s.throttle(c); limited {
		return r
	}
	fn, ok := s.reg.actions[actionID]
	if !ok || storage.CheckText("value", value) != nil {
		return c.ErrorReply("error_unknown_action", nil)
	}
	return fn(ctx, c, value)
}

// Submit handles a submitted Form. See FormFunc for errs.
func (s *Service) Submit(ctx context.Context, req Request, formID, state string, values map[string]string) (r Reply, errs map[string]string) {
	c := s.NewCall(ctx, req)
	ctx = c.WithActor(ctx)
	defer s.recover(c, &r)
	if r, ok := c.cutShort(); ok {
		return r, map[string]string{"": r.Text}
	}
	if r, limited := s.throttle(c); limited {
		return r, nil
	}
	fn, ok := s.reg.forms[formID]
	if !ok {
		return c.ErrorReply("error_unknown_action", nil), nil
	}
	if r, errs := checkValues(c, values); errs != nil {
		return r, errs
	}
	return fn(ctx, c, state, values)
}

// checkValues applies storage's text rules to a form's raw values, field
// by field in a fixed order, before any feature parses them: the first
// refusal is the reply, placed on its field.
func checkValues(c *Call, values map[string]string) (Reply, map[string]string) {
	for _, id := range slices.Sorted(maps.Keys(values)) {
		if err := storage.CheckText(id, values[id]); err != nil {
			r := c.Fail(err)
			return r, map[string]string{id: r.Text}
		}
	}
	return Reply{}, nil
}

// Home is the Slack App Home: a header, then each installed HomeSection in
// order (the member's profile or a Join button, the next meeting, open
// polls, coordinators' shortcuts). It never panics.
func (s *Service) Home(ctx context.Context, req Request) (r Reply) {
	c := s.NewCall(ctx, req)
	ctx = c.WithActor(ctx)
	defer s.recover(c, &r)
	blocks := []Block{Header{Text: c.T("home_title", nil)}}
	for _, sec := range s.reg.home {
		blocks = append(blocks, sec.Blocks(ctx, c)...)
	}
	return c.Reply("home", Ephemeral, blocks...)
}

// Language returns the language replies to req are written in (see
// Service.callLanguage for the order of precedence).
func (s *Service) Language(ctx context.Context, req Request) string {
	return s.NewCall(ctx, req).Lang
}

func (s *Service) recover(c *Call, r *Reply) {
	if v := recover(); v != nil {
		s.log.Error("handler panic", append(c.logAttrs(), "panic", v, "stack", string(debug.Stack()))...)
		*r = c.ErrorReply("error_internal", nil)
	}
}
