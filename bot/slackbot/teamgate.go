package slackbot

import (
	"context"
	"sync"
	"time"

	"copbot/handlers"
)

// Slack Connect: people of other organizations reach copbot in a channel
// their workspace shares with the community's. Only those of the bot
// token's own workspace, of the workspaces (T…) or Enterprise Grid
// organizations (E…) in [slack] allowed_teams, and of the workspaces
// copbot is installed in (/slack/install) take part; anyone else is
// told, in English and French, that their organization's workspace is not
// part of the Community, before the service is asked anything: nothing is
// read for them, written or audited.
//
// The bot token's workspace is learned from auth.test on the first request
// that needs it (one call, then kept). Until Slack answers it, a request is
// let through when allowed_teams is empty (what copbot did before it
// checked teams; logged) and refused unless listed otherwise; auth.test is
// asked again after homeRetry.

// homeRetry is how long a failed auth.test is trusted before asking again.
const homeRetry = time.Minute

// teamGate holds the allowed workspaces and the bot token's own.
type teamGate struct {
	allowed map[string]bool // [slack] allowed_teams

	mu      sync.Mutex
	home    string // the bot token's workspace, "" until auth.test answers
	homeOrg string // its Enterprise Grid organization, if any
	retryAt time.Time
}

func newTeamGate(ids []string) *teamGate {
	g := &teamGate{allowed: make(map[string]bool, len(ids))}
	for _, id := range ids {
		g.allowed[id] = true
	}
	return g
}

// allows reports whether a person of workspace team (of Enterprise Grid
// organization org, "" if none or unknown) takes part. A payload that names
// no team cannot be told apart and is let through: Slack names one in every
// payload.
func (a *Adapter) allows(ctx context.Context, team, org string) bool {
	g := a.gate
	if team == "" || g.allowed[team] || (org != "" && g.allowed[org]) || a.ws.get(team) != nil {
		return true // an installed workspace (workspaces.go) takes part too
	}
	home, homeOrg, known := a.homeTeam(ctx)
	switch {
	case known && (team == home || (org != "" && org == homeOrg)):
		return true
	case !known && len(g.allowed) == 0:
		a.log.Warn("slack workspace of the bot token not known yet (auth.test); request let through", "team", team)
		return true
	}
	// The ids a coordinator adds to allowed_teams to let them in.
	a.log.Info("slack request from a workspace not in allowed_teams: refused", "team_id", team, "enterprise_id", org)
	return false
}

// homeTeam returns the bot token's workspace and organization, asking
// auth.test once (again after homeRetry when it failed).
func (a *Adapter) homeTeam(ctx context.Context) (team, org string, known bool) {
	g := a.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.home != "" {
		return g.home, g.homeOrg, true
	}
	now := a.now()
	if now.Before(g.retryAt) {
		return "", "", false
	}
	ctx, cancel := context.WithTimeout(ctx, a.tune.userTimeout)
	defer cancel()
	res, err := a.api.AuthTestContext(ctx)
	if err != nil || res.TeamID == "" {
		g.retryAt = now.Add(homeRetry)
		a.log.Warn("auth.test failed: the bot token's workspace is not known", "err", err)
		return "", "", false
	}
	g.home, g.homeOrg = res.TeamID, res.EnterpriseID
	return g.home, g.homeOrg, true
}

// teamRefusal is the answer to a person whose workspace does not take
// part: both languages, English first (copbot knows nothing of them).
func (a *Adapter) teamRefusal() handlers.Reply {
	en, fr := a.t("en", "slack_team_not_allowed"), a.t("fr", "slack_team_not_allowed")
	return handlers.Reply{Kind: "team_not_allowed", Lang: "en", Visibility: handlers.Ephemeral,
		Text:   en + "\n\n" + fr,
		Blocks: []handlers.Block{handlers.Section{Text: en}, handlers.Section{Text: fr}}}
}
