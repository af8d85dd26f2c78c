package slacktest

import "strings"

// Install is what oauth.v2.access answers for a code: a bot installed in
// one workspace.
type Install struct {
	ClientID, ClientSecret string // what the exchange must present
	RedirectURI            string // and the redirect_uri of the authorize step
	Team, TeamName         string
	Enterprise             string
	OrgWide                bool // is_enterprise_install, with no team
	BotUser, Token         string
	Installer              string
	Channel                string // the incoming-webhook channel picked, if any
	Scopes                 []string
}

type installCode struct{ Install }

// AddInstallCode makes code exchangeable, once, for in.
func (s *Server) AddInstallCode(code string, in Install) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = installCode{in}
}

// oauthAccess answers oauth.v2.access as Slack does: invalid_code for an
// unknown or used code, invalid_client_id or bad_client_secret for the
// wrong client, bad_redirect_uri for another redirect_uri. s.mu is held.
func (s *Server) oauthAccess(c Call) map[string]any {
	f := c.Form
	code, ok := s.codes[f.Get("code")]
	switch {
	case !ok:
		return map[string]any{"ok": false, "error": "invalid_code"}
	case f.Get("client_id") != code.ClientID:
		return map[string]any{"ok": false, "error": "invalid_client_id"}
	case f.Get("client_secret") != code.ClientSecret:
		return map[string]any{"ok": false, "error": "bad_client_secret"}
	case f.Get("redirect_uri") != code.RedirectURI:
		return map[string]any{"ok": false, "error": "bad_redirect_uri"}
	}
	delete(s.codes, f.Get("code"))
	in := code.Install
	out := map[string]any{"ok": true, "access_token": in.Token, "token_type": "bot",
		"scope": strings.Join(in.Scopes, ","), "bot_user_id": in.BotUser, "app_id": "A0COPBOT",
		"team": map[string]any{"id": in.Team, "name": in.TeamName}, "enterprise": nil,
		"is_enterprise_install": in.OrgWide,
		"authed_user":           map[string]any{"id": in.Installer}}
	if in.OrgWide {
		out["team"] = nil
	}
	if in.Enterprise != "" {
		out["enterprise"] = map[string]any{"id": in.Enterprise, "name": "Org " + in.Enterprise}
	}
	if in.Channel != "" {
		out["incoming_webhook"] = map[string]any{"channel": "#community", "channel_id": in.Channel,
			"configuration_url": "https://example.slack.com/services/B0HOOK", "url": "https://hooks.slack.com/services/T/B/x"}
	}
	return out
}

// ForToken names method called with token, for the faults (Fail,
// LoseAnswer, Refuse…): the fault then hits only that workspace's calls.
// A fault for a method and token is answered before one for the method.
func ForToken(method, token string) string { return method + " " + token }
