// Package handlers turns a command from any platform into a platform-neutral
// Reply. It knows nothing of Slack, Teams or terminals: adapters in bot/ parse
// their input into a Request and render the Reply.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
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
	Meetings        MeetingOptions
	RateLimit       RateLimit // per person; the zero value sets none (the app sets DefaultRateLimit)
}

// MeetingOptions configure quarterly meetings and their reminders. Unset
// fields take DefaultMeetingOptions; check them with ValidateMeetingOptions.
type MeetingOptions struct {
	Rule     string        // e.g. "third wednesday 13:00"; "" for the default
	Months   []time.Month  // empty for March, June, September, December
	Duration time.Duration // length of a new meeting; 0 for the default (90 min)
	// Reminders are the offsets before the start. nil means the defaults;
	// an empty non-nil slice means no reminders (config `reminders = []`),
	// so the app must pass the list it parsed, even when empty.
	Reminders []time.Duration
}

// Request is one command or question from a user on some platform.
type Request struct {
	Identity  storage.Identity
	UserName  string // display name on the platform, a default for join
	Locale    string // platform locale hint ("fr-CA"), used for non-members
	ChannelID string // where the command was typed, if anywhere
	Text      string // the command text, with or without the leading "/cop"
}

// MessageRef points at a message an adapter posted, so it can be updated.
type MessageRef struct {
	Platform storage.Platform
	Channel  string
	ID       string // Slack ts, Teams activity id, console line number
}

// Poster posts to the community channel of one or more platforms. Adapters
// implement it; the app fans it out over every configured platform.
type Poster interface {
	// Post publishes r to the community channel and returns where it went.
	// With several platforms it may succeed on some and fail on others: it
	// then returns the refs of the posts made AND a non-nil error. Callers
	// must not post again where it went (that would double the message).
	Post(ctx context.Context, r Reply) ([]MessageRef, error)
	// Update replaces a message posted earlier.
	Update(ctx context.Context, ref MessageRef, r Reply) error
}

// Service answers requests. It is safe for concurrent use.
type Service struct {
	store   *storage.DB
	opts    Options
	tr      *Translator
	now     func() time.Time
	log     *slog.Logger
	mu      sync.RWMutex
	poster  Poster
	replanF func()
	closers []func()
	polls   *pollFeature   // set by registerPolls: the poll message updater and vote gate
	members *memberFeature // set by registerMembers: leave prompts awaiting "yes"
	limit   *limiter       // requests per person
	// unrecorded holds keyed posts made whose sent record failed (postOnce).
	unrecorded unrecorded
	report     *reportFeature // set by registerReport: work after membership changes

	commands []*Command
	actions  map[string]ActionFunc
	forms    map[string]FormFunc
}

// Command is one top-level Command with its English and French names.
type Command struct {
	Names       []string // folded names, English first: "who", "qui"
	Coordinator bool     // refused to non-coordinators
	HelpKey     string   // i18n id of its one-line help
	Run         func(ctx context.Context, c *Call) Reply
}

type ActionFunc func(ctx context.Context, c *Call, value string) Reply

// FormFunc handles a submitted form. A non-empty errs map (field id to a
// translated message) means nothing was saved and the form should show them.
type FormFunc func(ctx context.Context, c *Call, state string, values map[string]string) (r Reply, errs map[string]string)

// New builds a Service. now is the clock (time.Now in production).
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
		actions: map[string]ActionFunc{}, forms: map[string]FormFunc{}}
	s.register()
	return s, nil
}

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

// Replan tells the scheduler that Jobs changed. It never blocks for long.
func (s *Service) Replan() {
	s.mu.RLock()
	f := s.replanF
	s.mu.RUnlock()
	if f != nil {
		f()
	}
}

// onClose registers cleanup run by Close, in reverse order.
func (s *Service) onClose(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, f)
}

// Close stops the service's background work (flushing pending message
// updates) and waits for it. Handle must not be called after Close.
func (s *Service) Close() {
	s.mu.Lock()
	cs := s.closers
	s.closers = nil
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
	if s.polls != nil {
		s.polls.upd.flush()
	}
}

// Handle answers one command or plain question. It never panics: a bug
// becomes an internal-error reply in the user's language.
func (s *Service) Handle(ctx context.Context, req Request) (r Reply) {
	c := s.newCall(ctx, req)
	defer s.recover(c, &r)
	if r, ok := c.cutShort(); ok {
		return r
	}
	if r, limited := s.throttle(c); limited {
		return r
	}
	name, rest := splitCommand(stripCommand(req.Text, s.opts.Command))
	c.Args = rest
	if name == "" {
		return s.help(ctx, c)
	}
	if cmd := s.lookup(name); cmd != nil {
		if cmd.Coordinator && !c.Coordinator {
			return c.CoordinatorOnly()
		}
		return cmd.Run(ctx, c)
	}
	if r, ok := s.question(ctx, c); ok {
		return r
	}
	return s.unknownCommand(ctx, c)
}

// Act handles a button click: actionID from the Button, value its Value.
func (s *Service) Act(ctx context.Context, req Request, actionID, value string) (r Reply) {
	c := s.newCall(ctx, req)
	c.Clicked = true
	defer s.recover(c, &r)
	if r, ok := c.cutShort(); ok {
		return r
	}
	if r, limited := s.throttle(c); limited {
		return r
	}
	fn, ok := s.actions[actionID]
	if !ok {
		return c.ErrorReply("error_unknown_action", nil)
	}
	return fn(ctx, c, value)
}

// Submit handles a submitted Form. See formFunc for errs.
func (s *Service) Submit(ctx context.Context, req Request, formID, state string, values map[string]string) (r Reply, errs map[string]string) {
	c := s.newCall(ctx, req)
	defer s.recover(c, &r)
	if r, ok := c.cutShort(); ok {
		return r, map[string]string{"": r.Text}
	}
	if r, limited := s.throttle(c); limited {
		return r, nil
	}
	fn, ok := s.forms[formID]
	if !ok {
		return c.ErrorReply("error_unknown_action", nil), nil
	}
	return fn(ctx, c, state, values)
}

// Language returns the language replies to req are written in: the saved
// preference of the member (or former member), else the language of
// req.Text when its first word tells (see textLanguage), else the platform
// locale, else the community default.
func (s *Service) Language(ctx context.Context, req Request) string {
	return s.newCall(ctx, req).Lang
}

func (s *Service) recover(c *Call, r *Reply) {
	if v := recover(); v != nil {
		s.log.Error("handler panic", append(c.logAttrs(), "panic", v, "stack", string(debug.Stack()))...)
		*r = c.ErrorReply("error_internal", nil)
	}
}

// Call is one request in progress: who asks, in which language.
type Call struct {
	s           *Service
	Req         Request
	Member      *storage.Member // nil when the user is not a member
	Former      *storage.Member // the member the user was before leaving, if any
	Coordinator bool
	Lang        string
	Plain       bool     // the caller asked for plain replies (see plain.go)
	Clicked     bool     // the request is a button click, not typed text
	Args        []string // words after the command name
	lookupErr   error    // the caller lookup failed: c.member may be wrong
}

func (s *Service) newCall(ctx context.Context, req Request) *Call {
	c := &Call{s: s, Req: req, Lang: s.opts.DefaultLanguage}
	if !req.Identity.IsZero() {
		c.Member, c.Former, c.Coordinator, c.lookupErr = s.lookupCaller(ctx, req.Identity)
	}
	c.Lang = s.callLanguage(c)
	if q := s.questionLanguage(req.Text); q != "" {
		c.Lang = q
	}
	c.Plain = memberPlain(c.Member, c.Former)
	return c
}

// callLanguage picks the reply language: the saved preference of the
// member (or former member), else the language the text is written in when
// its first word tells, else the platform locale, else the default.
func (s *Service) callLanguage(c *Call) string {
	for _, m := range []*storage.Member{c.Member, c.Former} {
		if m != nil && m.Language != "" {
			return m.Language
		}
	}
	// Someone who writes French wants French. Otherwise the platform's
	// locale (Slack's, the console's -lang) says more about a person than
	// an English command word, which French speakers type too.
	word := s.textLanguage(c.Req.Text)
	switch {
	case word == "fr" || strings.HasPrefix(strings.ToLower(c.Req.Locale), "fr"):
		return "fr"
	case c.Req.Locale != "":
		return "en"
	case word != "":
		return word
	}
	return s.opts.DefaultLanguage
}

// lookupCaller finds the active member with identity id, or else the
// member who held it before leaving (kept for their language and a
// "welcome back"), and whether id is a coordinator. A storage failure is
// logged and treated as "not a member": the request still gets an answer.
func (s *Service) lookupCaller(ctx context.Context, id storage.Identity) (member, former *storage.Member, coordinator bool, err error) {
	c, err := s.store.CallerByIdentity(ctx, id)
	if err != nil {
		s.log.Warn("caller lookup", "identity", id.String(), "err", err)
	}
	return c.Member, c.Former, s.CoordinatorInConfig(id) || c.Coordinator, err
}

// cutShort reports whether the request's context ended before the caller
// was known: answering as if to a non-member would then be wrong, so the
// request gets the "too busy, nothing saved" answer instead.
func (c *Call) cutShort() (Reply, bool) {
	if errors.Is(c.lookupErr, context.DeadlineExceeded) || errors.Is(c.lookupErr, context.Canceled) {
		return c.Fail(c.lookupErr), true
	}
	return Reply{}, false
}

// logAttrs describe the request for a log line without its text, which may
// hold emails and names: the command's name when it is one (a question's
// first word is not logged) and the text's length.
func (c *Call) logAttrs() []any {
	name := "(question)"
	if n, _ := splitCommand(stripCommand(c.Req.Text, c.s.opts.Command)); n == "" {
		name = "(none)"
	} else if cmd := c.s.lookup(n); cmd != nil {
		name = cmd.Names[0]
	}
	return []any{"command", name, "text_len", len(c.Req.Text)}
}

// T translates id in the call's language.
func (c *Call) T(id string, data map[string]any) string { return c.s.tr.T(c.Lang, id, data) }

// N translates id with plural count n in the call's language.
func (c *Call) N(id string, n int, data map[string]any) string {
	return c.s.tr.N(c.Lang, id, n, data)
}

// ErrorReply is an ephemeral error in the user's language.
func (c *Call) ErrorReply(key string, data map[string]any) Reply {
	msg := c.T(key, data)
	return Reply{Kind: "error", Lang: c.Lang, Text: msg, Blocks: []Block{Section{Text: msg}}, Plain: c.Plain}
}

// Fail turns err into a reply: *storage.Error keys are translated, anything
// else is logged and shown as an internal error. A request whose context
// ended (the adapter's acknowledgement budget ran out) says it was too busy:
// the error came from the transaction, which therefore did not commit.
func (c *Call) Fail(err error) Reply {
	var e *storage.Error
	if errors.As(err, &e) && e.Code != storage.EINTERNAL {
		return c.ErrorReply(e.Key, c.With(e.Args)) // messages may name a {{.Slash}} command
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		c.s.log.Warn("request cut short", "identity", c.Req.Identity.String(), "err", err)
		return c.ErrorReply("error_busy", nil)
	}
	c.s.log.Error("request failed", append(c.logAttrs(), "identity", c.Req.Identity.String(), "err", err)...)
	return c.ErrorReply("error_internal", nil)
}

func (s *Service) lookup(name string) *Command {
	for _, cmd := range s.commands {
		for _, n := range cmd.Names {
			if n == name {
				return cmd
			}
		}
	}
	return nil
}

// stripCommand removes a leading slash command ("/cop") or "cop" word.
func stripCommand(text, slash string) string {
	t := strings.TrimSpace(text)
	for _, p := range []string{slash, strings.TrimPrefix(slash, "/")} {
		if p != "" && len(t) >= len(p) && strings.EqualFold(t[:len(p)], p) &&
			(len(t) == len(p) || t[len(p)] == ' ') {
			return strings.TrimSpace(t[len(p):])
		}
	}
	return t
}

// splitCommand returns the folded first word and the rest, split into
// words with "double quotes" grouping.
func splitCommand(text string) (string, []string) {
	words := Fields(text)
	if len(words) == 0 {
		return "", nil
	}
	return Fold(words[0]), words[1:]
}

// Bilingual merges an English and a French reply into one community post,
// English first, as federal communications are written.
func Bilingual(en, fr Reply) Reply {
	r := en
	r.Lang = "en+fr"
	r.Text = fmt.Sprintf("%s\n\n—\n\n%s", en.Text, fr.Text)
	r.Blocks = append(append(append([]Block{}, en.Blocks...), Divider{}), fr.Blocks...)
	return r
}
