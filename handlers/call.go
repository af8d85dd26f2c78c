package handlers

import (
	"context"
	"copbot/storage"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Call is one request in progress: who asks, in which language.
type Call struct {
	s           *Service
	tr          *Translator
	Req         Request
	Member      *storage.Member // nil when the user is not a member
	Former      *storage.Member // the member the user was before leaving, if any
	Coordinator bool
	Lang        string
	Plain       bool     // the caller asked for plain replies (see plain.go)
	Clicked     bool     // the request is a button click, not typed text
	Args        []string // words after the command name
	lookupErr   error    // the caller lookup failed: c.member may be wrong
	version     int64    // the directory_version the caller was read at, 0 if unknown
}

// NewCall is the Call that Handle, Act and Submit answer req with: the
// caller looked up (or taken from req.Caller), the reply language chosen.
// A caller that is a member, a former member, or neither is looked up as
// such; a storage failure is treated as "not a member", so the request
// still gets an answer (see cutShort). Tests of a feature's
// handlers start from it.
func (s *Service) NewCall(ctx context.Context, req Request) *Call {
	c := &Call{s: s, tr: s.tr, Req: req, Lang: s.opts.DefaultLanguage}
	if !req.Identity.IsZero() {
		known := req.Caller
		if known == nil {
			known = s.LookUp(ctx, req.Identity)
		}
		c.Member, c.Former, c.lookupErr, c.version = known.info.Member, known.info.Former, known.err, known.info.Version
		c.Coordinator = s.CoordinatorInConfig(req.Identity) || known.info.Coordinator
	}
	c.Lang = s.callLanguage(c)
	if q := s.questionLanguage(req.Text); q != "" {
		c.Lang = q
	}
	c.Plain = memberPlain(c.Member, c.Former)
	return c
}

// callLanguage picks the reply language, first that applies: the saved
// preference of the member (or former member); French when the text's
// first word is French or the platform locale is French; English for any
// other platform locale (a locale says more about a person than an English
// command word, which French speakers type too); the language of the
// first word; the community default.
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

// WithActor returns ctx carrying the caller as storage's Actor, so that
// every write the request makes records who made it (a meeting's creator,
// the audit log of coordinators' actions) inside its own transaction.
// Handle, Act, Submit and Home set it for every request. The name is the
// member's, else the platform's display name, else the identity.
func (c *Call) WithActor(ctx context.Context) context.Context {
	if c.Req.Identity.IsZero() {
		return ctx
	}
	name := c.Req.UserName
	if c.Member != nil {
		name = c.Member.Name
	}
	if name == "" {
		name = c.Req.Identity.String()
	}
	return storage.WithActor(ctx, storage.Actor{Identity: c.Req.Identity, Name: name, Coordinator: c.Coordinator})
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
	} else if cmd := c.s.reg.lookup(n); cmd != nil {
		name = cmd.Names[0]
	}
	return []any{"command", name, "text_len", len(c.Req.Text)}
}

// T translates id in the call's language.
func (c *Call) T(id string, data map[string]any) string { return c.tr.T(c.Lang, id, data) }

// N translates id with plural count n in the call's language.
func (c *Call) N(id string, n int, data map[string]any) string {
	return c.tr.N(c.Lang, id, n, data)
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

// SlashData is template data every help and hint text may use.
// Console is true in the terminal, which has no forms or buttons.
func (c *Call) SlashData() map[string]any {
	return map[string]any{"Slash": c.s.opts.Command, "Console": c.Req.Identity.Platform == storage.PlatformConsole}
}

// With returns a copy of data With the slash command added, for hints that
// quote a command.
func (c *Call) With(data map[string]any) map[string]any {
	d := c.SlashData()
	for k, v := range data {
		d[k] = v
	}
	return d
}

// Num formats n for the call's language: "100,000" or "100 000".
func (c *Call) Num(n int) string { return formatNum(c.Lang, n) }

// formatNum formats n as lang writes numbers: digits in groups of three
// with the separator golang.org/x/text's printer uses for the language
// (read from it once), so that a turnout line in every vote's confirmation
// does not build a printer.
func formatNum(lang string, n int) string {
	s := strconv.Itoa(n)
	if n > -1000 && n < 1000 {
		return s
	}
	sep := numSeparators()["en"]
	if lang == "fr" {
		sep = numSeparators()["fr"]
	}
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	b.Grow(len(sign) + len(s) + len(s)/3*len(sep))
	b.WriteString(sign)
	head := len(s) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(s[:head])
	for i := head; i < len(s); i += 3 {
		b.WriteString(sep)
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// numSeparators are the digit group separators of English and French.
var numSeparators = sync.OnceValue(func() map[string]string {
	sep := func(tag language.Tag) string {
		return strings.Trim(message.NewPrinter(tag).Sprintf("%d", 1000), "01")
	}
	return map[string]string{"en": sep(language.English), "fr": sep(language.French)}
})

// Count renders a plural message for n; templates show the number as
// {{.Num}}, formatted for the language.
func (c *Call) Count(id string, n int, data map[string]any) string {
	d := c.With(data)
	d["Num"] = c.Num(n)
	return c.N(id, n, d)
}

// AndList joins items as the call's language writes a list: "A, B and C",
// « A, B et C ». Any feature may use it.
func (c *Call) AndList(items []string) string { return c.tr.AndList(c.Lang, items) }

// AndList joins items as lang writes a list, for code that has a
// translator but no call.
func (t *Translator) AndList(lang string, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return t.T(lang, "list_and", map[string]any{
		"Head": strings.Join(items[:len(items)-1], t.T(lang, "list_separator", nil)),
		"Last": items[len(items)-1]})
}

// PlaceName is the jurisdiction's name in the call's language, or the code
// itself if the code is unknown.
func (c *Call) PlaceName(code string) string {
	if j, ok := storage.JurisdictionByCode(code); ok {
		return j.Name(c.Lang)
	}
	return code
}

// OrderName is the order of government as a label: "Federal",
// "Provincial or territorial", "Municipal".
func (c *Call) OrderName(o storage.Order) string { return c.T("order_"+string(o), nil) }

// Reply builds a Reply whose Text is the plain-text rendering of blocks, so
// that the console and notifications say what the blocks say.
func (c *Call) Reply(kind string, vis Visibility, blocks ...Block) Reply {
	return Reply{Kind: kind, Visibility: vis, Lang: c.Lang, Text: BlocksText(c.Lang, blocks), Blocks: blocks, Plain: c.Plain}
}

// BlocksText renders blocks as plain text, one block per paragraph, with the
// typography of lang (French puts a space before a colon).
func BlocksText(lang string, blocks []Block) string {
	var parts []string
	for _, b := range blocks {
		if t := blockText(lang, b); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

func blockText(lang string, b Block) string {
	switch b := b.(type) {
	case Header:
		return b.Text
	case Section:
		lines := []string{}
		if b.Text != "" {
			lines = append(lines, b.Text)
		}
		for _, f := range b.Fields {
			lines = append(lines, FieldLine(lang, f.Label, f.Value))
		}
		return strings.Join(lines, "\n")
	case Context:
		return b.Text
	case Time:
		return b.Prefix + b.Fallback
	}
	return ""
}

// FieldLine writes "Label: Value", or « Label : Value » in French with the
// no-break space of typography.go (the value is left as written).
func FieldLine(lang, label, value string) string {
	if lang == "fr" {
		return label + "\u00a0: " + value
	}
	return label + ": " + value
}

// ErrorList is an ephemeral error: a lead sentence and one bullet per
// problem, each already translated.
func (c *Call) ErrorList(lead string, problems []string) Reply {
	text := lead
	if len(problems) > 0 {
		text += "\n• " + strings.Join(problems, "\n• ")
	}
	return c.Reply("error", Ephemeral, Section{Text: text})
}

// CoordinatorOnly refuses a coordinator-only action, in the one wording
// every command uses: it names the slash command for help and for the
// list of coordinators.
func (c *Call) CoordinatorOnly() Reply { return c.ErrorReply("error_coordinator_only", c.SlashData()) }

// CoordinatorInConfig reports whether the config names id a coordinator
// (those cannot be removed from chat).
func (s *Service) CoordinatorInConfig(id storage.Identity) bool {
	for _, cid := range s.opts.Coordinators {
		if cid.Same(id) {
			return true
		}
	}
	return false
}

// NotMember answers a members-only command from someone who is not one:
// a former member is told how to come back rather than how to sign up.
func (c *Call) NotMember() Reply {
	key := "error_not_member"
	if c.Former != nil {
		key = "error_left_member"
	}
	return c.Reply("error", Ephemeral, Section{Text: c.T(key, c.SlashData())})
}

// LangCall is a call with no user behind it, for community posts written
// in one language.
func (s *Service) LangCall(lang string) *Call {
	return &Call{s: s, tr: s.tr, Lang: lang}
}

// TextCall is a call with no service behind it, for writing texts in lang
// with t alone (T, N, Count, Num, AndList, PlaceName): a report rendered
// after its service is gone. Helpers that read the service's options
// (SlashData, With, Reply…) must not be used on it.
func TextCall(t *Translator, lang string) *Call { return &Call{tr: t, Lang: lang} }

// RawArgs is the text after the command word, as typed: Fields would drop
// the quotes inside a name. When c.args did not come from the request's
// text (a command run from another), it is c.args joined.
func (c *Call) RawArgs() string {
	t := stripCommand(c.Req.Text, c.s.opts.Command)
	rest := ""
	if i := strings.IndexFunc(t, unicode.IsSpace); i >= 0 {
		rest = strings.TrimSpace(t[i:])
	}
	if !slices.Equal(Fields(rest), c.Args) {
		return strings.Join(c.Args, " ")
	}
	return rest
}

// FailUsage is an error followed by the command's usage line.
func (c *Call) FailUsage(err error, usage string) Reply {
	r := c.Fail(err)
	if r.Kind == "error" {
		hint := c.T(usage, c.SlashData())
		r.Text += "\n" + hint
		r.Blocks = append(r.Blocks, Context{Text: hint})
	}
	return r
}

// Caller is a request's caller as looked up once (Service.LookUp), to pass
// in Request.Caller.
type Caller struct {
	info storage.Caller
	err  error
}

// IsMember reports whether the caller is an active member. Adapters use it
// to skip platform look-ups that only matter for newcomers (a Slack
// locale: a member's saved language wins over it). After a storage failure
// it is false, so that the adapter falls back to the look-up it would have
// made anyway.
func (c *Caller) IsMember() bool { return c != nil && c.info.Member != nil }

// LookUp looks up the person behind id for a request about to be handled:
// pass it in Request.Caller, and the request uses it instead of looking
// them up again. A storage failure is logged; the request then answers as
// NewCall does after one.
func (s *Service) LookUp(ctx context.Context, id storage.Identity) *Caller {
	if id.IsZero() {
		return &Caller{}
	}
	c, err := s.store.CallerByIdentity(ctx, id)
	if err != nil {
		s.log.Warn("caller lookup", "identity", id.String(), "err", err)
	}
	return &Caller{info: c, err: err}
}

// IsMember reports whether id belongs to an active member (see
// Caller.IsMember).
func (s *Service) IsMember(ctx context.Context, id storage.Identity) bool {
	return s.LookUp(ctx, id).IsMember()
}
