package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/storage"
)

// envMain makes the test binary run copbot's main instead of the tests:
// the SIGTERM test starts copbot as a real process.
const envMain = "COPBOT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const termSecret = "sigterm-signing-secret"

// TestSIGTERMFinishesInFlight: copbot serving Slack gets SIGTERM while a
// coordinator's poll is in flight (its card's chat.postMessage held by the
// fake Slack). It stops taking connections at once, finishes the request
// (the card is posted and the coordinator told, in the answer or through
// response_url), and exits 0; the poll is in the database.
func TestSIGTERMFinishesInFlight(t *testing.T) {
	dir := t.TempDir()
	fake := slacktest.NewServer(t)
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	proxy := httputil.NewSingleHostReverseProxy(mustURL(t, fake.URL()))
	gate := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			once.Do(func() { close(arrived) })
			<-release
		}
		proxy.ServeHTTP(w, r)
	})}
	gln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gate.Serve(gln)
	t.Cleanup(func() { gate.Close() })
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	cfg := filepath.Join(dir, "copbot.toml")
	db := filepath.Join(dir, "copbot.db")
	writeFile(t, cfg, fmt.Sprintf(`[storage]
path = %q
[community]
coordinators = ["slack:UCOORD"]
[http]
listen = "127.0.0.1:0"
stop_timeout = "30s"
[slack]
bot_token = "xoxb-sigterm"
signing_secret = %q
api_url = "http://%s/api"
channel = "CCOMMUNITY"
[log]
format = "json"
`, db, termSecret, gln.Addr()))

	cmd := exec.Command(os.Args[0], "serve", "-config", cfg)
	cmd.Env = append(os.Environ(), envMain+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	logs := make(chan map[string]any, 256)
	go readLogs(stderr, logs)
	addr := waitLog(t, logs, "serving")["addr"].(string)

	// The coordinator's poll: its card's post is held at the fake Slack.
	form := url.Values{"command": {"/cop"}, "text": {`poll "Theme for March?" "Accessibility" "Wellness"`},
		"user_id": {"UCOORD"}, "user_name": {"coord"}, "channel_id": {"CASK"}, "team_id": {"T1"},
		"trigger_id": {"1.2.3"}, "response_url": {fake.URL() + "/hooks/UCOORD"}}.Encode()
	type answer struct {
		code int
		body string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		req := slacktest.SignedRequest("http://"+addr+"/slack/commands", termSecret, time.Now(),
			"application/x-www-form-urlencoded", form)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- answer{code: resp.StatusCode, body: string(b)}
	}()
	select {
	case <-arrived:
	case a := <-answered:
		t.Fatalf("the poll was answered (%d %s %v) before its card was posted", a.code, a.body, a.err)
	case <-time.After(30 * time.Second):
		t.Fatal("the poll's card never reached the fake Slack")
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLog(t, logs, "stopping: no new requests; finishing those in flight")
	// No new connection is taken once the stop has begun.
	refused := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(refused) {
			t.Fatal("copbot still accepts connections 10 s after SIGTERM")
		}
	}
	close(release)

	a := <-answered
	if a.err != nil || a.code != http.StatusOK {
		t.Fatalf("the request in flight at SIGTERM got %d %q %v, want 200", a.code, a.body, a.err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("copbot exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("copbot did not exit within its stop_timeout")
	}
	// Told in the answer, or (past Slack's budget) through response_url
	// before the process ended.
	told := strings.Contains(a.body, "Poll #1")
	for _, c := range fake.Calls("hook") {
		told = told || strings.Contains(string(c.Body), "Poll #1")
	}
	if !told {
		t.Errorf("the coordinator was never told poll #1 was posted: answer %s, hooks %d", a.body, len(fake.Calls("hook")))
	}
	if n := len(fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage calls, want the one poll card", n)
	}
	store, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if p, err := store.PollByID(context.Background(), 1); err != nil || p.Question != "Theme for March?" {
		t.Errorf("poll 1 after the stop: %+v, %v", p, err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func writeFile(t *testing.T, path, text string) {
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readLogs decodes the child's JSON log lines (others are skipped).
func readLogs(r io.Reader, out chan<- map[string]any) {
	defer close(out)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out <- m
		}
	}
}

// waitLog returns the first log record with message msg.
func waitLog(t *testing.T, logs <-chan map[string]any, msg string) map[string]any {
	t.Helper()
	limit := time.After(60 * time.Second) // a hang guard only
	for {
		select {
		case m, ok := <-logs:
			if !ok {
				t.Fatalf("copbot ended before logging %q", msg)
			}
			if m["msg"] == msg {
				return m
			}
		case <-limit:
			t.Fatalf("copbot did not log %q", msg)
		}
	}
}
