package bot

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot"
	"copbot/bot/slackbot/slacktest"
)

// TestReminderReachesAnInstalledWorkspace, through the App: with
// [slack] client_id and its secrets, a partner installs copbot over
// /slack/install and /slack/oauth_redirect, and a meeting's reminder then
// reaches the home channel with bot_token and the partner's channel with
// the partner's token, once each.
func TestReminderReachesAnInstalledWorkspace(t *testing.T) {
	e := newE2E(t, "1h")
	e.cfg.HTTP.PublicURL = "https://copbot.example.gc.ca"
	e.cfg.Slack.ClientID, e.cfg.Slack.ClientSecret = "1111.2222", "client-secret"
	e.cfg.Slack.TokenKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	if err := e.cfg.validate(); err != nil {
		t.Fatal(err)
	}
	e.useClock(reminderT0)
	e.start()
	e.slack.AddInstallCode("code", slacktest.Install{ClientID: "1111.2222", ClientSecret: "client-secret",
		RedirectURI: "https://copbot.example.gc.ca/slack/oauth_redirect", Team: "T0PARTNER", BotUser: "U0BOTP",
		Token: "xoxb-partner", Installer: "U0INST", Channel: "C0PARTNERCOM", Scopes: slackbot.InstallScopes})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + e.app.Addr() + "/slack/install")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || len(resp.Cookies()) != 1 {
		t.Fatalf("install: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.app.Addr()+"/slack/oauth_redirect?"+
		url.Values{"code": {"code"}, "state": {loc.Query().Get("state")}}.Encode(), nil)
	req.AddCookie(resp.Cookies()[0])
	if code, body := e.do(req); code != http.StatusOK {
		t.Fatalf("oauth redirect: %d %s", code, body)
	}

	due := e.addMeeting(reminderT0.Add(time.Hour + time.Minute)).Add(-time.Hour)
	e.advanceTo(due)
	e.sentReminder()
	got := map[string]int{}
	for _, c := range e.slack.Calls("chat.postMessage") {
		if strings.Contains(formText(c), "Reminder") {
			got[c.Token+" "+c.Form.Get("channel")]++
		}
	}
	want := map[string]int{"xoxb-e2e " + e2eChannel: 1, "xoxb-partner C0PARTNERCOM": 1}
	if len(got) != len(want) || got["xoxb-e2e "+e2eChannel] != 1 || got["xoxb-partner C0PARTNERCOM"] != 1 {
		t.Errorf("reminder posts %v, want %v", got, want)
	}
}
