package directory

import (
	"context"
	"log/slog"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Package directory is the Community's roster and who is in it: joining,
// profiles, leaving, the directory by place and order of government and
// the questions that ask it, coverage and statistics, the coordinators,
// linking accounts, and roster import and export. Install adds it to a
// handlers core.

// Feature is the directory of one Service.
type Feature struct {
	svc     *handlers.Service
	store   *storage.DB
	opts    handlers.Options
	tr      *handlers.Translator
	log     *slog.Logger
	now     func() time.Time
	members *handlers.Prompts
	picks   orgPicks // profiles held back by an organization suggestion
}

// call is a request to the directory: the core's Call and the feature.
type call struct {
	*handlers.Call
	s *Feature
}

// Install adds the directory to svc: membership, the directory and its
// questions, coverage, statistics and the coordinators. Names are folded
// (see handlers.Fold): English first, then French.
func Install(svc *handlers.Service) *Feature {
	s := &Feature{svc: svc, store: svc.Store(), opts: svc.Options(), tr: svc.Translator(), log: svc.Log(),
		now: svc.Now, members: newLeavePrompts()}
	gaps := func(ctx context.Context, c *call, _ string) handlers.Reply { return s.cmdGaps(ctx, c) }
	stats := func(ctx context.Context, c *call, _ string) handlers.Reply { return s.cmdStats(ctx, c) }
	svc.Install(handlers.Parts{
		Commands: []*handlers.Command{
			{Names: []string{"who", "qui"}, HelpKey: "help_who", Run: s.run(s.cmdWho), Cached: true},
			{Names: []string{"join", "rejoindre", "adherer", "inscription"}, HelpKey: "help_join", Run: s.run(s.cmdJoin)},
			{Names: []string{"profile", "profil"}, HelpKey: "help_profile", Run: s.run(s.cmdProfile)},
			{Names: []string{"update", "modifier"}, HelpKey: "help_update", Run: s.run(s.cmdUpdate)},
			{Names: []string{"leave", "quitter"}, HelpKey: "help_leave", Run: s.run(s.cmdLeave)},
			{Names: []string{"language", "langue", "lang"}, HelpKey: "help_language", Run: s.run(s.cmdLanguage)},
			{Names: []string{"gaps", "coverage", "lacunes", "couverture"}, HelpKey: "help_gaps", Run: s.run(s.cmdGaps), Cached: true},
			{Names: []string{"stats", "statistics", "statistiques"}, HelpKey: "help_stats", Run: s.run(s.cmdStats), Cached: true},
			// Everyone may list the coordination team; changing it is checked
			// in cmdCoordinator. « coordination » is the name French help shows.
			{Names: []string{"coordinators", "coordinator", "coordination", "coordonnateurs", "coordonnateur",
				"coordonnatrice", "coordonnatrices", "coordinateur"}, HelpKey: "help_coordinator", Run: s.run(s.cmdCoordinator)},
			{Names: []string{"roster", "liste"}, Coordinator: true, HelpKey: "help_roster", Run: s.run(s.cmdRoster)},
		},
		Actions: map[string]handlers.ActionFunc{
			"signup_open":       s.act(s.actSignupOpen),
			"leave_confirm":     s.act(s.actLeaveConfirm),
			"gaps_show":         s.act(gaps),
			"stats_show":        s.act(stats),
			"coordinators_list": s.act(s.actCoordinatorList),
			"directory_page":    s.act(s.actPage),
			"org_pick":          s.act(s.actOrgPick),
		},
		Forms: map[string]handlers.FormFunc{"signup": func(ctx context.Context, c *handlers.Call, state string,
			v map[string]string) (handlers.Reply, map[string]string) {
			return s.submitSignup(ctx, s.call(c), state, v)
		}},
		Home: []handlers.HomeSection{{Order: 10, Blocks: s.blocks(s.homeProfile)}, {Order: 90, Blocks: s.blocks(s.homeShortcuts)}},
		Answers: []handlers.AnswerFunc{
			func(ctx context.Context, c *handlers.Call) (handlers.Reply, bool) { return s.question(ctx, s.call(c)) },
			func(ctx context.Context, c *handlers.Call) (handlers.Reply, bool) {
				return s.answerOrgPick(ctx, s.call(c))
			},
			func(ctx context.Context, c *handlers.Call) (handlers.Reply, bool) {
				return s.answerYesNo(ctx, s.call(c))
			},
		},
		Words: directoryWords,
	})
	return s
}

func (s *Feature) call(c *handlers.Call) *call { return &call{Call: c, s: s} }

// langCall is a call with no user behind it, for texts in lang.
func (s *Feature) langCall(lang string) *call { return s.call(s.svc.LangCall(lang)) }

func (s *Feature) run(fn func(context.Context, *call) handlers.Reply) func(context.Context, *handlers.Call) handlers.Reply {
	return func(ctx context.Context, c *handlers.Call) handlers.Reply { return fn(ctx, s.call(c)) }
}

func (s *Feature) act(fn func(context.Context, *call, string) handlers.Reply) handlers.ActionFunc {
	return func(ctx context.Context, c *handlers.Call, v string) handlers.Reply { return fn(ctx, s.call(c), v) }
}

func (s *Feature) blocks(fn func(context.Context, *call) []handlers.Block) func(context.Context, *handlers.Call) []handlers.Block {
	return func(ctx context.Context, c *handlers.Call) []handlers.Block { return fn(ctx, s.call(c)) }
}

// StatsSentence is the Community's composition as the report to the
// Council states it: "81 people representing 6 federal departments, …".
func (s *Feature) StatsSentence(c *handlers.Call, st storage.Stats) string {
	return s.call(c).statsSentence(st)
}

// MatchJurisdiction is the package's MatchJurisdiction, for features that
// read places through an interface.
func (s *Feature) MatchJurisdiction(text string) (storage.Jurisdiction, bool) {
	return MatchJurisdiction(text)
}

// MatchOrder is the package's MatchOrder.
func (s *Feature) MatchOrder(text string) (storage.Order, bool) { return MatchOrder(text) }

// directoryWords are the first words that tell the language of a
// membership command or a directory question.
var directoryWords = map[string][]string{
	"en": {"who", "join", "profile", "update", "leave", "language", "gaps", "coverage", "stats",
		"statistics", "coordinator", "coordinators", "anyone", "anybody", "someone", "somebody", "whos", "who's",
		"is", "are", "does", "list", "show"},
	"fr": {"qui", "rejoindre", "adhérer", "inscription", "profil", "modifier", "quitter", "langue",
		"lacunes", "couverture", "statistiques", "coordonnateur", "coordonnateurs", "coordonnatrice", "coordonnatrices",
		"coordinateur", "quelqu’un", "quelqu'un", "quelquun", "y", "est-ce", "liste", "montre"},
	"": {"lang", "coordination"},
}

// homeProfile is the App Home's first part: the member's profile with an
// edit button, or a Join button.
func (s *Feature) homeProfile(_ context.Context, c *call) []handlers.Block {
	if c.Member == nil {
		return []handlers.Block{handlers.Section{Text: c.T("home_not_member", nil)},
			handlers.Actions{Buttons: []handlers.Button{{ActionID: "signup_open", Label: c.T("home_join", nil), Style: handlers.StylePrimary}}}}
	}
	p := c.profileReply(c.Member)
	return append(p.Blocks[1:], handlers.Actions{Buttons: []handlers.Button{{ActionID: "signup_open", Label: c.T("home_edit", nil)}}})
}

// homeShortcuts are the coordinators' buttons at the end of the App Home.
func (s *Feature) homeShortcuts(_ context.Context, c *call) []handlers.Block {
	if !c.Coordinator {
		return nil
	}
	return []handlers.Block{handlers.Divider{}, handlers.Section{Text: c.T("home_coordinator", nil)}, handlers.Actions{Buttons: []handlers.Button{
		{ActionID: "gaps_show", Label: c.T("home_gaps", nil)},
		{ActionID: "stats_show", Label: c.T("home_stats", nil)},
		{ActionID: "coordinators_list", Label: c.T("home_coordinators", nil)},
	}}}
}

// memberOrder is m's order of government as the member gave it:
// "territorial" for the provincial-or-territorial order in a territory.
// Storage keeps one order for provincial and territorial ministries (the
// report counts them together), and the jurisdiction tells them apart.
func memberOrder(m *storage.Member) string {
	if m.Order == storage.OrderProvincial {
		if j, ok := storage.JurisdictionByCode(m.Jurisdiction); ok && j.Territory {
			return "territorial"
		}
	}
	return string(m.Order)
}
