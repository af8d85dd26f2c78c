package handlers

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"copbot/scheduler"
	"copbot/storage"
)

// The registry is how features plug into the core: each feature package
// builds its Parts and calls Service.Install once, before the service
// handles anything. The core knows no feature by name.

// Command is one top-level command with its English and French names.
type Command struct {
	Names       []string // folded names, English first: "who", "qui"
	Coordinator bool     // refused to non-coordinators
	HelpKey     string   // i18n id of its one-line help; HelpKey+"_more" details it
	Run         func(ctx context.Context, c *Call) Reply
	// Cached says that Run's reply depends on nothing but the directory
	// (members, organizations, coordinators: directory_version), the
	// command's words, and the caller's language, plain setting, platform
	// and role: the core then keeps it, rendered once, while the version
	// stands (replycache.go).
	Cached bool
	// Version, set on a Cached command whose reply depends on something
	// else than the directory, reads that thing's version, which every
	// write to it bumps from any process (the meetings list:
	// storage.DB.MeetingVersion). The reply is then kept by that version,
	// apart from the directory's replies, and only until its Until when
	// it depends on the time too.
	Version func(ctx context.Context) (int64, error)
	cache   *replyCache // Version's replies, made by Install
}

// ActionFunc handles a button click; value is the Button's Value.
type ActionFunc func(ctx context.Context, c *Call, value string) Reply

// FormFunc handles a submitted form. A non-empty errs map (field id to a
// translated message) means nothing was saved and the form should show them.
type FormFunc func(ctx context.Context, c *Call, state string, values map[string]string) (r Reply, errs map[string]string)

// AnswerFunc answers text that is not a command ("anyone from Nunavut?", a
// "yes" after a prompt); ok is false when the text is not its kind.
type AnswerFunc func(ctx context.Context, c *Call) (r Reply, ok bool)

// HomeSection is a part of the App Home. Sections show in Order, lowest
// first (equal orders in install order); Blocks never panics and returns
// nil to show nothing.
type HomeSection struct {
	Order  int
	Blocks func(ctx context.Context, c *Call) []Block
}

// Setting is an on/off preference a feature adds to the core's
// `preferences` command ("preferences email on").
type Setting struct {
	Names []string // folded, both languages: "email", "courriel"
	// Show is the setting's line in `preferences`, in c's language.
	Show func(ctx context.Context, c *Call) string
	// Set saves c's member's choice and says so.
	Set func(ctx context.Context, c *Call, on bool) Reply
}

// Parts are what one feature adds to the core.
type Parts struct {
	// Commands are listed by help in install order, after the earlier
	// features' commands.
	Commands []*Command
	Actions  map[string]ActionFunc // by Button.ActionID
	Forms    map[string]FormFunc   // by Form.ID
	Home     []HomeSection
	// Answers are tried in install order on text that is no command,
	// before the core's greetings and "did you mean".
	Answers []AnswerFunc
	// Settings are the feature's member preferences, after the core's.
	Settings []Setting
	// Jobs are the feature's timed work, one Source each (see JobSources).
	Jobs []scheduler.Source
	// Posts are the kinds of keyed community posts the feature makes, for
	// the delivery command (see PostKind).
	Posts []PostKind
	// Words are first words that tell the language a text is written in,
	// by language ("en", "fr", or "" for words both languages use), as
	// written (accents included: suggestions show them).
	Words map[string][]string
	// MembershipChanged is called once a join, a departure or an import
	// is saved; joined is the member who joined or came back, else nil.
	// It must not block: queue slow work.
	MembershipChanged func(joined *storage.Member)
	// Flush sends the feature's pending channel updates now and waits for
	// them (see Service.Flush).
	Flush func()
	// Close stops the feature's background work; closes run in reverse
	// install order.
	Close func()
}

// registry holds every installed part.
type registry struct {
	commands []*Command // the features', in install order
	core     []*Command // the core's own: help first, then the settings last
	actions  map[string]ActionFunc
	forms    map[string]FormFunc
	home     []HomeSection
	answers  []AnswerFunc
	settings []Setting
	jobs     []scheduler.Source
	posts    []PostKind
	changed  []func(*storage.Member)
	flush    []func()
	closers  []func()
	// wordLists accumulates Parts.Words; words is built from it (see
	// langguess.go).
	wordLists map[string][]string
	words     map[string]commandWord
}

// Install adds a feature's parts. It must be called before the service
// handles requests, never concurrently with them. A command name, action
// or form id installed twice is a programming error: Install panics.
func (s *Service) Install(p Parts) {
	r := &s.reg
	for _, cmd := range p.Commands {
		for _, n := range cmd.Names {
			if s.reg.lookup(n) != nil {
				panic(fmt.Sprintf("handlers: command %q installed twice", n))
			}
		}
		if cmd.Cached && cmd.Version != nil {
			cmd.cache = &replyCache{}
		}
		r.commands = append(r.commands, cmd)
	}
	for id, fn := range p.Actions {
		if _, dup := r.actions[id]; dup {
			panic(fmt.Sprintf("handlers: action %q installed twice", id))
		}
		r.actions[id] = fn
	}
	for id, fn := range p.Forms {
		if _, dup := r.forms[id]; dup {
			panic(fmt.Sprintf("handlers: form %q installed twice", id))
		}
		r.forms[id] = fn
	}
	r.home = append(r.home, p.Home...)
	slices.SortStableFunc(r.home, func(a, b HomeSection) int { return a.Order - b.Order })
	r.answers = append(r.answers, p.Answers...)
	r.settings = append(r.settings, p.Settings...)
	r.jobs = append(r.jobs, p.Jobs...)
	r.posts = append(r.posts, p.Posts...)
	if p.MembershipChanged != nil {
		r.changed = append(r.changed, p.MembershipChanged)
	}
	if p.Flush != nil {
		r.flush = append(r.flush, p.Flush)
	}
	if p.Close != nil {
		s.mu.Lock()
		r.closers = append(r.closers, p.Close)
		s.mu.Unlock()
	}
	r.addWords(p.Words)
}

// Commands lists every command in help order: the core's help, the
// features' commands in install order, then the core's settings.
func (s *Service) Commands() []*Command { return s.reg.all() }

// all is every command in help's order: help, the features', the settings.
func (r *registry) all() []*Command {
	out := make([]*Command, 0, len(r.commands)+len(r.core))
	out = append(out, r.core[:1]...)
	out = append(out, r.commands...)
	return append(out, r.core[1:]...)
}

// WritesNothing reports whether text (a typed command, with or without
// the slash command's name) names a Cached command, or help: answering it
// writes nothing (a cached reply is answered without running the
// command), so an adapter may answer a repeated delivery of it again
// instead of recording each delivery in a write of its own. Anything else,
// plain questions included, may write.
func (s *Service) WritesNothing(text string) bool {
	name, _ := splitCommand(stripCommand(text, s.opts.Command))
	if name == "" {
		return true // help
	}
	cmd := s.reg.lookup(name)
	return cmd != nil && cmd.Cached
}

// lookup finds the command with the folded name, or nil.
func (r *registry) lookup(name string) *Command {
	for _, list := range [][]*Command{r.core, r.commands} {
		for _, cmd := range list {
			if slices.Contains(cmd.Names, name) {
				return cmd
			}
		}
	}
	return nil
}

// JobSources lists the timed work of every feature for the scheduler, one
// Source per feature part, in install order. They are separate so that a
// feature whose listing fails keeps its jobs scheduled while the others go
// on.
func (s *Service) JobSources() []scheduler.Source {
	return slices.Clone(s.reg.jobs)
}

// MembershipChanged tells every feature that a join, a departure or an
// import was saved (see Parts.MembershipChanged).
func (s *Service) MembershipChanged(joined *storage.Member) {
	for _, f := range s.reg.changed {
		f(joined)
	}
}

// ActionIDs lists the installed button actions, sorted. The authorization
// matrix enumerates them, so that a new button cannot skip its audit.
func (s *Service) ActionIDs() []string {
	return slices.Sorted(maps.Keys(s.reg.actions))
}

// FormIDs lists the installed forms, sorted, for the same reason.
func (s *Service) FormIDs() []string {
	return slices.Sorted(maps.Keys(s.reg.forms))
}
