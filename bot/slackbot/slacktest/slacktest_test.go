package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestSignVector checks Sign against the vector on Slack's "verifying
// requests" page.
func TestSignVector(t *testing.T) {
	body, err := os.ReadFile("../testdata/fixtures/slash_command_signed.form")
	if err != nil {
		t.Fatal(err)
	}
	stamp, sig := Sign("8f742231b10e8888abcd99yyyzzz85a5", time.Unix(1531420618, 0), string(body))
	if want := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"; stamp != "1531420618" || sig != want {
		t.Errorf("Sign = %s, %s; want 1531420618, %s", stamp, sig, want)
	}
	req := SignedRequest("http://127.0.0.1/slack/commands", "8f742231b10e8888abcd99yyyzzz85a5",
		time.Unix(1531420618, 0), "application/x-www-form-urlencoded", string(body))
	if req.Header.Get(TimestampHeader) != stamp || req.Header.Get(SignatureHeader) != sig || req.Method != http.MethodPost {
		t.Errorf("SignedRequest headers %v", req.Header)
	}
}

func post(t *testing.T, s *Server, rawURL string, form url.Values) (int, map[string]any) {
	t.Helper()
	c := &http.Client{Transport: s.Transport()}
	resp, err := c.PostForm(rawURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestServerAnswers(t *testing.T) {
	s := NewServer(t)
	s.SetClock(func() time.Time { return time.Unix(1700000000, 0) })
	api := "https://slack.com/api/"
	tests := []struct {
		method string
		form   url.Values
		want   map[string]any
	}{
		{"chat.postMessage", url.Values{"channel": {"C1"}, "text": {"a"}}, map[string]any{"ok": true, "channel": "C1", "ts": "1700000000.000001"}},
		{"chat.postMessage", url.Values{"channel": {"C1"}, "text": {"b"}}, map[string]any{"ok": true, "channel": "C1", "ts": "1700000000.000002"}},
		{"chat.update", url.Values{"channel": {"C1"}, "ts": {"1700000000.000001"}, "text": {"hi"}},
			map[string]any{"ok": true, "channel": "C1", "ts": "1700000000.000001", "text": "hi"}},
		{"nope.nope", nil, map[string]any{"ok": false, "error": "unknown_method"}},
	}
	for _, tt := range tests {
		_, got := post(t, s, api+tt.method, tt.form)
		if b, w := jsonText(got), jsonText(tt.want); b != w {
			t.Errorf("%s answered %s, want %s", tt.method, b, w)
		}
	}
	s.SetLocale("U1", "fr-CA")
	if _, got := post(t, s, api+"users.info", url.Values{"user": {"U1"}}); got["user"].(map[string]any)["locale"] != "fr-CA" {
		t.Errorf("users.info answered %v", got)
	}
	calls := s.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Host != "slack.com" || calls[0].Form.Get("channel") != "C1" {
		t.Errorf("recorded %+v", calls)
	}
	if n, w := len(s.Calls("")), len(s.Writes()); n != 5 || w != 4 {
		t.Errorf("%d calls, %d writes; want 5 and 4", n, w)
	}
}

func TestServerFailAndWait(t *testing.T) {
	s := NewServer(t)
	s.Fail("chat.update", 429, "3")
	s.Fail("chat.update", 500, "")
	c := &http.Client{Transport: s.Transport()}
	var got []string
	for range 3 {
		resp, err := c.PostForm("https://slack.com/api/chat.update", url.Values{"ts": {"1.2"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, resp.Status+"/"+resp.Header.Get("Retry-After"))
	}
	if want := "429 Too Many Requests/3 500 Internal Server Error/ 200 OK/"; strings.Join(got, " ") != want {
		t.Errorf("answers %q, want %q", strings.Join(got, " "), want)
	}
	if code, _ := post(t, s, "https://hooks.slack.com/actions/T/1/x", nil); code != 200 || len(s.Calls("hook")) != 1 {
		t.Errorf("hook: status %d, %d calls", code, len(s.Calls("hook")))
	}
	// The post is made only once Wait has found nothing: Wait wakes for a
	// call that arrives after it began.
	looked := make(chan struct{})
	go func() {
		<-looked
		if resp, err := c.PostForm("https://slack.com/api/chat.postMessage", nil); err == nil {
			resp.Body.Close()
		}
	}()
	var first sync.Once
	if !s.Wait(5*time.Second, func() bool {
		first.Do(func() { close(looked) })
		return len(s.Calls("chat.postMessage")) == 1
	}) {
		t.Error("Wait did not see the call that arrived while it waited")
	}
	if n := len(s.WaitFor("views.open", 1, 20*time.Millisecond)); n != 0 {
		t.Errorf("WaitFor saw %d views.open, want 0 after timing out", n)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A direct fake answers in the caller's goroutine, without a network: in
// a synctest bubble, synctest.Wait then sees the whole exchange. A lost
// answer is an error after the call took effect, as over a connection.
func TestDirectServerInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewDirect(t)
		if code, m := post(t, s, "https://slack.com/api/chat.postMessage", url.Values{"channel": {"C1"}, "text": {"hi"}}); code != 200 || m["ok"] != true {
			t.Fatalf("post: %d %v", code, m)
		}
		s.LoseAnswer("chat.postMessage")
		c := &http.Client{Transport: s.Transport()}
		if resp, err := c.PostForm("https://slack.com/api/chat.postMessage", url.Values{"channel": {"C1"}, "text": {"hi"}}); err == nil {
			resp.Body.Close()
			t.Fatalf("a lost answer came back: %s", resp.Status)
		}
		synctest.Wait()
		if n := len(s.Messages("C1")); n != 2 {
			t.Errorf("%d messages in the channel, want 2 (the second's answer lost, not its effect)", n)
		}
		if calls := s.Calls("chat.postMessage"); len(calls) != 2 || calls[0].Host != "slack.com" {
			t.Errorf("calls %+v, want 2 to slack.com", calls)
		}
	})
}

// WaitQuiet returns a quiet period after the last call, or at its limit
// when calls keep coming (in a bubble, on its clock).
func TestWaitQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewDirect(t)
		c := &http.Client{Transport: s.Transport()}
		calls := func(n int) {
			for range n {
				<-time.After(100 * time.Millisecond)
				if resp, err := c.PostForm("https://slack.com/api/chat.postMessage", nil); err == nil {
					resp.Body.Close()
				}
			}
		}
		go calls(3)
		t0 := time.Now()
		s.WaitQuiet(250*time.Millisecond, 10*time.Second)
		if got := time.Since(t0); got != 550*time.Millisecond || len(s.Calls("")) != 3 {
			t.Errorf("returned after %v with %d calls, want 550ms (the last call at 300ms, then quiet) and 3", got, len(s.Calls("")))
		}
		done := make(chan struct{})
		go func() { calls(20); close(done) }()
		t0 = time.Now()
		s.WaitQuiet(250*time.Millisecond, time.Second)
		if got := time.Since(t0); got != time.Second {
			t.Errorf("returned after %v while calls kept coming, want the 1s limit", got)
		}
		<-done
	})
}

// TestServerRefusesWhatSlackRefuses: messages and views over Block Kit's
// limits are refused with Slack's errors and have no effect.
func TestServerRefusesWhatSlackRefuses(t *testing.T) {
	s := NewServer(t)
	api := "https://slack.com/api/"
	section := func(n int) string {
		return `{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("x", n) + `"}}`
	}
	many := func(n int, block string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(block+",", n), ",") + "]"
	}
	tests := []struct {
		name, blocks, text, want string
	}{
		{"fits", many(4, section(2900)), "t", ""},
		{"no text", "", "", "no_text"},
		{"section over 3000", many(1, section(3001)), "t", "invalid_blocks"},
		{"51 blocks", many(51, section(1)), "t", "invalid_blocks"},
		{"12,000 characters", many(5, section(2400)), "t", "msg_blocks_too_long"},
		{"long header", `[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]`, "t", "invalid_blocks"},
		{"mrkdwn header", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`, "t", "invalid_blocks"},
		{"long button", `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"` +
			strings.Repeat("b", 76) + `"}}]}]`, "t", "invalid_blocks"},
		{"empty text", many(1, section(0)), "t", "invalid_blocks"},
	}
	for _, tt := range tests {
		form := url.Values{"channel": {"C1"}, "text": {tt.text}}
		if tt.blocks != "" {
			form.Set("blocks", tt.blocks)
		}
		_, got := post(t, s, api+"chat.postMessage", form)
		if tt.want == "" && got["ok"] != true || tt.want != "" && got["error"] != tt.want {
			t.Errorf("%s: answered %v, want %q", tt.name, got, tt.want)
		}
	}
	if n := len(s.Messages("C1")); n != 1 {
		t.Errorf("%d messages posted, want only the one that fits", n)
	}
	if n := len(s.Refusals()); n != len(tests)-1 {
		t.Errorf("%d refusals recorded, want %d", n, len(tests)-1)
	}
	_, got := post(t, s, api+"chat.postMessage", url.Values{"channel": {"C1"}, "text": {strings.Repeat("t", MaxText+1)}})
	if calls := s.Calls("chat.postMessage"); got["ok"] != true || len(calls[len(calls)-1].Warnings) != 1 {
		t.Errorf("a 40,001-character text: %v, warnings %v", got, calls[len(calls)-1].Warnings)
	}
}

// TestServerExternalUpload walks files upload v2 as Slack documents it:
// the URL needs filename and length, the bytes must match the length, and
// a file is completed once.
func TestServerExternalUpload(t *testing.T) {
	s := NewServer(t)
	api := "https://slack.com/api/"
	if _, got := post(t, s, api+"files.getUploadURLExternal", url.Values{"filename": {"a.csv"}}); got["error"] != "invalid_arguments" {
		t.Errorf("no length: %v", got)
	}
	_, got := post(t, s, api+"files.getUploadURLExternal", url.Values{"filename": {"a.csv"}, "length": {"5"}})
	id, _ := got["file_id"].(string)
	up, _ := got["upload_url"].(string)
	if got["ok"] != true || id == "" || !strings.Contains(up, id) {
		t.Fatalf("getUploadURLExternal: %v", got)
	}
	c := &http.Client{Transport: s.Transport()}
	send := func(body string) int {
		resp, err := c.Post(up, "application/octet-stream", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("four"); code != http.StatusBadRequest {
		t.Errorf("4 bytes for a 5-byte upload: %d", code)
	}
	if code := send("a,b\n1"); code != http.StatusOK {
		t.Errorf("upload: %d", code)
	}
	files := `[{"id":"` + id + `","title":"Export"}]`
	if _, got := post(t, s, api+"files.completeUploadExternal", url.Values{"files": {`[{"id":"F999999"}]`}}); got["error"] != "file_not_found" {
		t.Errorf("complete an unknown id: %v", got)
	}
	if _, got := post(t, s, api+"files.completeUploadExternal", url.Values{"files": {files}, "channel_id": {"C1"}}); got["ok"] != true {
		t.Errorf("complete: %v", got)
	}
	if _, got := post(t, s, api+"files.completeUploadExternal", url.Values{"files": {files}}); got["ok"] == true {
		t.Errorf("second complete: %v", got)
	}
	f := s.Files()
	if len(f) != 1 || f[0].Name != "a.csv" || f[0].Title != "Export" || f[0].Channel != "C1" || string(f[0].Data) != "a,b\n1" {
		t.Errorf("files %+v", f)
	}
}
