package slackbot

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"copbot/bot/internal/admission"
	"copbot/bot/internal/once"
	"copbot/storage"
)

// Installs in several workspaces, with Slack's OAuth v2: GET /slack/install
// sends the browser to Slack's authorize page with a state, and Slack sends
// it back to GET /slack/oauth_redirect with a code that oauth.v2.access
// exchanges for the workspace's bot token, which is stored sealed
// (storage.SlackInstallation).
//
// The state is single-use, expires after stateTTL and is bound to the
// browser that began: it is nonce.expiry.MAC, the MAC keyed by the client
// secret, and the nonce is also in a cookie only that browser holds, so a
// link made for someone else's browser, or forged, is refused. Its use is
// recorded in the record of handled requests, in the same transaction as
// the installation.

// InstallScopes are the bot scopes an install asks for: those of the app
// manifests (manifest.yaml), so that an install gives exactly what copbot
// uses. incoming-webhook makes Slack ask the installer for a channel, which
// becomes the workspace's community channel.
var InstallScopes = []string{"app_mentions:read", "channels:history", "chat:write", "commands", "files:write",
	"groups:history", "im:history", "incoming-webhook", "users:read"}

const (
	stateTTL       = 10 * time.Minute
	stateCookie    = "copbot_slack_oauth"
	authorizeURL   = "https://slack.com/oauth/v2/authorize"
	installPath    = "/slack/install"
	oauthReplyPath = "/slack/oauth_redirect"
)

// InstallStore keeps the workspaces copbot is installed in, and each one's
// copy of a keyed post. *storage.DB implements it.
type InstallStore interface {
	CopyStore
	SaveSlackInstallation(ctx context.Context, k *storage.TokenKey, in storage.SlackInstallation) (storage.SlackInstallation, error)
	SlackInstallations(ctx context.Context, k *storage.TokenKey) ([]storage.SlackInstallation, error)
	RemoveSlackInstallation(ctx context.Context, team, why string) (bool, error)
	SlackWorkspaces(ctx context.Context) ([]storage.SlackWorkspace, error)
}

// installs reports whether OAuth installs are configured.
func (a *Adapter) installs() bool { return a.cfg.ClientID != "" }

func (a *Adapter) checkInstallConfig() error {
	c := a.cfg
	if c.ClientID == "" {
		return nil
	}
	switch {
	case c.ClientSecret == "":
		return errors.New("slackbot: client_id is set but the client secret is not (COPBOT_SLACK_CLIENT_SECRET)")
	case c.TokenKey == nil:
		return errors.New("slackbot: client_id is set but the token key is not (COPBOT_SLACK_TOKEN_KEY)")
	case c.Installs == nil:
		return errors.New("slackbot: client_id is set but there is no store for installations")
	case !strings.HasPrefix(c.RedirectURL, "https://") || !strings.HasSuffix(c.RedirectURL, oauthReplyPath):
		return fmt.Errorf("slackbot: redirect_url %q must be copbot's public https URL ending in %s", c.RedirectURL, oauthReplyPath)
	}
	return nil
}

// serveInstall is GET /slack/install: a fresh state, its cookie, and a
// redirect to Slack's authorize page.
func (a *Adapter) serveInstall(w http.ResponseWriter, r *http.Request) {
	nonce := make([]byte, 18)
	rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	state := a.signState(n, a.now().Add(stateTTL))
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: n, Path: "/slack/", MaxAge: int(stateTTL / time.Second),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	q := url.Values{"client_id": {a.cfg.ClientID}, "scope": {strings.Join(InstallScopes, ",")},
		"redirect_uri": {a.cfg.RedirectURL}, "state": {state}}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authorizeURL+"?"+q.Encode(), http.StatusFound)
}

// signState writes a state: nonce.expiry.MAC.
func (a *Adapter) signState(nonce string, exp time.Time) string {
	body := nonce + "." + strconv.FormatInt(exp.Unix(), 10)
	return body + "." + base64.RawURLEncoding.EncodeToString(a.stateMAC(body))
}

func (a *Adapter) stateMAC(body string) []byte {
	m := hmac.New(sha256.New, []byte("copbot slack oauth state\x00"+a.cfg.ClientSecret))
	m.Write([]byte(body))
	return m.Sum(nil)
}

// checkState returns the state's nonce when it is one copbot made, not
// expired, and r carries its cookie.
func (a *Adapter) checkState(r *http.Request, state string) (string, time.Time, bool) {
	parts := strings.Split(state, ".")
	if len(parts) != 3 {
		return "", time.Time{}, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, a.stateMAC(parts[0]+"."+parts[1])) {
		return "", time.Time{}, false
	}
	sec, err := strconv.ParseInt(parts[1], 10, 64)
	exp := time.Unix(sec, 0)
	if err != nil || !a.now().Before(exp) {
		return "", time.Time{}, false
	}
	c, err := r.Cookie(stateCookie)
	if err != nil || !hmac.Equal([]byte(c.Value), []byte(parts[0])) {
		return "", time.Time{}, false
	}
	return parts[0], exp, true
}

// serveOAuthRedirect is GET /slack/oauth_redirect: the state is checked
// before anything else, and used up; then Slack's answer is either a
// refusal (error=access_denied) or a code, exchanged and stored. Every
// outcome is a page in English and French; only a completed exchange
// stores anything.
func (a *Adapter) serveOAuthRedirect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	nonce, exp, ok := a.checkState(r, q.Get("state"))
	if !ok {
		a.log.Warn("slack install refused: state missing, forged, expired or from another browser")
		a.installPage(w, http.StatusBadRequest, "slack_install_invalid", nil)
		return
	}
	s := a.limit.Enter()
	if s == nil {
		admission.RefuseBusy(w)
		return
	}
	defer s.Leave()
	ctx, cancel := context.WithTimeout(r.Context(), 2*a.tune.callTimeout)
	defer cancel()
	d, st, err := a.begin(ctx, exp, "slack:oauth:"+nonce)
	switch {
	case err != nil:
		admission.RefuseBusy(w)
		return
	case st != once.First: // used, or in use
		a.log.Warn("slack install refused: state used twice")
		a.installPage(w, http.StatusBadRequest, "slack_install_invalid", nil)
		return
	}
	ctx = d.Context(ctx)
	defer a.finish(ctx, d)
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: "/slack/", MaxAge: -1, HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode})
	if e := q.Get("error"); e != "" {
		a.log.Info("slack install cancelled in Slack", "error", e)
		a.installPage(w, http.StatusOK, "slack_install_cancelled", nil)
		return
	}
	in, err := a.exchange(ctx, q.Get("code"))
	if err != nil {
		a.log.Warn("slack install failed", "err", err)
		a.installPage(w, http.StatusBadGateway, installFailureKey(err), nil)
		return
	}
	done := a.limit.Turn(ctx)
	in, err = a.cfg.Installs.SaveSlackInstallation(ctx, a.cfg.TokenKey, in)
	done()
	if err != nil {
		a.log.Error("slack install not stored", "team_id", in.TeamID, "err", err)
		a.installPage(w, http.StatusInternalServerError, "slack_install_failed", nil)
		return
	}
	a.installed(in)
	a.log.Info("slack app installed", "team_id", in.TeamID, "enterprise_id", in.EnterpriseID,
		"channel_id", in.ChannelID, "installer", in.Installer)
	key := "slack_install_done"
	if in.ChannelID == "" {
		key = "slack_install_done_no_channel"
	}
	a.installPage(w, http.StatusOK, key, map[string]any{"Team": firstNonEmpty(in.TeamName, in.TeamID)})
}

var errOrgInstall = errors.New("an install across an Enterprise Grid organization: copbot is installed workspace by workspace")

func installFailureKey(err error) string {
	if errors.Is(err, errOrgInstall) {
		return "slack_install_org"
	}
	return "slack_install_failed"
}

// exchange trades code for the workspace's bot token with oauth.v2.access
// on the configured Web API.
func (a *Adapter) exchange(ctx context.Context, code string) (storage.SlackInstallation, error) {
	if code == "" {
		return storage.SlackInstallation{}, errors.New("no code in Slack's redirect")
	}
	api := strings.TrimRight(cmp.Or(a.cfg.APIURL, "https://slack.com/api"), "/") + "/"
	cctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	res, err := slack.GetOAuthV2ResponseContext(cctx, a.hooks, a.cfg.ClientID, a.cfg.ClientSecret, code,
		a.cfg.RedirectURL, slack.OAuthOptionAPIURL(api))
	switch {
	case err != nil:
		return storage.SlackInstallation{}, fmt.Errorf("oauth.v2.access: %w", err)
	case res.IsEnterpriseInstall || res.Team.ID == "":
		return storage.SlackInstallation{}, errOrgInstall
	case res.TokenType != "bot" || !strings.HasPrefix(res.AccessToken, "xoxb-") || res.BotUserID == "":
		return storage.SlackInstallation{}, fmt.Errorf("oauth.v2.access gave no bot token (token_type %q)", res.TokenType)
	}
	var scopes []string
	if res.Scope != "" {
		scopes = strings.Split(res.Scope, ",")
	}
	return storage.SlackInstallation{TeamID: res.Team.ID, TeamName: res.Team.Name, EnterpriseID: res.Enterprise.ID,
		AppID: res.AppID, BotUserID: res.BotUserID, Scopes: scopes, Installer: res.AuthedUser.ID,
		ChannelID: res.IncomingWebhook.ChannelID, Token: res.AccessToken}, nil
}

// installPage answers the browser with one of the install's texts, in
// English then in French. Every page but a completed install links to
// /slack/install, to start again.
func (a *Adapter) installPage(w http.ResponseWriter, status int, key string, args map[string]any) {
	tr := a.svc.Translator()
	page := struct{ TitleEN, TitleFR, EN, FR, Again string }{
		TitleEN: tr.T("en", key+"_title", args), TitleFR: tr.T("fr", key+"_title", args),
		EN: tr.T("en", key, args), FR: tr.T("fr", key, args)}
	if key != "slack_install_done" {
		page.Again = strings.TrimSuffix(a.cfg.RedirectURL, oauthReplyPath) + installPath
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	if err := installTemplate.Execute(w, page); err != nil {
		a.log.Warn("install page not written", "err", err)
	}
}

var installTemplate = template.Must(template.New("install").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.TitleEN}} / {{.TitleFR}}</title>
<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#26374a}</style>
</head><body>
<main>
<section lang="en"><h1>{{.TitleEN}}</h1><p>{{.EN}}</p></section>
<hr>
<section lang="fr"><h1>{{.TitleFR}}</h1><p>{{.FR}}</p></section>
{{with .Again}}<p><a href="{{.}}">{{.}}</a></p>{{end}}
</main>
</body></html>
`))
