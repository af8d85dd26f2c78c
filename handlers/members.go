package handlers

import (
	"context"

	"copbot/storage"
)

// registerMembers installs membership, the directory and coverage. Names
// are folded (see Fold): English first, then French.
func (s *Service) registerMembers() {
	s.members = newMemberFeature()
	s.Install(Parts{
		Commands: []*Command{
			{Names: []string{"who", "qui"}, HelpKey: "help_who", Run: s.cmdWho},
			{Names: []string{"join", "rejoindre", "adherer", "inscription"}, HelpKey: "help_join", Run: s.cmdJoin},
			{Names: []string{"profile", "profil"}, HelpKey: "help_profile", Run: s.cmdProfile},
			{Names: []string{"update", "modifier"}, HelpKey: "help_update", Run: s.cmdUpdate},
			{Names: []string{"leave", "quitter"}, HelpKey: "help_leave", Run: s.cmdLeave},
			{Names: []string{"language", "langue", "lang"}, HelpKey: "help_language", Run: s.cmdLanguage},
			{Names: []string{"gaps", "coverage", "lacunes", "couverture"}, HelpKey: "help_gaps", Run: s.cmdGaps},
			{Names: []string{"stats", "statistics", "statistiques"}, HelpKey: "help_stats", Run: s.cmdStats},
			// Everyone may list the coordination team; changing it is checked
			// in cmdCoordinator. « coordination » is the name French help shows.
			{Names: []string{"coordinators", "coordinator", "coordination", "coordonnateurs", "coordonnateur",
				"coordonnatrice", "coordonnatrices", "coordinateur"}, HelpKey: "help_coordinator", Run: s.cmdCoordinator},
		},
		Actions: map[string]ActionFunc{
			"signup_open":       s.actSignupOpen,
			"leave_confirm":     s.actLeaveConfirm,
			"gaps_show":         func(ctx context.Context, c *Call, _ string) Reply { return s.cmdGaps(ctx, c) },
			"stats_show":        func(ctx context.Context, c *Call, _ string) Reply { return s.cmdStats(ctx, c) },
			"coordinators_list": s.actCoordinatorList,
		},
		Forms:   map[string]FormFunc{"signup": s.submitSignup},
		Home:    []HomeSection{{Order: 10, Blocks: s.homeProfile}, {Order: 90, Blocks: s.homeShortcuts}},
		Answers: []AnswerFunc{s.question, s.answerYesNo},
		Words:   directoryWords,
	})
}

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
func (s *Service) homeProfile(_ context.Context, c *Call) []Block {
	if c.Member == nil {
		return []Block{Section{Text: c.T("home_not_member", nil)},
			Actions{Buttons: []Button{{ActionID: "signup_open", Label: c.T("home_join", nil), Style: StylePrimary}}}}
	}
	p := c.profileReply(c.Member)
	return append(p.Blocks[1:], Actions{Buttons: []Button{{ActionID: "signup_open", Label: c.T("home_edit", nil)}}})
}

// homeShortcuts are the coordinators' buttons at the end of the App Home.
func (s *Service) homeShortcuts(_ context.Context, c *Call) []Block {
	if !c.Coordinator {
		return nil
	}
	return []Block{Divider{}, Section{Text: c.T("home_coordinator", nil)}, Actions{Buttons: []Button{
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
