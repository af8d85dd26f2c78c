package bot

import (
	"strings"
	"testing"
)

// TestSlackInstallConfig: client_id turns on OAuth installs; its secrets
// come from the environment only (a client secret written in the file is
// an unknown key), the token key must be 32 bytes of base64, and Slack's
// redirect goes to public_url's /slack/oauth_redirect.
func TestSlackInstallConfig(t *testing.T) {
	const base = "[slack]\nbot_token = \"xoxb-1\"\nsigning_secret = \"s\"\nclient_id = \"111.222\"\n"
	env := map[string]string{"COPBOT_SLACK_CLIENT_SECRET": "cs",
		"COPBOT_SLACK_TOKEN_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	getenv := func(k string) string { return env[k] }
	cfg, err := LoadConfig(writeConfig(t, base+"[http]\npublic_url = \"https://copbot.example.gc.ca/\"\n"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.ClientSecret != "cs" || cfg.SlackRedirectURL() != "https://copbot.example.gc.ca/slack/oauth_redirect" {
		t.Errorf("secret %q, redirect %q", cfg.Slack.ClientSecret, cfg.SlackRedirectURL())
	}
	for _, tc := range []struct {
		name, body string
		env        map[string]string
		want       string
	}{
		{"secret in the file", base + "client_secret = \"cs\"\n[http]\npublic_url = \"https://c.example\"\n", env, "slack.client_secret"},
		{"no secret", base + "[http]\npublic_url = \"https://c.example\"\n",
			map[string]string{"COPBOT_SLACK_TOKEN_KEY": env["COPBOT_SLACK_TOKEN_KEY"]}, "COPBOT_SLACK_CLIENT_SECRET"},
		{"short key", base + "[http]\npublic_url = \"https://c.example\"\n",
			map[string]string{"COPBOT_SLACK_CLIENT_SECRET": "cs", "COPBOT_SLACK_TOKEN_KEY": "c2hvcnQ="}, "COPBOT_SLACK_TOKEN_KEY"},
		{"no public url", base, env, "http.public_url"},
		{"http public url", base + "[http]\npublic_url = \"http://c.example\"\n", env, "http.public_url"},
		{"no home install", "[slack]\nclient_id = \"111.222\"\n[http]\npublic_url = \"https://c.example\"\n", env, "slack.bot_token"},
	} {
		_, err := LoadConfig(writeConfig(t, tc.body), func(k string) string { return tc.env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}
