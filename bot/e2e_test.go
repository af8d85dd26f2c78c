package bot

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
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
	app   *App
	stop  context.CancelFunc
	done  chan error
	lim   httpLimits // zero: the defaults
	// transport, when set, carries the App's outbound calls instead of the
	// fake Slack's own (which sends every request to the fake Slack).
	transport http.RoundTripper
}

func newE2E(t *testing.T, reminders ...string) *e2eBot {
	t.Helper()
	fake := slacktest.NewServer(t)
	cfg := DefaultConfig()
	cfg.Storage.Path = filepath.Join(t.TempDir(), "copbot.db")
	cfg.Community.Coordinators = []string{"slack:UCOORD"}
	cfg.Slack = SlackConfig{BotToken: "xoxb-e2e", SigningSecret: e2eSecret, APIURL: fake.APIURL(),
		Channel: e2eChannel, Command: "/cop"}
	if len(reminders) > 0 {
		cfg.Meetings.Reminders = reminders
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	return &e2eBot{t: t, cfg: cfg, slack: fake, now: time.Now}
}

// start runs a fresh App (a new process, as far as copbot can tell).
func (e *e2eBot) start() {
	e.t.Helper()
	tr := e.transport
	if tr == nil {
		tr = e.slack.Transport()
	}
	app, err := NewApp(context.Background(), e.cfg, AppOptions{Now: e.now, limits: e.lim,
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}})
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
	req := slacktest.SignedRequest("http://"+e.app.Addr()+"/slack/commands", secret, time.Now(),
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
// real Slack adapter and a fake Slack: one post at the right second, none
// again across three restarts, and a reminder missed while the bot was
// down posted once, marked late.
func TestRemindersExactlyOnceAcrossRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 15 s of real time")
	}
	t0 := time.Now()
	start := t0.Truncate(time.Minute).Add(5 * time.Minute)
	onTime := start.Sub(t0.Add(4 * time.Second)).Truncate(time.Second) // due about 4 s from now
	missed := onTime - 8*time.Second                                   // due about 12 s from now
	e := newE2E(t, onTime.String(), missed.String())
	e.cfg.Community.Timezone = "America/Halifax"
	loc := e.cfg.Location()

	e.start()
	local := start.In(loc)
	if code, body := e.slash("UCOORD", "meeting add "+local.Format("2006-01-02 15:04")+" Serving vulnerable communities", e2eSecret); code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("meeting add = %d %s", code, body)
	}
	dueOnTime := start.Add(-onTime)
	posts := e.waitReminders(1, time.Until(dueOnTime)+5*time.Second)
	if d := posts[0].At.Sub(dueOnTime); d < -500*time.Millisecond || d > raceSlowdown*2*time.Second {
		t.Errorf("reminder posted %v after its due second, want within [-0.5 s, %d s]", d, raceSlowdown*2)
	}
	if strings.Contains(formText(posts[0]), "(late)") {
		t.Errorf("the on-time reminder says it is late: %s", formText(posts[0]))
	}
	e.shutdown()

	// Down while the second reminder falls due; come back "70 s later" (a
	// shifted clock), so the late mark is past the one-minute grace.
	time.Sleep(time.Until(start.Add(-missed)) + time.Second)
	e.now = func() time.Time { return time.Now().Add(70 * time.Second) }
	for i := 0; i < 3; i++ {
		e.start()
		time.Sleep(1500 * time.Millisecond)
		e.shutdown()
	}
	posts = e.waitReminders(2, time.Second)
	if !strings.Contains(formText(posts[1]), "Reminder (late)") || !strings.Contains(formText(posts[1]), "Rappel (en retard)") {
		t.Errorf("missed reminder not marked late in both languages: %s", formText(posts[1]))
	}
	if n := len(e.reminderPosts()); n != 2 {
		t.Errorf("%d reminder posts after three restarts, want 2", n)
	}
}

// reminderPosts are the community channel posts that carry a reminder.
func (e *e2eBot) reminderPosts() []slacktest.Call { return e.postsWith("Reminder") }

func (e *e2eBot) waitReminders(n int, within time.Duration) []slacktest.Call {
	e.t.Helper()
	e.waitPosts("Reminder", n, within)
	return e.reminderPosts()
}

// formText is a post's fallback text plus its blocks, as Slack received them.
func formText(c slacktest.Call) string {
	return c.Form.Get("text") + "\n" + c.Form.Get("blocks")
}

// Issue 5's closing, through the App and the fake Slack: a poll whose
// deadline passes while the bot is down closes on the next start, posts
// its result once whatever the restarts, and sets the linked meeting's
// theme to the winner.
func TestPollClosesOnceAcrossRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds of real time")
	}
	e := newE2E(t)
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
	deadline := time.Now().Add(3 * time.Second)
	e.shutdown()
	time.Sleep(time.Until(deadline) + time.Second)
	for i := 0; i < 3; i++ {
		e.start()
		if i == 0 {
			e.waitPosts("Poll #1 results", 1, 10*time.Second)
		}
		time.Sleep(time.Second)
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

func (e *e2eBot) waitPosts(s string, n int, within time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for len(e.postsWith(s)) < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("no %d posts with %q; calls: %v", n, s, e.slack.Calls("chat.postMessage"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
