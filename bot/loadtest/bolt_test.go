package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/storage"
)

func TestBoltSkipReason(t *testing.T) {
	found := func(tools ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, tool := range tools {
				if tool == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	tests := []struct {
		name    string
		enabled bool
		look    func(string) (string, error)
		want    string // in the reason; "" for none
	}{
		{"turned off", false, found("node", "npm"), "-bolt=false"},
		{"no node", true, found("npm"), "node is not on PATH"},
		{"no npm", true, found("node"), "npm is not on PATH"},
		{"both there", true, found("node", "npm"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := boltSkipReason(tt.enabled, tt.look)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("boltSkipReason = %q, want one with %q", got, tt.want)
			}
		})
	}
}

// TestNoNodeIsOneLineNotAFailure: without node on PATH the run goes on,
// the report says why in one line, and the run still counts as OK.
func TestNoNodeIsOneLineNotAFailure(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	app, why, err := prepareBolt(context.Background(), true, io.Discard)
	if app != nil || err != nil || !strings.Contains(why, "node is not on PATH") {
		t.Fatalf("prepareBolt = %v, %q, %v; want no app, a reason naming node, no error", app, why, err)
	}
	l := &lab{boltSkip: why}
	rep := &report{}
	if err := l.measureBolt(context.Background(), rep); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.print(&out)
	if n := strings.Count(out.String(), "Bolt-JS"); n != 1 || !strings.Contains(out.String(), "Bolt-JS: skipped: node is not on PATH") {
		t.Errorf("report mentions Bolt-JS %d times, want one skip line:\n%s", n, out.String())
	}
	if !rep.ok() {
		t.Error("a skipped Bolt-JS fails the run")
	}
}

// TestBoltRatios: the summary divides copbot's req/s by Bolt-JS's, and
// Bolt-JS's CPU per request by copbot's, phase by phase.
func TestBoltRatios(t *testing.T) {
	row := func(name string, n int, elapsed, cpu time.Duration) result {
		return result{name: name, n: n, elapsed: elapsed, cpu: cpu, lat: []time.Duration{time.Millisecond}}
	}
	copbot := []result{row("copbot who", 3000, time.Second, 600*time.Millisecond), row("copbot votes", 1000, time.Second, 500*time.Millisecond)}
	base := []result{row("minimal who", 4000, time.Second, 0), row("minimal votes", 2000, time.Second, 0)}
	b := boltReport{versions: "@slack/bolt 4.7.3", rows: []result{row("Bolt-JS who", 1000, time.Second, 400*time.Millisecond),
		row("Bolt-JS votes", 800, 2*time.Second, 1200*time.Millisecond)},
		storm: storm{clicks: 800, acked: 800, stored: 800}, hooks: 800}
	var out bytes.Buffer
	b.printRows(&out, base)
	b.printSummary(&out, copbot)
	for _, want := range []string{
		"| Bolt-JS who | 1000 | 0 | 1000 |", "| 0.25 |\n", // 1,000 ÷ 4,000 req/s
		"| Bolt-JS votes | 800 | 0 | 400 |", "| 0.20 |\n", // 400 ÷ 2,000 req/s
		"copbot ÷ Bolt-JS, req/s: who 3.00×, votes 2.50×",
		"Bolt-JS's CPU per request ÷ copbot's: who 2.00×, votes 3.00×", // 0.4 ÷ 0.2 ms, 1.5 ÷ 0.5 ms
		"800 stored — OK; confirmations posted with respond(): 800",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
	if b.storm.stored--; b.ok() {
		t.Error("a Bolt-JS storm with an acknowledged vote missing is ok")
	}
}

func TestBoltCacheKey(t *testing.T) {
	pkg, lock := []byte(`{"name":"x"}`), []byte(`{"lockfileVersion":3}`)
	key := boltCacheKey(pkg, lock, "v20.20.2\n")
	if len(key) != 16 || strings.Trim(key, "0123456789abcdef") != "" {
		t.Fatalf("key %q: want 16 hex digits", key)
	}
	if again := boltCacheKey(pkg, lock, "v20.20.2"); again != key {
		t.Errorf("same inputs: %q then %q", key, again)
	}
	for name, other := range map[string]string{
		"lock changed":         boltCacheKey(pkg, []byte(`{"lockfileVersion":2}`), "v20.20.2"),
		"package.json changed": boltCacheKey([]byte(`{"name":"y"}`), lock, "v20.20.2"),
		"node changed":         boltCacheKey(pkg, lock, "v22.1.0"),
		"bytes moved across":   boltCacheKey(append(pkg, lock[:1]...), lock[1:], "v20.20.2"),
	} {
		if other == key {
			t.Errorf("%s: same key %q", name, key)
		}
	}
	dir, err := boltCacheDir(key)
	if err == nil && filepath.Base(dir) != "bolt-"+key {
		t.Errorf("cache dir %q, want one named bolt-%s", dir, key)
	}
}

// TestEmbeddedLockPinsBolt4: the lock pins the versions the README names,
// Bolt 4 and better-sqlite3 12 (13 crashes on Node 20).
func TestEmbeddedLockPinsBolt4(t *testing.T) {
	_, lock, err := boltPackage()
	if err != nil {
		t.Fatal(err)
	}
	got := lockedVersions(lock)
	if !strings.Contains(got, "@slack/bolt 4.") || !strings.Contains(got, "better-sqlite3 12.") {
		t.Errorf("locked versions %q, want @slack/bolt 4.x and better-sqlite3 12.x", got)
	}
}

// TestBoltAppAnswers starts bolt/app.js on a copbot database and sends it
// one signed who, one badly signed who and two clicks of one member. It
// needs node and npm, and Bolt-JS installed in the user cache: it installs
// it only when COPBOT_LOADTEST_NPM=1, so that CI downloads nothing for it.
func TestBoltAppAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node")
	}
	if why := boltSkipReason(true, exec.LookPath); why != "" {
		t.Skip("Bolt-JS " + why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	app, ready, err := findBolt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ready {
		if os.Getenv("COPBOT_LOADTEST_NPM") != "1" {
			t.Skipf("Bolt-JS is not installed in %s and this test downloads nothing unless COPBOT_LOADTEST_NPM=1 (or run go run ./bot/loadtest once)", app.modules)
		}
		if err := installBolt(ctx, app, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "cop.db")
	seedBoltDB(t, db)
	caFile := filepath.Join(dir, "ca.pem")
	tlsCfg, err := fakeTLS(caFile)
	if err != nil {
		t.Fatal(err)
	}
	fake := slacktest.Start(tlsCfg)
	defer fake.Close()
	s, err := app.start(ctx, dir, db, caFile)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()

	status, body := post(t, s.url+"/slack/commands", secret, whoForm(0, 1))
	var ack struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	json.Unmarshal(body, &ack)
	if want := "Ann Yukon\nBob Yukon"; status != 200 || ack.ResponseType != "ephemeral" || ack.Text != want {
		t.Errorf("who: %d %s; want 200, ephemeral, %q", status, body, want)
	}
	if hasBoltAck(body) {
		t.Errorf("hasBoltAck accepts the who answer %s as a click's ack", body)
	}
	if status, _ := post(t, s.url+"/slack/commands", "not-the-secret", whoForm(0, 2)); status != http.StatusUnauthorized {
		t.Errorf("badly signed who: status %d, want 401", status)
	}

	p := poll{ID: 7, TS: "1700000000.000100", Buttons: []button{
		{BlockID: "poll_7", ActionID: "poll_vote#1", Value: "7:1", Label: "Accessibility"},
		{BlockID: "poll_7", ActionID: "poll_vote#2", Value: "7:2", Label: "Chatbots and AI"}}}
	for i, b := range p.Buttons {
		status, body := post(t, s.url+"/slack/interactions", secret, clickFormTo(fake.URL(), p, 3, b, "t"))
		if status != 200 || !hasBoltAck(body) {
			t.Fatalf("click %d: %d %q; want 200 and an empty ack", i, status, body)
		}
		// Committed before the ack: the vote is there as soon as the ack is.
		if got := boltVote(t, db, memberID(3)); got != b.Value {
			t.Errorf("after click %d: stored vote %q, want %q", i, got, b.Value)
		}
	}
	if n, err := countBoltVotes(ctx, db); err != nil || n != 1 {
		t.Errorf("votes stored: %d, %v; want 1 (one member)", n, err)
	}
	fake.WaitQuiet(250*time.Millisecond, 10*time.Second)
	hooks := fake.Calls("hook")
	if len(hooks) != 2 {
		t.Fatalf("%d confirmations posted, want 2", len(hooks))
	}
	for i, h := range hooks {
		text, _ := h.JSON["text"].(string)
		if h.Path != "/actions/T0LOAD/3/t" || !strings.Contains(text, p.Buttons[i].Label) || h.Refused != "" {
			t.Errorf("confirmation %d: %s %q (refused %q); want on the click's response_url, naming %q",
				i, h.Path, text, h.Refused, p.Buttons[i].Label)
		}
	}
}

// seedBoltDB makes a copbot database with two members in Yukon (whose
// names sort after the Ontario member's) and one in Ontario.
func seedBoltDB(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	d, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows := []storage.MemberInput{
		{Name: "Bob Yukon", Jurisdiction: "YT", SlackID: memberID(1)},
		{Name: "Al Ontario", Jurisdiction: "ON", SlackID: memberID(2)},
		{Name: "Ann Yukon", Jurisdiction: "YT", SlackID: memberID(3)},
	}
	for i := range rows {
		rows[i].Email = strings.ToLower(strings.ReplaceAll(rows[i].Name, " ", ".")) + "@gov.ca"
		rows[i].Organization, rows[i].Order, rows[i].Language = "Ministry", storage.OrderProvincial, "en"
	}
	if _, err := d.ImportMembers(ctx, rows); err != nil {
		t.Fatal(err)
	}
}

func post(t *testing.T, url, signingSecret, form string) (int, []byte) {
	t.Helper()
	req := slacktest.SignedRequest(url, signingSecret, time.Now(), "application/x-www-form-urlencoded", form)
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func boltVote(t *testing.T, db, user string) string {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var v string
	if err := d.QueryRow("SELECT value FROM bolt_votes WHERE user = ?", user).Scan(&v); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return v
}
