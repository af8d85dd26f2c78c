package slackbot

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/storage"
)

const (
	testClientID     = "1111.2222"
	testClientSecret = "client-secret-from-the-environment"
	testRedirect     = "https://copbot.example.gc.ca/slack/oauth_redirect"
	testTokenKey     = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
)

// movableClock is a clock a test moves forward.
type movableClock struct{ off atomic.Int64 }

func (c *movableClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *movableClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// withInstalls enables OAuth installs, the env's database as their store.
func withInstalls(t testing.TB, more ...func(*Config)) envOpt {
	k, err := storage.ParseTokenKey(testTokenKey)
	if err != nil {
		t.Fatal(err)
	}
	return withConfig(func(c *Config) {
		c.ClientID, c.ClientSecret, c.RedirectURL, c.TokenKey = testClientID, testClientSecret, testRedirect, k
		for _, f := range more {
			f(c)
		}
	})
}

// browser is one person's browser: it keeps the install's cookie and does
// not follow redirects (they lead to slack.com).
type browser struct {
	e       *env
	cookies []*http.Cookie
}

func (b *browser) get(path string) *http.Response {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	b.e.t.Cleanup(func() { resp.Body.Close() })
	for _, c := range resp.Cookies() {
		b.cookies = slices.DeleteFunc(b.cookies, func(old *http.Cookie) bool { return old.Name == c.Name })
		if c.MaxAge >= 0 {
			b.cookies = append(b.cookies, c)
		}
	}
	return resp
}

// begin starts an install and returns the state Slack would send back.
func (b *browser) begin() string {
	b.e.t.Helper()
	resp := b.get("/slack/install")
	if resp.StatusCode != http.StatusFound {
		b.e.t.Fatalf("GET /slack/install: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.e.t.Fatal(err)
	}
	return loc.Query().Get("state")
}

// finish is Slack's redirect back with query q.
func (b *browser) finish(q url.Values) (int, string) {
	b.e.t.Helper()
	resp := b.get("/slack/oauth_redirect?" + q.Encode())
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

func (e *env) installs() []storage.SlackInstallation {
	e.t.Helper()
	k, _ := storage.ParseTokenKey(testTokenKey)
	all, err := e.db.SlackInstallations(context.Background(), k)
	if err != nil {
		e.t.Fatal(err)
	}
	return all
}

// pageSays checks that page holds key's text in both languages.
func (e *env) pageSays(page, key string, args map[string]any) {
	e.t.Helper()
	tr := e.svc.Translator()
	for _, lang := range []string{"en", "fr"} {
		want := strings.NewReplacer("’", "&rsquo;").Replace(handlers.Unmark(tr.T(lang, key, args)))
		if !strings.Contains(htmlUnescapeQuotes(page), htmlUnescapeQuotes(want)) {
			e.t.Errorf("page lacks the %s text of %s:\n%s", lang, key, page)
		}
	}
}

// htmlUnescapeQuotes undoes html/template's escapes of quotes, so that a
// text compares with its page whatever the escaping of apostrophes.
func htmlUnescapeQuotes(s string) string {
	return strings.NewReplacer("&rsquo;", "’", "&#39;", "'", "&#34;", `"`, "&amp;", "&").Replace(s)
}

func gotOAuthCalls(e *env) []slacktest.Call { return e.fake.Calls("oauth.v2.access") }

// TestInstallRedirectsToSlack: /slack/install sends the browser to Slack's
// authorize page with the client id, the manifest's scopes, the redirect
// URL and a fresh state, and sets the cookie that binds the state to this
// browser.
func TestInstallRedirectsToSlack(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	b := &browser{e: e}
	resp := b.get("/slack/install")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if loc.Scheme != "https" || loc.Host != "slack.com" || loc.Path != "/oauth/v2/authorize" ||
		q.Get("client_id") != testClientID || q.Get("redirect_uri") != testRedirect ||
		q.Get("scope") != strings.Join(InstallScopes, ",") || q.Get("state") == "" {
		t.Errorf("Location %s", loc)
	}
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == stateCookie {
			c = k
		}
	}
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || !strings.HasPrefix(q.Get("state"), c.Value+".") {
		t.Errorf("state cookie %+v for state %s", c, q.Get("state"))
	}
	if again := b.begin(); again == q.Get("state") {
		t.Error("two installs got the same state")
	}
}

// TestOAuthInstallStoresTheWorkspace: Slack's redirect with a good state
// and a code installs the workspace: the code is exchanged through
// oauth.v2.access on the configured Web API with the client's id, secret
// and redirect URL; the installation is stored with its channel and
// audited; the page says so in English and French. The state cannot serve
// twice, even with a fresh code.
func TestOAuthInstallStoresTheWorkspace(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	in := slacktest.Install{ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: testRedirect,
		Team: "T0PARTNER", TeamName: "Ville de Québec", BotUser: "U0BOTP", Token: "xoxb-partner-token",
		Installer: "U0INSTALLER", Channel: "C0PARTNERCOM", Scopes: InstallScopes}
	e.fake.AddInstallCode("code-1", in)
	e.fake.AddInstallCode("code-2", in)
	b := &browser{e: e}
	state := b.begin()
	status, page := b.finish(url.Values{"code": {"code-1"}, "state": {state}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, page)
	}
	e.pageSays(page, "slack_install_done", map[string]any{"Team": "Ville de Québec"})
	calls := gotOAuthCalls(e)
	if len(calls) != 1 || calls[0].Form.Get("client_id") != testClientID || calls[0].Form.Get("redirect_uri") != testRedirect {
		t.Fatalf("oauth.v2.access calls %+v", calls)
	}
	all := e.installs()
	if len(all) != 1 {
		t.Fatalf("installations %+v", all)
	}
	got := all[0]
	if got.TeamID != "T0PARTNER" || got.Token != "xoxb-partner-token" || got.ChannelID != "C0PARTNERCOM" ||
		got.BotUserID != "U0BOTP" || got.Installer != "U0INSTALLER" || !slices.Equal(got.Scopes, InstallScopes) {
		t.Errorf("stored %+v", got)
	}
	log, err := e.db.FindAudit(context.Background(), storage.AuditFilter{Action: storage.AuditSlackInstall})
	if err != nil || len(log) != 1 || log[0].Actor.ID != "U0INSTALLER" {
		t.Errorf("audit %+v %v", log, err)
	}

	// The same state again (the browser's back button, or a stolen link).
	b.cookies = append(b.cookies, &http.Cookie{Name: stateCookie, Value: strings.Split(state, ".")[0]})
	status, page = b.finish(url.Values{"code": {"code-2"}, "state": {state}})
	if status != http.StatusBadRequest || len(gotOAuthCalls(e)) != 1 {
		t.Errorf("state used twice: %d, %d exchanges", status, len(gotOAuthCalls(e)))
	}
	e.pageSays(page, "slack_install_invalid", nil)
}

// TestOAuthRedirectRefusesBadState: without a state copbot made, unexpired
// and bound to this browser's cookie, nothing is exchanged or stored and
// the page says so in both languages.
func TestOAuthRedirectRefusesBadState(t *testing.T) {
	clock := &movableClock{}
	e := newEnv(t, withInstalls(t), withClock(clock.now))
	e.fake.AddInstallCode("code", slacktest.Install{ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURI: testRedirect, Team: "T0X", BotUser: "U0B", Token: "xoxb-x"})
	forge := func(state string) string { // same nonce and expiry, another MAC
		p := strings.Split(state, ".")
		return p[0] + "." + p[1] + ".AAAA" + p[2][4:]
	}
	later := func(state string) string { // expiry pushed back by the holder
		p := strings.Split(state, ".")
		return p[0] + ".9999999999." + p[2]
	}
	cases := []struct {
		name  string
		state func(b *browser) string
	}{
		{"no state", func(b *browser) string { b.begin(); return "" }},
		{"forged", func(b *browser) string { return forge(b.begin()) }},
		{"expiry changed", func(b *browser) string { return later(b.begin()) }},
		{"another browser's", func(b *browser) string { return (&browser{e: e}).begin() }},
		{"no cookie", func(b *browser) string { s := b.begin(); b.cookies = nil; return s }},
		{"expired", func(b *browser) string { s := b.begin(); clock.advance(stateTTL + time.Second); return s }},
	}
	for _, tc := range cases {
		b := &browser{e: e}
		status, page := b.finish(url.Values{"code": {"code"}, "state": {tc.state(b)}})
		if status != http.StatusBadRequest {
			t.Errorf("%s: status %d", tc.name, status)
		}
		e.pageSays(page, "slack_install_invalid", nil)
	}
	if n := len(gotOAuthCalls(e)); n != 0 {
		t.Errorf("%d code exchanges after bad states", n)
	}
	if all := e.installs(); len(all) != 0 {
		t.Errorf("stored %+v", all)
	}
}

// TestOAuthCancelledOrFailedStoresNothing: the installer's "Cancel" on
// Slack's page (error=access_denied), a code Slack does not take, and an
// install across a whole Enterprise Grid org each get their page, and
// nothing is stored.
func TestOAuthCancelledOrFailedStoresNothing(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.fake.AddInstallCode("org-code", slacktest.Install{ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURI: testRedirect, OrgWide: true, Enterprise: "E0ORG", BotUser: "U0B", Token: "xoxb-org"})
	e.fake.AddInstallCode("other-client", slacktest.Install{ClientID: "9999.9999", ClientSecret: testClientSecret,
		RedirectURI: testRedirect, Team: "T0X", BotUser: "U0B", Token: "xoxb-x"})
	cases := []struct {
		q      url.Values
		status int
		key    string
	}{
		{url.Values{"error": {"access_denied"}}, http.StatusOK, "slack_install_cancelled"},
		{url.Values{"code": {"unknown-code"}}, http.StatusBadGateway, "slack_install_failed"},
		{url.Values{"code": {"other-client"}}, http.StatusBadGateway, "slack_install_failed"},
		{url.Values{"code": {"org-code"}}, http.StatusBadGateway, "slack_install_org"},
	}
	for _, tc := range cases {
		b := &browser{e: e}
		tc.q.Set("state", b.begin())
		status, page := b.finish(tc.q)
		if status != tc.status {
			t.Errorf("%v: status %d, want %d", tc.q, status, tc.status)
		}
		e.pageSays(page, tc.key, nil)
		if !strings.Contains(page, `href="https://copbot.example.gc.ca/slack/install"`) {
			t.Errorf("%v: no link to start again", tc.q)
		}
	}
	if n := len(gotOAuthCalls(e)); n != 3 {
		t.Errorf("%d code exchanges, want 3 (none for the cancelled install)", n)
	}
	if all := e.installs(); len(all) != 0 {
		t.Errorf("stored %+v", all)
	}
}

// TestInstallNeedsItsSecrets: client_id without the client secret, the
// token key or an https redirect URL is refused at start.
func TestInstallNeedsItsSecrets(t *testing.T) {
	k, _ := storage.ParseTokenKey(testTokenKey)
	ok := Config{BotToken: "xoxb-t", SigningSecret: testSecret, Requests: nil, ClientID: testClientID,
		ClientSecret: testClientSecret, RedirectURL: testRedirect, TokenKey: k}
	for name, f := range map[string]func(*Config){
		"no secret":     func(c *Config) { c.ClientSecret = "" },
		"no key":        func(c *Config) { c.TokenKey = nil },
		"http redirect": func(c *Config) { c.RedirectURL = "http://copbot.example.gc.ca/slack/oauth_redirect" },
		"other path":    func(c *Config) { c.RedirectURL = "https://copbot.example.gc.ca/oauth" },
		"no store":      func(c *Config) { c.Installs = nil },
	} {
		c := ok
		c.Installs = (*storage.DB)(nil)
		f(&c)
		a := &Adapter{cfg: c}
		if err := a.checkInstallConfig(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := ok
	c.Installs = (*storage.DB)(nil)
	if err := (&Adapter{cfg: c}).checkInstallConfig(); err != nil {
		t.Errorf("complete config refused: %v", err)
	}
}
