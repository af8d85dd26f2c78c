package report

import (
	"context"
	"strconv"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// The challenges register: "challenge add|edit|close", "challenges" lists
// them. The coverage challenge (jurisdictions without a representative) is
// kept by copbot itself (syncCoverage) and may be edited like the others.

var challengeFlags = handlers.FlagSpec{
	Names: map[string]string{
		"problem": "problem", "probleme": "problem",
		"criticality": "criticality", "criticite": "criticality", "level": "criticality", "niveau": "criticality",
		"incidence": "incidence", "impact": "incidence",
		"plan": "plan", "action-plan": "plan", "plan-action": "plan", "plan-d-action": "plan",
	},
	Help: "--problem, --criticality, --incidence, --plan",
}

var criticalityWords = map[string]storage.Criticality{
	"low": storage.CriticalityLow, "faible": storage.CriticalityLow, "basse": storage.CriticalityLow,
	"medium": storage.CriticalityMedium, "moyenne": storage.CriticalityMedium, "moyen": storage.CriticalityMedium,
	"high": storage.CriticalityHigh, "elevee": storage.CriticalityHigh, "haute": storage.CriticalityHigh, "eleve": storage.CriticalityHigh,
}

func (s *Feature) cmdChallenge(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 0 {
		return s.cmdChallenges(ctx, c)
	}
	sub, rest := handlers.Fold(c.Args[0]), c.Args[1:]
	c.Args = rest
	switch sub {
	case "add", "new", "ajouter", "nouveau":
		return s.challengeAdd(ctx, c)
	case "edit", "modifier":
		return s.challengeEdit(ctx, c)
	case "close", "fermer", "clore":
		return s.challengeClose(ctx, c)
	case "list", "liste":
		return s.cmdChallenges(ctx, c)
	}
	return c.ErrorReply("challenge_usage", c.SlashData())
}

// challengeAdd: challenge add "problem" --criticality high --incidence … --plan ….
func (s *Feature) challengeAdd(ctx context.Context, c *call) handlers.Reply {
	pos, opts, err := challengeFlags.Parse(c.Args)
	in := storage.ChallengeInput{Problem: strings.Join(pos, " "), Criticality: storage.CriticalityMedium}
	if err == nil {
		var u storage.ChallengeUpdate
		u, err = challengeUpdateFrom(opts)
		applyChallengeInput(&in, u)
	}
	if err != nil {
		return c.FailUsage(err, "challenge_usage")
	}
	ch, err := s.store.AddChallenge(ctx, in)
	if err != nil {
		return c.FailUsage(err, "challenge_usage")
	}
	return c.Reply("challenge", handlers.Ephemeral, handlers.Section{Text: c.T("challenge_added", map[string]any{"ID": ch.ID})}, c.challengeBlock(ch))
}

func applyChallengeInput(in *storage.ChallengeInput, u storage.ChallengeUpdate) {
	if u.Problem != nil {
		in.Problem = *u.Problem
	}
	if u.Criticality != nil {
		in.Criticality = *u.Criticality
	}
	if u.Incidence != nil {
		in.Incidence = *u.Incidence
	}
	if u.ActionPlan != nil {
		in.ActionPlan = *u.ActionPlan
	}
}

func challengeUpdateFrom(opts []handlers.Opt) (storage.ChallengeUpdate, error) {
	var u storage.ChallengeUpdate
	for _, o := range opts {
		v := o.Value
		switch o.Field {
		case "problem":
			u.Problem = &v
		case "incidence":
			u.Incidence = &v
		case "plan":
			u.ActionPlan = &v
		case "criticality":
			cr, ok := criticalityWords[handlers.Fold(v)]
			if !ok {
				return u, storage.Errorf(storage.EINVALID, "challenge_error_criticality", map[string]any{"Value": v}, "bad criticality")
			}
			u.Criticality = &cr
		}
	}
	return u, nil
}

// challengeEdit: challenge edit ID --field value ….
func (s *Feature) challengeEdit(ctx context.Context, c *call) handlers.Reply {
	id, ok := challengeID(c.Args)
	if !ok {
		return c.ErrorReply("challenge_usage", c.SlashData())
	}
	pos, opts, err := challengeFlags.Parse(c.Args[1:])
	if err == nil && (len(pos) > 0 || len(opts) == 0) {
		err = handlers.ErrExtra(pos)
	}
	var u storage.ChallengeUpdate
	if err == nil {
		u, err = challengeUpdateFrom(opts)
	}
	if err != nil {
		return c.FailUsage(err, "challenge_usage")
	}
	ch, err := s.store.UpdateChallenge(ctx, id, u)
	if err != nil {
		return c.Fail(err)
	}
	return c.Reply("challenge", handlers.Ephemeral, handlers.Section{Text: c.T("challenge_edited", map[string]any{"ID": id})}, c.challengeBlock(ch))
}

func (s *Feature) challengeClose(ctx context.Context, c *call) handlers.Reply {
	id, ok := challengeID(c.Args)
	if !ok || len(c.Args) != 1 {
		return c.ErrorReply("challenge_usage", c.SlashData())
	}
	if _, err := s.store.CloseChallenge(ctx, id); err != nil {
		return c.Fail(err)
	}
	return c.Reply("challenge", handlers.Ephemeral, handlers.Section{Text: c.T("challenge_closed", map[string]any{"ID": id})})
}

func challengeID(args []string) (int64, bool) {
	if len(args) == 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
	return id, err == nil && id > 0
}

// cmdChallenges lists the open challenges, the coverage one kept true first.
func (s *Feature) cmdChallenges(ctx context.Context, c *call) handlers.Reply {
	s.syncCoverage(ctx)
	all, err := s.store.Challenges(ctx, s.now(), s.now())
	if err != nil {
		return c.Fail(err)
	}
	blocks := []handlers.Block{handlers.Header{Text: c.T("challenge_list_title", nil)}}
	for _, ch := range all {
		if ch.Open {
			blocks = append(blocks, c.challengeBlock(ch))
		}
	}
	if len(blocks) == 1 {
		blocks = append(blocks, handlers.Section{Text: c.T("challenge_list_empty", nil)})
	}
	blocks = append(blocks, handlers.Context{Text: c.T("challenge_hint", c.SlashData())})
	return c.Reply("challenges", handlers.Ephemeral, blocks...)
}

// challengeBlock is one challenge as a section with its fields.
func (c *call) challengeBlock(ch *storage.Challenge) handlers.Block {
	t := challengeTexts(c.s.tr, c.Lang, ch)
	return handlers.Section{Text: c.T("challenge_line", map[string]any{"ID": ch.ID, "Problem": t.problem}), Fields: []handlers.Field{
		{Label: c.T("challenge_criticality", nil), Value: t.criticality},
		{Label: c.T("challenge_incidence", nil), Value: t.incidence},
		{Label: c.T("challenge_plan", nil), Value: t.plan}}}
}

// challengeText is a challenge in one language, defaults filled in.
type challengeText struct {
	problem, criticality, incidence, plan string
}

// challengeTexts writes ch in lang: the coverage challenge's empty texts
// become the translated defaults naming its jurisdictions.
func challengeTexts(tr *handlers.Translator, lang string, ch *storage.Challenge) challengeText {
	t := challengeText{problem: handlers.User(ch.Problem), criticality: tr.T(lang, "criticality_"+string(ch.Criticality), nil),
		incidence: handlers.User(ch.Incidence), plan: handlers.User(ch.ActionPlan)}
	if ch.Kind != storage.ChallengeCoverage {
		return t
	}
	var names []string
	for _, code := range ch.Jurisdictions {
		if _, ok := storage.JurisdictionByCode(code); ok {
			names = append(names, tr.Place(lang, code, handlers.PlaceOf))
		}
	}
	def := func(dst *string, id string) {
		if *dst == "" {
			*dst = tr.N(lang, id, len(names), map[string]any{"List": tr.AndList(lang, names)})
		}
	}
	def(&t.problem, "challenge_coverage_problem")
	def(&t.incidence, "challenge_coverage_incidence")
	def(&t.plan, "challenge_coverage_plan")
	return t
}

// syncCoverage brings the coverage challenge up to date; a failure is
// logged, as the membership change that called it is already saved.
func (s *Feature) syncCoverage(ctx context.Context) {
	if _, err := s.store.SyncCoverageChallenge(ctx); err != nil {
		s.log.Error("coverage challenge", "err", err)
	}
}
