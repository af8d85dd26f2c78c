package slacktest

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Refusals returns the calls the fake refused as Slack would (blocks over
// a limit, no text), in arrival order. A test that renders a message
// asserts this is empty.
func (s *Server) Refusals() []Call {
	return s.where(func(c Call) bool { return c.Refused != "" })
}

// check fills c.Refused and c.Warnings for a call that shows blocks:
// messages (chat.postMessage, chat.postEphemeral, chat.update, response_url
// posts) and views (views.open, views.publish).
func check(c *Call) {
	switch c.Method {
	case "chat.postMessage", "chat.postEphemeral", "chat.update":
		checkMessage(c, c.Form.Get("text"), []byte(c.Form.Get("blocks")))
	case "hook":
		if c.JSON == nil {
			return
		}
		raw, _ := json.Marshal(c.JSON["blocks"])
		if c.JSON["blocks"] == nil {
			raw = nil
		}
		text, _ := c.JSON["text"].(string)
		checkMessage(c, text, raw)
	case "views.open", "views.publish":
		view, _ := c.JSON["view"].(map[string]any)
		if view == nil && c.Form != nil {
			json.Unmarshal([]byte(c.Form.Get("view")), &view)
		}
		raw, _ := json.Marshal(view["blocks"])
		if problems, _ := BlockProblems(raw, ViewSurface); len(problems) > 0 {
			c.Refused = "invalid_arguments: " + strings.Join(problems, "; ")
		}
	}
}

func checkMessage(c *Call, text string, blocks []byte) {
	if len(blocks) == 0 || string(blocks) == "null" || string(blocks) == "[]" {
		if strings.TrimSpace(text) == "" {
			c.Refused = "no_text"
		}
	} else if problems, chars := BlockProblems(blocks, MessageSurface); len(problems) > 0 {
		c.Refused = "invalid_blocks: " + strings.Join(problems, "; ")
		if chars > MaxBlockText {
			c.Refused = "msg_blocks_too_long"
		}
	}
	if utf8.RuneCountInString(text) > MaxText {
		c.Warnings = append(c.Warnings, "message_truncated")
	}
}

// answerRefusal answers a refused call as Slack does: the Web API with 200
// and ok:false, a response_url with 400 and the error as text.
func (s *Server) answerRefusal(w http.ResponseWriter, c Call, refusal string) {
	code, _, _ := strings.Cut(refusal, ": ")
	if c.Method == "hook" {
		http.Error(w, code, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code,
		"response_metadata": map[string]any{"messages": []string{"[ERROR] " + refusal}}})
}
