package bot

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/bot/emailbot/smtptest"
	"copbot/bot/slackbot"
	"copbot/bot/slackbot/slacktest"
	"copbot/storage"
)

// Issue 18 item 5 end to end: one App serving Slack in two workspaces (the
// home one, with bot_token, and a partner's installed over /slack/install,
// each with its community channel), Teams in two tenants and email, on a
// clock the test moves. One meeting and one poll reach every place;
// members vote from each (a Slack click in each workspace, a Teams click
// in each tenant, an email link); the poll's reminder reaches each member
// who has not voted once, privately or by email; the meeting's reminder
// reaches each place and person exactly once across a restart of the App,
// while the home Slack workspace loses its answer to the post and the mail
// server its answer to one message.

// The partner's Slack workspace, installed over OAuth, and its channel.
const (
	reachPartner        = "T0PARTNER"
	reachPartnerChannel = "C0PARTNERCOM"
)

// installPartner installs copbot in the partner's workspace as its admin
// would: /slack/install, Slack's consent (the fake's code), then
// /slack/oauth_redirect with the state and the browser's cookie.
func (e *e2eBot) installPartner() {
	e.t.Helper()
	e.slack.AddInstallCode("partner-code", slacktest.Install{ClientID: "1111.2222", ClientSecret: "client-secret",
		RedirectURI: "https://copbot.example.gc.ca/slack/oauth_redirect", Team: reachPartner, BotUser: "U0BOTP",
		Token: "xoxb-partner", Installer: "U0INST", Channel: reachPartnerChannel, Scopes: slackbot.InstallScopes})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + e.app.Addr() + "/slack/install")
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || len(resp.Cookies()) != 1 {
		e.t.Fatalf("install: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.app.Addr()+"/slack/oauth_redirect?"+
		url.Values{"code": {"partner-code"}, "state": {loc.Query().Get("state")}}.Encode(), nil)
	req.AddCookie(resp.Cookies()[0])
	if code, body := e.do(req); code != http.StatusOK {
		e.t.Fatalf("oauth redirect: %d %s", code, body)
	}
}

// keyedIn are the messages of channel carrying key, as Slack holds them.
func (e *e2eBot) keyedIn(channel, key string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range e.slack.Messages(channel) {
		if p, _ := m.Metadata["event_payload"].(map[string]any); m.Metadata["event_type"] == "copbot_post" && p["key"] == key {
			out = append(out, m)
		}
	}
	return out
}

// newReachE2E is the App with Slack (Ann, Bob and the coordinator at
// home, Paul in the partner's workspace), Teams in two tenants (Tara and
// Tom in A, Théo and Léa in B), and four email-only members.
func newReachE2E(t *testing.T) (*e2eBot, *fakeBotFramework, *smtptest.Server) {
	t.Helper()
	bf := newFakeBotFramework(t)
	srv := smtptest.Start(t, smtptest.Options{})
	e := newE2E(t, "1h")
	e.cfg.Teams = TeamsConfig{AppID: reachAppID, AppPassword: "teams-secret", AllowedTenants: []string{reachTenantA, reachTenantB},
		OpenIDURL: bf.srv.URL + "/openid", TokenURL: bf.srv.URL + "/token"}
	e.cfg.Email = EmailConfig{SMTP: srv.Addr, TLS: "starttls", From: "CoP Secretariat <cop@example.gc.ca>"}
	e.cfg.HTTP.PublicURL = "https://copbot.example.gc.ca"
	e.cfg.Slack.ClientID, e.cfg.Slack.ClientSecret = "1111.2222", "client-secret"
	e.cfg.Slack.TokenKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	if err := e.cfg.validate(); err != nil {
		t.Fatal(err)
	}
	e.emailTLS = srv.ClientTLS
	bfHost, _ := url.Parse(bf.srv.URL)
	slackTr := e.slack.Transport()
	e.transport = roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == bfHost.Host {
			return http.DefaultTransport.RoundTrip(r)
		}
		return slackTr.RoundTrip(r)
	})
	e.useClock(emailT0)
	e.start()
	row := func(name, lang string, set func(*storage.MemberInput)) storage.MemberInput {
		in := storage.MemberInput{Name: name, Organization: "Org " + name, Order: storage.OrderProvincial, Jurisdiction: "ON", Language: lang}
		set(&in)
		return in
	}
	if _, err := e.app.Store.ImportMembers(context.Background(), []storage.MemberInput{
		row("Ann Lee", "en", func(m *storage.MemberInput) { m.SlackID = "UANN" }),
		row("Bob Smith", "en", func(m *storage.MemberInput) { m.SlackID = "UBOB" }),
		row("Paul Martin", "fr", func(m *storage.MemberInput) { m.SlackID = "U0PAUL" }), // in the partner's workspace
		row("Tara Singh", "en", func(m *storage.MemberInput) { m.TeamsID = "aad-tara" }),
		row("Tom Wong", "en", func(m *storage.MemberInput) { m.TeamsID = "aad-tom" }),
		row("Théo Gagnon", "fr", func(m *storage.MemberInput) { m.TeamsID = "aad-theo" }),
		row("Léa Roy", "fr", func(m *storage.MemberInput) { m.TeamsID = "aad-lea" }),
		row("Marie Tremblay", "fr", func(m *storage.MemberInput) { m.Email = "marie@example.qc.ca" }),
		row("Jean Roy", "en", func(m *storage.MemberInput) { m.Email = "jean@example.on.ca" }),
		row("Zoé Côté", "fr", func(m *storage.MemberInput) { m.Email = "zoe@example.nu.ca" }),
		row("Noah Kim", "en", func(m *storage.MemberInput) { m.Email = "noah@example.yk.ca" }),
	}); err != nil {
		t.Fatal(err)
	}
	bf.install(e, reachTenantA)
	bf.install(e, reachTenantB)
	e.installPartner()
	return e, bf, srv
}

// reachEmails are the email-only members who vote; Noah, email-only too,
// does not.
var reachEmails = []string{"marie@example.qc.ca", "jean@example.on.ca", "zoe@example.nu.ca"}

const reachNoah = "noah@example.yk.ca"

// remindersTo are the distinct Message-IDs of the reminders srv took in
// for addr, of the poll (poll) or of the meeting, and how many it took in
// (resends of a lost answer included).
func remindersTo(t *testing.T, srv *smtptest.Server, addr string, poll bool) (ids map[string]bool, taken int) {
	t.Helper()
	ids = map[string]bool{}
	for _, r := range srv.Received() {
		m, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		isPoll := strings.Contains(m.Subject, "poll #") || strings.Contains(m.Subject, "sondage nº")
		if r.To[0] == addr && isPoll == poll && (strings.HasPrefix(m.Subject, "Reminder") || strings.HasPrefix(m.Subject, "Rappel")) {
			ids[m.Header.Get("Message-Id")] = true
			taken++
		}
	}
	return ids, taken
}

// slackClick is user's signed click, in workspace team, on a button of the
// Slack card at ts in channel.
func (e *e2eBot) slackClick(user, team, channel, ts string, action map[string]any) (int, string) {
	e.t.Helper()
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": user, "name": strings.ToLower(user), "team_id": team},
		"team": map[string]any{"id": team}, "channel": map[string]any{"id": channel}, "trigger_id": "1.2.3",
		"container":    map[string]any{"type": "message", "message_ts": ts, "channel_id": channel},
		"response_url": e.slack.URL() + "/hooks/" + user,
		"actions":      []map[string]any{{"action_id": action["action_id"], "block_id": "b", "type": "button", "value": action["value"]}}})
	req := slacktest.SignedRequest("http://"+e.app.Addr()+"/slack/interactions", e2eSecret, e.clockNow(),
		"application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode())
	return e.do(req)
}

func TestReachEveryPlaceEndToEnd(t *testing.T) {
	t.Parallel()
	e, bf, srv := newReachE2E(t)
	ctx := context.Background()
	start := emailT0.Add(3 * time.Hour)
	due := e.addMeeting(start).Add(-time.Hour)
	if code, body := e.slash("UCOORD", `poll "Theme for June? / Thème de juin ?" "Accessibility" "Vulnerable communities" --closes 5h --remind 4h`, e2eSecret); code != 200 {
		t.Fatalf("poll = %d %s", code, body)
	}
	e.settle()

	// The poll reached every place once.
	pollTS := map[string]string{}
	for _, ch := range []string{e2eChannel, reachPartnerChannel} {
		cards := e.keyedIn(ch, "poll:1")
		if len(cards) != 1 {
			t.Fatalf("%d poll cards in Slack channel %s, want 1", len(cards), ch)
		}
		pollTS[ch] = cards[0].TS
	}
	teamsCards := map[string]bfCall{}
	for _, tenant := range []string{reachTenantA, reachTenantB} {
		cards := bf.posts(tenant, "poll_vote")
		if len(cards) != 1 {
			t.Fatalf("%d poll cards in tenant %s, want 1", len(cards), tenant)
		}
		teamsCards[tenant] = cards[0]
	}
	links := map[string][]string{}
	for _, addr := range reachEmails {
		var polls []*smtptest.Message
		for _, m := range mailTo(t, srv, addr) {
			if m.Params["text/calendar"] == nil {
				polls = append(polls, m)
			}
		}
		if len(polls) != 1 {
			t.Fatalf("%s got %d poll mails, want 1", addr, len(polls))
		}
		links[addr] = voteLinks(t, polls[0])
	}

	// Votes from each place.
	slackCard := e.postsWith("Theme for June")
	buttons := findAll(decodeJSON(t, slackCard[0].Form.Get("blocks")), func(m map[string]any) bool {
		id, _ := m["action_id"].(string)
		return strings.HasPrefix(id, "poll_vote")
	})
	if len(buttons) != 2 {
		t.Fatalf("Slack card buttons %v", buttons)
	}
	if code, body := e.slackClick("UANN", "T1", e2eChannel, pollTS[e2eChannel], buttons[0]); code != 200 {
		t.Fatalf("Slack click = %d %s", code, body)
	}
	if code, body := e.slackClick("U0PAUL", reachPartner, reachPartnerChannel, pollTS[reachPartnerChannel], buttons[1]); code != 200 {
		t.Fatalf("the partner workspace's click = %d %s", code, body)
	}
	for tenant, aad := range map[string]string{reachTenantA: "aad-tara", reachTenantB: "aad-theo"} {
		actions := findAll(decodeJSON(t, teamsCards[tenant].Body), func(m map[string]any) bool { return m["verb"] == "poll_vote" })
		if len(actions) != 2 {
			t.Fatalf("Teams card in %s has %d vote actions", tenant, len(actions))
		}
		if code, body := bf.click(e, tenant, aad, actions[1]); code != 200 || !strings.Contains(body, "Vulnerable communities") {
			t.Fatalf("Teams click in %s = %d %s", tenant, code, body)
		}
	}
	for i, addr := range reachEmails {
		l := links[addr][i%2]
		if code, body := e.postForm(l, url.Values{"option": {strings.Split(l, "option=")[1]}}); code != 200 || !strings.Contains(body, "recorded") {
			t.Fatalf("%s's email vote = %d %s", addr, code, body)
		}
	}
	p, err := e.app.Store.PollByID(ctx, 1)
	if err != nil || p.Voters != 7 || p.Options[0].Votes != 3 || p.Options[1].Votes != 4 {
		t.Fatalf("poll %+v, %v: want 7 voters, 3 and 4", p, err)
	}
	pollReminder := emailT0.Add(time.Hour) // 4 hours before it closes
	// Every card shows the votes: each workspace's and each tenant's copy.
	e.app.Service.Flush()
	tokens := map[string]string{e2eChannel: "xoxb-e2e", reachPartnerChannel: "xoxb-partner"} // each workspace's own
	for ch, ts := range pollTS {
		if !e.slack.Wait(10*raceSlowdown*time.Second, func() bool {
			for _, c := range e.slack.Calls("chat.update") {
				if c.Form.Get("channel") == ch && c.Form.Get("ts") == ts && c.Token == tokens[ch] &&
					strings.Contains(formText(c), "7 of 11 members voted") {
					return true
				}
			}
			return false
		}) {
			t.Errorf("the Slack card in %s was not updated with the votes", ch)
		}
	}
	for _, tenant := range []string{reachTenantA, reachTenantB} {
		if ups := bf.updates(tenant); len(ups) == 0 || !strings.Contains(ups[len(ups)-1].Body, "7 of 11 members voted") {
			t.Errorf("the poll card in tenant %s does not show the 7 votes (%d updates)", tenant, len(ups))
		}
	}

	// Léa writes to the bot from tenant B (so copbot knows her tenant) and
	// does not vote.
	if code, body := bf.say(e, reachTenantB, "aad-lea", "polls"); code != 200 {
		t.Fatalf("Léa's message = %d %s", code, body)
	}
	// The poll's reminder: to Bob, Tom and Léa, who have not voted,
	// privately, each in their own workspace or tenant, and to Noah by
	// email.
	e.advanceTo(pollReminder)

	// The meeting's reminder: Slack loses its answer, the mail server one
	// of its answers, and the App restarts before retrying either.
	e.slack.LoseAnswer("chat.postMessage")
	srv.DropNext(1)
	e.advanceTo(due)
	e.shutdown()
	e.clock.Set(due.Add(2 * time.Minute))
	e.start()
	e.settle()
	e.shutdown()
	e.start()
	e.advanceTo(due.Add(10 * time.Minute))

	for _, ch := range []string{e2eChannel, reachPartnerChannel} {
		if n := len(e.keyedIn(ch, "reminder:1")); n != 1 {
			t.Errorf("%d reminders in Slack channel %s, want 1", n, ch)
		}
	}
	// The home workspace lost the answer: its retry looked the post up
	// there, with its token, and posted nothing again; the partner's
	// channel was posted to once, with the partner's token.
	posted, looked := map[string]int{}, map[string]int{}
	for _, c := range e.slack.Calls("chat.postMessage") {
		if strings.Contains(formText(c), "Reminder") && !strings.Contains(formText(c), "poll #") {
			posted[c.Token+" "+c.Form.Get("channel")]++
		}
	}
	for _, c := range e.slack.Calls("conversations.history") {
		looked[c.Token+" "+c.Form.Get("channel")]++
	}
	if want := map[string]int{"xoxb-e2e " + e2eChannel: 1, "xoxb-partner " + reachPartnerChannel: 1}; !maps.Equal(posted, want) {
		t.Errorf("reminder posts %v, want %v", posted, want)
	}
	if len(looked) != 1 || looked["xoxb-e2e "+e2eChannel] == 0 {
		t.Errorf("history looked up in %v, want the home channel alone", looked)
	}
	for _, tenant := range []string{reachTenantA, reachTenantB} {
		if n := len(bf.posts(tenant, "Reminder")); n != 1 {
			t.Errorf("%d reminders in tenant %s, want 1", n, tenant)
		}
	}
	taken := 0 // the meeting's reminders the server took in, a resend included
	for _, addr := range append(reachEmails, reachNoah) {
		ids, n := remindersTo(t, srv, addr, false)
		if len(ids) != 1 {
			t.Errorf("%s: %d distinct reminders of the meeting, want 1", addr, len(ids))
		}
		taken += n
		want := 0
		if addr == reachNoah {
			want = 1
		}
		if ids, _ := remindersTo(t, srv, addr, true); len(ids) != want {
			t.Errorf("%s: %d reminders of the poll, want %d", addr, len(ids), want)
		}
	}
	if taken != 5 {
		t.Errorf("the mail server took in %d reminders of the meeting, want 5: four, and the resend of the one whose answer was lost", taken)
	}
	dms := map[string]int{}
	notVoted := func(s string) bool {
		return strings.Contains(s, "you have not voted yet") || strings.Contains(s, "vous n’avez pas encore voté")
	}
	for _, c := range e.slack.Calls("chat.postMessage") {
		if notVoted(formText(c)) {
			dms["slack:"+c.Form.Get("channel")]++
		}
	}
	for _, c := range bf.where(func(c bfCall) bool { return !c.Group && notVoted(c.Body) }) {
		dms["teams:"+c.Tenant]++
	}
	if want := map[string]int{"slack:UBOB": 1, "teams:" + reachTenantA: 1, "teams:" + reachTenantB: 1}; !maps.Equal(dms, want) {
		t.Errorf("poll reminders sent privately %v, want %v: once to each member who has not voted", dms, want)
	}
	if r := e.sentReminder(); r.Attempts < 2 {
		t.Errorf("the reminder was sent in %d attempt(s): the lost answer did not happen", r.Attempts)
	}
}
