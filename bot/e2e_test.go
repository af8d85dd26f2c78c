package bot

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/scheduler/clocktest"
	"copbot/storage"
)

const (
	e2eSecret  = "e2e-signing-secret"
	e2eChannel = "CCOMMUNITY"
)

// e2eBot is a copbot serving on loopback against a fake Slack, as `copbot
// serve` would run it; start/stop can be repeated on the same database to
// play restarts.
type e2eBot struct {
	t     *testing.T
	cfg   Config
	slack *slacktest.Server
	now   func() time.Time
	// clock, when set, is the App's clock, timers included (now is then
	// ignored): see useClock.
	clock *clocktest.Clock
	app   *App
	stop  context.CancelFunc
	done  chan error
	lim   httpLimits // zero: the defaults
	// transport, when set, carries the App's outbound calls instead of the
	// fake Slack's own (which sends every request to the fake Slack).
	transport http.RoundTripper
	// emailTLS is the SMTP client's TLS settings (see email_e2e_test.go).
	emailTLS *tls.Config
}

func newE2E(t *testing.T, reminders ...string) *e2eBot {
	t.Helper()
	fake := slacktest.NewServer(t)
	cfg, err := e2eConfig(filepath.Join(t.TempDir(), "copbot.db"), fake.APIURL(), reminders...)
	if err != nil {
		t.Fatal(err)
	}
	return &e2eBot{t: t, cfg: cfg, slack: fake, now: time.Now}
}

// e2eConfig is the end-to-end bot's configuration: its database at path,
// Slack's Web API at slackAPI, UCOORD a coordinator.
func e2eConfig(path, slackAPI string, reminders ...string) (Config, error) {
	cfg := DefaultConfig()
	cfg.Storage.Path = path
	cfg.Community.Coordinators = []string{"slack:UCOORD"}
	cfg.Slack = SlackConfig{BotToken: "xoxb-e2e", SigningSecret: e2eSecret, APIURL: slackAPI,
		Channel: e2eChannel, Command: "/cop"}
	if len(reminders) > 0 {
		cfg.Meetings.Reminders = reminders
	}
	return cfg, cfg.validate()
}

// start runs a fresh App (a new process, as far as copbot can tell).
func (e *e2eBot) start() {
	e.t.Helper()
	tr := e.transport
	if tr == nil {
		tr = e.slack.Transport()
	}
	o := AppOptions{Now: e.now, limits: e.lim, HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		emailTLS: e.emailTLS}
	if e.clock != nil {
		o.Clock = e.clock
	}
	app, err := NewApp(context.Background(), e.cfg, o)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := app.Listen("127.0.0.1:0"); err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1) // this App's own: e.done moves on at the next start
	e.app, e.stop, e.done = app, cancel, done
	go func() { done <- app.Serve(ctx) }()
	e.t.Cleanup(e.shutdown)
}

// useClock gives the bot, from its next start, a clock that moves only
// when the test moves it (see advance), starting at t. The fake Slack's
// message timestamps follow it, as Slack's clock would.
func (e *e2eBot) useClock(t time.Time) *clocktest.Clock {
	e.clock = clocktest.New(t)
	e.slack.SetClock(e.clock.Now)
	return e.clock
}

// clockNow is the time on the bot's clock.
func (e *e2eBot) clockNow() time.Time {
	if e.clock != nil {
		return e.clock.Now()
	}
	return e.now()
}

// settle waits until the running App's scheduler has done everything due
// on its clock: after a move of the clock, every job that move made due
// has run, and its post has reached the fake.
func (e *e2eBot) settle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*raceSlowdown*time.Second) // a hang guard only
	defer cancel()
	if err := e.app.sched.Settled(ctx); err != nil {
		e.t.Fatalf("the scheduler did not settle: %v", err)
	}
}

// advanceTo moves the bot's clock to t and settles.
func (e *e2eBot) advanceTo(t time.Time) {
	e.t.Helper()
	e.clock.Set(t)
	e.settle()
}

// shutdown stops the App as SIGTERM would and checks it exits cleanly.
func (e *e2eBot) shutdown() {
	if e.app == nil {
		return
	}
	e.stop()
	if err := <-e.done; err != nil {
		e.t.Errorf("Serve returned %v", err)
	}
	if err := e.app.Close(); err != nil {
		e.t.Errorf("Close: %v", err)
	}
	e.app = nil
}

// slash sends a signed slash command and returns the status and body.
func (e *e2eBot) slash(user, text, secret string) (int, string) {
	e.t.Helper()
	form := url.Values{"command": {"/cop"}, "text": {text}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"channel_id": {"CASK"}, "team_id": {"T1"}, "trigger_id": {"1.2.3"},
		"response_url": {e.slack.URL() + "/hooks/" + user}}.Encode()
	req := slacktest.SignedRequest("http://"+e.app.Addr()+"/slack/commands", secret, e.clockNow(),
		"application/x-www-form-urlencoded", form)
	return e.do(req)
}

func (e *e2eBot) do(req *http.Request) (int, string) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (e *e2eBot) get(path string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.app.Addr()+path, nil)
	return e.do(req)
}

func (e *e2eBot) members() int {
	e.t.Helper()
	_, n, err := e.app.Store.FindMembers(context.Background(), storage.MemberFilter{IncludeLeft: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestServeSlackEndToEnd(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	e.cfg.HTTP.CalendarToken = "cal-secret"
	e.start()
	if code, body := e.get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz = %d %q", code, body)
	}
	if code, body := e.slash("U1", "join Ada Lovelace | ServiceOntario | provincial | Ontario | Director", e2eSecret); code != 200 || !strings.Contains(body, "Ada Lovelace") {
		t.Fatalf("join = %d %s", code, body)
	}
	code, body := e.slash("U2", "who Ontario", e2eSecret)
	if code != 200 || !strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, `"ephemeral"`) {
		t.Errorf("who Ontario = %d %s", code, body)
	}
	if code, _ := e.slash("U3", "join Eve | Evil Corp | municipal | ON", "forged-secret"); code != http.StatusUnauthorized {
		t.Errorf("forged join = %d, want 401", code)
	}
	if got := e.members(); got != 1 {
		t.Errorf("%d members after a forged join, want 1", got)
	}
	if code, body := e.slash("UCOORD", "meeting add 2031-03-19 13:00 Accessibility technology", e2eSecret); code != 200 {
		t.Fatalf("meeting add = %d %s", code, body)
	}
	if code, body := e.get("/calendar.ics?token=wrong"); code != http.StatusNotFound {
		t.Errorf("calendar with a wrong token = %d %s, want 404", code, body)
	}
	code, cal := e.get("/calendar.ics?token=cal-secret")
	if code != 200 || !strings.Contains(cal, "BEGIN:VCALENDAR") || !strings.Contains(cal, "SUMMARY:Accessibility technology") ||
		!strings.Contains(cal, "DTSTART:20310319T170000Z") {
		t.Errorf("calendar = %d\n%s", code, cal)
	}
}

// The "done when" for reminders, through the real scheduler, the
// real Slack adapter and a fake Slack, on a clock the test moves: one post
// at its due second and not a second before, none again across three
// restarts, and a reminder missed while the bot was down posted once,
// marked late.
func TestRemindersExactlyOnceAcrossRestarts(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "1h", "30m")
	e.cfg.Community.Timezone = "America/Halifax"
	clock := e.useClock(time.Date(2031, 3, 12, 15, 0, 0, 0, time.UTC))
	start := clock.Now().Add(time.Hour + time.Minute) // the first reminder falls due in a minute

	e.start()
	local := start.In(e.cfg.Location())
	if code, body := e.slash("UCOORD", "meeting add "+local.Format("2006-01-02 15:04")+" Serving vulnerable communities", e2eSecret); code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("meeting add = %d %s", code, body)
	}
	dueOnTime := start.Add(-time.Hour)
	e.advanceTo(dueOnTime.Add(-time.Second))
	if n := len(e.reminderPosts()); n != 0 {
		t.Fatalf("%d reminder posts a second before the due time, want 0", n)
	}
	e.advanceTo(dueOnTime)
	posts := e.reminderPosts()
	if len(posts) != 1 {
		t.Fatalf("%d reminder posts at the due second, want 1", len(posts))
	}
	if strings.Contains(formText(posts[0]), "(late)") {
		t.Errorf("the on-time reminder says it is late: %s", formText(posts[0]))
	}
	if ts := e.reminderTS(); !strings.HasPrefix(ts, strconv.FormatInt(dueOnTime.Unix(), 10)+".") {
		t.Errorf("reminder posted at ts %s, want the due second %d", ts, dueOnTime.Unix())
	}
	e.shutdown()

	// Down while the second reminder falls due; come back 70 s later, past
	// the one-minute grace, and restart three times.
	clock.Set(start.Add(-30 * time.Minute).Add(70 * time.Second))
	for range 3 {
		e.start()
		e.settle()
		e.shutdown()
	}
	posts = e.reminderPosts()
	if len(posts) != 2 {
		t.Fatalf("%d reminder posts after three restarts, want 2", len(posts))
	}
	if !strings.Contains(formText(posts[1]), "Reminder (late)") || !strings.Contains(formText(posts[1]), "Rappel (en retard)") {
		t.Errorf("missed reminder not marked late in both languages: %s", formText(posts[1]))
	}
}

// reminderTS is the ts of the first reminder message in the community
// channel, as the fake Slack stamped it.
func (e *e2eBot) reminderTS() string {
	for _, m := range e.slack.Messages(e2eChannel) {
		if strings.Contains(m.Text, "Reminder") {
			return m.TS
		}
	}
	return ""
}

// reminderPosts are the community channel posts that carry a reminder.
func (e *e2eBot) reminderPosts() []slacktest.Call { return e.postsWith("Reminder") }

// formText is a post's fallback text plus its blocks, as Slack received them.
func formText(c slacktest.Call) string {
	return c.Form.Get("text") + "\n" + c.Form.Get("blocks")
}

// Issue 5's closing, through the App and the fake Slack: a poll whose
// deadline passes while the bot is down closes on the next start, posts
// its result once whatever the restarts, and sets the linked meeting's
// theme to the winner.
func TestPollClosesOnceAcrossRestarts(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	clock := e.useClock(time.Date(2031, 1, 5, 15, 0, 0, 0, time.UTC))
	e.start()
	steps := []struct{ user, text, want string }{
		{"UCOORD", "meeting add 2031-03-19 13:00 Spring meeting", "#1"},
		{"U1", "join Ada Lovelace | ServiceOntario | provincial | ON", "Ada Lovelace"},
		{"U2", "join Jean Roy | Ville de Québec | municipal | QC | | | fr", "Jean Roy"},
		{"UCOORD", `poll "Theme for March?" "Accessibility technology" "Serving vulnerable communities" --closes 3s --meeting 1`, "#1"},
		{"U1", "vote 1 2", "Serving vulnerable communities"},
		{"U2", "voter 1 2", "Serving vulnerable communities"},
	}
	for _, s := range steps {
		if code, body := e.slash(s.user, s.text, e2eSecret); code != 200 || !strings.Contains(body, s.want) {
			t.Fatalf("%s %q = %d %s", s.user, s.text, code, body)
		}
	}
	e.settle()
	if n := len(e.postsWith("Poll #1 results")); n != 0 {
		t.Fatalf("%d result posts before the deadline, want 0", n)
	}
	e.shutdown()
	clock.Advance(4 * time.Second) // the deadline passes while the bot is down
	for range 3 {
		e.start()
		e.settle()
		e.shutdown()
	}
	if n := len(e.postsWith("Poll #1 results")); n != 1 {
		t.Errorf("%d result posts after three starts, want 1", n)
	}
	e.start()
	if code, body := e.slash("U1", "meeting 1", e2eSecret); code != 200 || !strings.Contains(body, "Serving vulnerable communities") {
		t.Errorf("meeting 1 theme not set to the winner: %d %s", code, body)
	}
}

// postsWith are the community channel posts whose text contains s.
func (e *e2eBot) postsWith(s string) []slacktest.Call {
	var out []slacktest.Call
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == e2eChannel && strings.Contains(formText(c), s) {
			out = append(out, c)
		}
	}
	return out
}
