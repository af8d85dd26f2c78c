package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
)

// A keyed post carries its key as message metadata; when Slack's answer
// times out, the post is still in the channel and FindKeyed finds it by
// the key through conversations.history, asking for every message's
// metadata from the given time on.
func TestKeyedPostFoundAfterTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withTuning(func(tu *tuning) { tu.callTimeout = 200 * time.Millisecond }))
	ctx := context.Background()
	since := time.Now().Add(-time.Minute).Truncate(time.Second)
	if _, err := e.a.PostKeyed(ctx, "reminder:7", notice); err != nil {
		t.Fatal(err)
	}
	e.fake.HangAnswer("chat.postMessage")
	if _, err := e.a.PostKeyed(ctx, "reminder:8", notice); err == nil {
		t.Fatal("a post whose answer never came succeeded")
	}
	msgs := e.fake.Messages("C0COMMUNITY")
	if len(msgs) != 2 {
		t.Fatalf("%d messages in the channel, want 2", len(msgs))
	}
	var meta struct {
		EventType    string            `json:"event_type"`
		EventPayload map[string]string `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(e.fake.Calls("chat.postMessage")[1].Form.Get("metadata")), &meta); err != nil ||
		meta.EventType != PostEventType || meta.EventPayload["key"] != "reminder:8" {
		t.Errorf("metadata sent %+v (%v), want copbot_post with key reminder:8", meta, err)
	}
	tests := []struct {
		key       string
		wantFound bool
		wantTS    string
	}{
		{"reminder:8", true, msgs[1].TS},
		{"reminder:7", true, msgs[0].TS},
		{"reminder:9", false, ""},
	}
	for _, tt := range tests {
		ref, found, err := e.a.FindKeyed(ctx, tt.key, since)
		if err != nil || found != tt.wantFound || ref.ID != tt.wantTS || (found && ref.Channel != "C0COMMUNITY") {
			t.Errorf("FindKeyed(%s) = %+v, %v, %v; want found %v at %s", tt.key, ref, found, err, tt.wantFound, tt.wantTS)
		}
	}
	h := e.fake.Calls("conversations.history")[0].Form
	if h.Get("include_all_metadata") != "1" || h.Get("channel") != "C0COMMUNITY" ||
		h.Get("oldest") != strconv.FormatInt(since.Unix(), 10)+".000000" {
		t.Errorf("conversations.history asked with %v", h)
	}
	if _, found, err := e.a.FindKeyed(ctx, "reminder:8", time.Now().Add(time.Hour)); found || err != nil {
		t.Errorf("FindKeyed before the post's time: found %v, err %v; want not found", found, err)
	}
}

// An install without the history scopes (or a channel given by name)
// cannot look posts up: FindKeyed says so with handlers.ErrNoLookup, so
// the post is sent again rather than never; any other failure is an error
// that keeps it from being sent blindly.
func TestFindKeyedRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.Refuse("conversations.history", "missing_scope")
	e.fake.Refuse("conversations.history", "internal_error")
	since := time.Now().Add(-time.Minute)
	tests := []struct {
		name       string
		wantNoLook bool
	}{
		{"missing_scope", true},
		{"internal_error", false},
	}
	for _, tt := range tests {
		_, found, err := e.a.FindKeyed(context.Background(), "reminder:1", since)
		if found || err == nil || errors.Is(err, handlers.ErrNoLookup) != tt.wantNoLook || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: found %v, err %v; want ErrNoLookup %v", tt.name, found, err, tt.wantNoLook)
		}
	}
}
