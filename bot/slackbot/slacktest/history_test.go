package slacktest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A lost or held answer still posts the message; conversations.history
// finds it, with its metadata only when asked for all metadata, newest
// first, from oldest on, page by page.
func TestFaultsAndHistory(t *testing.T) {
	s := NewServer(t)
	now := time.Unix(1800000000, 0)
	s.SetClock(func() time.Time { return now })
	c := &http.Client{Transport: s.Transport()}
	postMsg := func(text, key string, timeout time.Duration) error {
		form := url.Values{"channel": {"C1"}, "text": {text}}
		if key != "" {
			form.Set("metadata", `{"event_type":"copbot_post","event_payload":{"key":"`+key+`"}}`)
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://slack.com/api/chat.postMessage",
			strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := postMsg("old", "", time.Second); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	s.LoseAnswer("chat.postMessage")
	if err := postMsg("lost", "reminder:1", time.Second); err == nil {
		t.Error("a lost answer reached the client")
	}
	s.HangAnswer("chat.postMessage")
	if err := postMsg("held", "reminder:2", 100*time.Millisecond); err == nil {
		t.Error("a held answer reached the client")
	}
	if n := len(s.Messages("C1")); n != 3 {
		t.Fatalf("%d messages in C1, want 3 (faults drop answers, not posts)", n)
	}
	oldest := "1800000030.000000"
	tests := []struct {
		name      string
		form      url.Values
		wantTexts []string
		wantMeta  bool
		wantNext  string
	}{
		{"all metadata", url.Values{"channel": {"C1"}, "oldest": {oldest}, "include_all_metadata": {"1"}}, []string{"held", "lost"}, true, ""},
		{"no metadata unless asked", url.Values{"channel": {"C1"}, "oldest": {oldest}}, []string{"held", "lost"}, false, ""},
		{"paged", url.Values{"channel": {"C1"}, "limit": {"2"}, "include_all_metadata": {"1"}}, []string{"held", "lost"}, true, "2"},
		{"next page", url.Values{"channel": {"C1"}, "limit": {"2"}, "cursor": {"2"}}, []string{"old"}, false, ""},
	}
	for _, tt := range tests {
		_, got := post(t, s, "https://slack.com/api/conversations.history", tt.form)
		msgs, _ := got["messages"].([]any)
		var texts []string
		meta := false
		for _, m := range msgs {
			mm := m.(map[string]any)
			texts = append(texts, mm["text"].(string))
			if md, ok := mm["metadata"].(map[string]any); ok && md["event_type"] == "copbot_post" {
				meta = true
			}
		}
		rm, _ := got["response_metadata"].(map[string]any)
		next, _ := rm["next_cursor"].(string)
		if jsonText(texts) != jsonText(tt.wantTexts) || meta != tt.wantMeta || next != tt.wantNext {
			t.Errorf("%s: texts %v, metadata %v, next %q; want %v, %v, %q", tt.name, texts, meta, next, tt.wantTexts, tt.wantMeta, tt.wantNext)
		}
	}
}
