package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"copbot/storage"
)

// One client per workspace. The configured bot_token is the home
// workspace's; every workspace installed through OAuth (oauth.go) has its
// own token, so a request from team T is answered, its modals opened and
// its Home published with T's client: Slack refuses another workspace's
// token there (channel_not_found, user_not_found). The team travels in the
// request's context from the moment its body is verified (forTeam), into
// the work done after the acknowledgement (enqueue).

// workspace is one installed workspace as the adapter uses it.
type workspace struct {
	team    string
	api     *slack.Client
	channel string // its community channel, "" if none was picked
	botUser string
}

// workspaces holds the installed workspaces, by team id.
type workspaces struct {
	mu sync.RWMutex
	by map[string]*workspace
}

func (w *workspaces) get(team string) *workspace {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.by[team]
}

func (w *workspaces) put(ws *workspace) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.by == nil {
		w.by = map[string]*workspace{}
	}
	w.by[ws.team] = ws
}

// setChannel makes ch team's community channel. A workspace is replaced,
// never changed, so that a reader holding it sees one consistent value.
func (w *workspaces) setChannel(team, ch string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.by[team]; ok && old.channel != ch {
		ws := *old
		ws.channel = ch
		w.by[team] = &ws
	}
}

func (w *workspaces) drop(team string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.by, team)
}

// all returns the workspaces in team order, so that posts go out in the
// same order every time.
func (w *workspaces) all() []*workspace {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([]*workspace, 0, len(w.by))
	for _, ws := range w.by {
		out = append(out, ws)
	}
	slices.SortFunc(out, func(a, b *workspace) int { return strings.Compare(a.team, b.team) })
	return out
}

type teamKey struct{}

// withTeam returns ctx for work done for a request from team.
func withTeam(ctx context.Context, team string) context.Context {
	if team == "" {
		return ctx
	}
	return context.WithValue(ctx, teamKey{}, team)
}

// teamFrom is the team of the request ctx serves, "" if unknown.
func teamFrom(ctx context.Context) string {
	t, _ := ctx.Value(teamKey{}).(string)
	return t
}

// forTeam is ctx for a verified request body: its team, read from a slash
// command's form (team_id), an interaction's payload (team.id) or an
// Events API callback (team_id), over HTTP or Socket Mode.
func (a *Adapter) forTeam(ctx context.Context, body []byte) context.Context {
	if !a.installs() {
		return ctx
	}
	return withTeam(ctx, teamOf(body))
}

func teamOf(body []byte) string {
	if len(body) > 0 && body[0] != '{' {
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return ""
		}
		if t := f.Get("team_id"); t != "" {
			return t
		}
		body = []byte(f.Get("payload"))
	}
	var p struct {
		TeamID string `json:"team_id"`
		Team   struct {
			ID string `json:"id"`
		} `json:"team"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return firstNonEmpty(p.TeamID, p.Team.ID)
}

// client is the Web API client of ctx's workspace: its install's, else
// the home workspace's.
func (a *Adapter) client(ctx context.Context) *slack.Client {
	if t := teamFrom(ctx); t != "" {
		if ws := a.ws.get(t); ws != nil {
			return ws.api
		}
	}
	return a.api
}

// loadInstalls reads the installed workspaces at start. A token that does
// not open (another COPBOT_SLACK_TOKEN_KEY) stops the start: every
// partner workspace would silently lose its posts.
func (a *Adapter) loadInstalls() error {
	if !a.installs() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all, err := a.cfg.Installs.SlackInstallations(ctx, a.cfg.TokenKey)
	if err != nil {
		return fmt.Errorf("slackbot: reading the installed workspaces: %w", err)
	}
	for _, in := range all {
		a.installed(in)
	}
	return nil
}

// installed starts serving in's workspace with its token, or replaces its
// client after a reinstall.
func (a *Adapter) installed(in storage.SlackInstallation) {
	a.ws.put(&workspace{team: in.TeamID, channel: in.ChannelID, botUser: in.BotUserID,
		api: slack.New(in.Token, a.apiOptions()...)})
}

// uninstalled handles Slack's word that copbot was removed from team
// (app_uninstalled) or its bot token revoked (tokens_revoked): the token
// is dropped from the store and from memory, audited by the store. Slack
// signs the event, so it is the workspace's own.
func (a *Adapter) uninstalled(ctx context.Context, team, why string) {
	if !a.installs() || team == "" {
		a.log.Warn("slack: app removed from a workspace not installed through /slack/install; "+
			"if it is the home workspace, remove bot_token from the configuration", "team_id", team, "event", why)
		return
	}
	a.ws.drop(team)
	done := a.limit.Turn(ctx)
	removed, err := a.cfg.Installs.RemoveSlackInstallation(ctx, team, why)
	done()
	switch {
	case err != nil:
		a.log.Error("slack: uninstall not recorded; the token stays in the database until the next one",
			"team_id", team, "event", why, "err", err)
	case removed:
		a.log.Info("slack: app removed from a workspace; its token is deleted", "team_id", team, "event", why)
	default:
		a.log.Warn("slack: app removed from a workspace copbot did not know as installed", "team_id", team, "event", why)
	}
}

// revokedErrors are Slack's answers meaning a workspace's token no longer
// works at all: copbot was removed while it was not listening (Slack
// retries app_uninstalled for a while only), or the token was revoked.
var revokedErrors = map[string]bool{"token_revoked": true, "invalid_auth": true, "account_inactive": true,
	"not_authed": true, "team_access_not_granted": true}

// goneIfRevoked treats a call refused because team's token is dead as its
// uninstall, so that posts stop going there and a retry does not try it
// again. The home workspace (bot_token) is never dropped: that is the
// configuration's to change.
func (a *Adapter) goneIfRevoked(ctx context.Context, team string, err error) {
	var refused slack.SlackErrorResponse
	if team == "" || !errors.As(err, &refused) || !revokedErrors[refused.Err] {
		return
	}
	a.log.Warn("slack: a workspace's token no longer works; treated as uninstalled", "team_id", team, "error", refused.Err)
	a.uninstalled(context.WithoutCancel(ctx), team, "refused:"+refused.Err)
}
