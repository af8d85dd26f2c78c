// Package privacy is what a person can ask about what copbot holds on
// them, and how long copbot keeps it (the roster is Protected A personal
// data, kept as the Privacy Act expects):
//
//   - "privacy" says what copbot keeps, for how long, and the commands;
//   - "my data" sends a person everything held about them, privately;
//   - "forget me" erases them after an explicit confirmation, their votes
//     staying counted, anonymously;
//   - a daily job erases former members' profiles once the retention
//     period has passed since they left, and prunes the delivery ledger
//     and the record of handled requests.
//
// Install adds it to a handlers core.
package privacy

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// DefaultRetentionMonths is how long former members' profiles are kept
// after they left when the configuration says nothing.
const DefaultRetentionMonths = 24

// MaxRetentionMonths bounds the setting (ten years).
const MaxRetentionMonths = 120

// Options are the privacy feature's settings.
type Options struct {
	// RetentionMonths: a former member's profile is erased this many
	// months after they left; 0 means DefaultRetentionMonths.
	RetentionMonths int
}

// ValidateOptions refuses a retention outside 1..MaxRetentionMonths (0 is
// the default).
func ValidateOptions(o Options) error {
	if o.RetentionMonths < 0 || o.RetentionMonths > MaxRetentionMonths {
		return fmt.Errorf("privacy.retention_months: %d is not between 1 and %d", o.RetentionMonths, MaxRetentionMonths)
	}
	return nil
}

// Feature is the privacy commands and the daily retention job of one
// Service.
type Feature struct {
	svc       *handlers.Service
	store     *storage.DB
	opts      handlers.Options
	retention int // months
	now       func() time.Time
	log       *slog.Logger
	prompts   *handlers.Prompts // "forget me" prompts waiting for a "yes"
	daily     *daily
}

// forgetPromptTTL is how long a "forget me" prompt can be confirmed.
const forgetPromptTTL = 10 * time.Minute

// maxForgetPrompts bounds the prompts remembered at once.
const maxForgetPrompts = 1000

// call is a request to the privacy feature.
type call struct {
	*handlers.Call
	s *Feature
}

// Install adds the privacy commands, the confirmation button and answer,
// and the daily retention job to svc.
func Install(svc *handlers.Service, o Options) *Feature {
	if o.RetentionMonths == 0 {
		o.RetentionMonths = DefaultRetentionMonths
	}
	s := &Feature{svc: svc, store: svc.Store(), opts: svc.Options(), retention: o.RetentionMonths, now: svc.Now,
		log: svc.Log(), prompts: handlers.NewPrompts(forgetPromptTTL, maxForgetPrompts)}
	s.daily = &daily{s: s}
	svc.Install(handlers.Parts{
		Commands: []*handlers.Command{
			{Names: []string{"privacy", "confidentialite", "vie-privee"}, HelpKey: "help_privacy", Run: s.run(s.cmdPrivacy)},
			{Names: []string{"my", "mes", "mydata"}, HelpKey: "help_mydata", Run: s.run(s.cmdMyData)},
			{Names: []string{"forget", "oublier", "oubliez", "oubliez-moi", "oublie-moi"}, HelpKey: "help_forget", Run: s.run(s.cmdForget)},
		},
		Actions: map[string]handlers.ActionFunc{
			"forget_confirm": s.act(s.actForgetConfirm),
			"forget_cancel":  s.act(s.actForgetCancel),
		},
		Answers: []handlers.AnswerFunc{func(ctx context.Context, c *handlers.Call) (handlers.Reply, bool) {
			return s.answerForget(ctx, s.call(c))
		}},
		Jobs:  []scheduler.Source{scheduler.SourceFunc(s.daily.pending)},
		Words: map[string][]string{"en": {"privacy", "forget", "my"}, "fr": {"confidentialité", "oublier", "oubliez", "mes"}},
	})
	return s
}

func (s *Feature) call(c *handlers.Call) *call { return &call{Call: c, s: s} }

func (s *Feature) run(fn func(context.Context, *call) handlers.Reply) func(context.Context, *handlers.Call) handlers.Reply {
	return func(ctx context.Context, c *handlers.Call) handlers.Reply { return fn(ctx, s.call(c)) }
}

func (s *Feature) act(fn func(context.Context, *call, string) handlers.Reply) handlers.ActionFunc {
	return func(ctx context.Context, c *handlers.Call, v string) handlers.Reply { return fn(ctx, s.call(c), v) }
}

// cmdPrivacy: privacy. What copbot keeps, for how long, and what a person
// can ask.
func (s *Feature) cmdPrivacy(_ context.Context, c *call) handlers.Reply {
	return c.Reply("privacy", handlers.Ephemeral,
		handlers.Header{Text: c.T("privacy_title", nil)},
		handlers.Section{Text: c.T("privacy_keeps", nil)},
		handlers.Section{Text: c.Count("privacy_retention", s.retention, nil)},
		handlers.Section{Text: c.T("privacy_commands", c.SlashData())})
}

// oneWord reports whether the command's arguments are exactly one of
// words (folded), as in "forget me" or "my data".
func (c *call) oneWord(words ...string) bool {
	if len(c.Args) != 1 {
		return false
	}
	a := handlers.Fold(c.Args[0])
	for _, w := range words {
		if a == w {
			return true
		}
	}
	return false
}
