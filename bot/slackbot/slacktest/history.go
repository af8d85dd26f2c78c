package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Message is one message posted to the fake with chat.postMessage.
type Message struct {
	Channel  string
	TS       string
	Text     string
	Metadata map[string]any // {"event_type": …, "event_payload": {…}}, nil if none
}

func newMessage(form url.Values, ts string) Message {
	m := Message{Channel: form.Get("channel"), TS: ts, Text: form.Get("text")}
	if raw := form.Get("metadata"); raw != "" {
		json.Unmarshal([]byte(raw), &m.Metadata)
	}
	return m
}

// Messages returns the messages posted to channel ("" for every channel),
// oldest first. A post whose answer was lost or held (LoseAnswer,
// HangAnswer) is here all the same: it reached "Slack".
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if channel == "" || m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

// SetClock sets the clock whose seconds the ts of new messages carry
// (time.Now by default), so that conversations.history's oldest compares
// with a test's injected clock as it would with Slack's.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

// LoseAnswer makes the next call of method take effect (a message is
// posted) and then closes the connection without answering: the caller
// sees a network error and cannot know the call worked. Successive fault
// calls (Fail, LoseAnswer, HangAnswer) queue up, answered in order.
func (s *Server) LoseAnswer(method string) { s.queueDrop(method, answerLost) }

// HangAnswer makes the next call of method take effect and then holds the
// answer until the caller gives up (its timeout) or the test ends: a
// timeout after a post that did reach Slack.
func (s *Server) HangAnswer(method string) { s.queueDrop(method, answerHeld) }

// Refuse makes the next call of method answer as Slack refuses a call it
// did not act on: 200 with {"ok":false,"error":slackError}
// ("missing_scope", "channel_not_found"). It queues with the other faults.
func (s *Server) Refuse(method, slackError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], failure{slackErr: slackError})
}

// ReleaseHeld ends every answer HangAnswer holds, and any it will hold,
// by closing the connection without an answer.
func (s *Server) ReleaseHeld() { s.release.Do(func() { close(s.closing) }) }

func (s *Server) queueDrop(method string, k dropKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], failure{drop: k})
}

func (s *Server) dropAnswer(w http.ResponseWriter, r *http.Request, k dropKind) {
	if k == answerHeld {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	}
	if d, ok := w.(interface{ drop() }); ok {
		d.drop()
		return
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

// history answers conversations.history as Slack does for the fields
// copbot reads: messages of channel with ts >= oldest, newest first, at
// most limit (default 100) a page with a next_cursor; metadata only when
// include_all_metadata is set. The caller holds s.mu.
func (s *Server) history(form url.Values) map[string]any {
	channel := form.Get("channel")
	if channel == "" {
		return map[string]any{"ok": false, "error": "channel_not_found"}
	}
	oldest, _ := strconv.ParseFloat(form.Get("oldest"), 64)
	limit, err := strconv.Atoi(form.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	var all []map[string]any
	for i := len(s.msgs) - 1; i >= 0; i-- {
		m := s.msgs[i]
		if ts, _ := strconv.ParseFloat(m.TS, 64); m.Channel != channel || ts < oldest {
			continue
		}
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "bot_id": "BCOPBOT"}
		if withMeta && m.Metadata != nil {
			msg["metadata"] = m.Metadata
		}
		all = append(all, msg)
	}
	from, _ := strconv.Atoi(form.Get("cursor"))
	from = min(max(from, 0), len(all))
	to := min(from+limit, len(all))
	res := map[string]any{"ok": true, "messages": all[from:to], "has_more": to < len(all)}
	if to < len(all) {
		res["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(to)}
	}
	return res
}
