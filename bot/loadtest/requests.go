package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"copbot/bot/slackbot/slacktest"
)

// Slack's side of the run: what it would send and what it was sent.

const (
	secret      = "loadtest-signing-secret"
	team        = "T0LOAD"
	channel     = "C0COMMUNITY"
	coordinator = "U0COORD"
)

// memberID is the Slack id of seeded member i.
func memberID(i int) string { return fmt.Sprintf("U1%07d", i) }

// whoForm is the slash command Slack posts for `/cop who Yukon` typed by
// member i. n makes trigger_id and response_url unique, as Slack's are.
func whoForm(i, n int) string { return commandForm(memberID(i), "who Yukon", n) }

func commandForm(user, text string, n int) string {
	return url.Values{"token": {"loadtest"}, "team_id": {team}, "team_domain": {"cop"},
		"channel_id": {channel}, "channel_name": {"cop-community"}, "user_id": {user},
		"user_name": {strings.ToLower(user)}, "command": {"/cop"}, "text": {text},
		"api_app_id": {"A0COPBOT"}, "is_enterprise_install": {"false"},
		"response_url": {fmt.Sprintf("https://hooks.slack.com/commands/%s/%d/cmd", team, n)},
		"trigger_id":   {fmt.Sprintf("%d.1700000000.loadtest", n)}}.Encode()
}

// button is one vote button of the posted poll message.
type button struct{ BlockID, ActionID, Value, Label string }

// poll is a poll as posted to the fake Slack.
type poll struct {
	ID      int64
	TS      string
	Buttons []button
}

// postedPoll reads the poll from the last chat.postMessage to the channel.
func postedPoll(fake *slacktest.Server) (poll, error) {
	var p poll
	posts := fake.Calls("chat.postMessage")
	for i := len(posts) - 1; i >= 0 && len(p.Buttons) == 0; i-- {
		if posts[i].Form.Get("channel") != channel {
			continue
		}
		bs, err := voteButtons(posts[i].Form.Get("blocks"))
		if err != nil {
			return p, err
		}
		p.Buttons = bs
	}
	if msgs := fake.Messages(channel); len(msgs) > 0 {
		p.TS = msgs[len(msgs)-1].TS // the poll's message, as the fake answered its post
	}
	if len(p.Buttons) == 0 {
		return p, fmt.Errorf("no poll with vote buttons among %d posts", len(posts))
	}
	id, _, _ := strings.Cut(p.Buttons[0].Value, ":")
	p.ID, _ = strconv.ParseInt(id, 10, 64)
	return p, nil
}

func voteButtons(blocksJSON string) ([]button, error) {
	var blocks []struct {
		Type     string           `json:"type"`
		BlockID  string           `json:"block_id"`
		Elements []map[string]any `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocksJSON), &blocks); err != nil {
		return nil, fmt.Errorf("poll message blocks: %w", err)
	}
	var out []button
	for _, b := range blocks {
		for _, el := range b.Elements {
			id, _ := el["action_id"].(string)
			if base, _, _ := strings.Cut(id, "#"); b.Type != "actions" || base != "poll_vote" {
				continue
			}
			label, _ := el["text"].(map[string]any)["text"].(string)
			value, _ := el["value"].(string)
			out = append(out, button{BlockID: b.BlockID, ActionID: id, Value: value, Label: label})
		}
	}
	return out, nil
}

// clickForm is the block_actions payload Slack posts when member i clicks
// b on the poll message, shaped as Slack's documented example (see
// bot/slackbot/testdata/fixtures/block_actions_docs_example.json).
func clickForm(p poll, i int, b button, phase string) string {
	return clickFormTo("https://hooks.slack.com", p, i, b, phase)
}

// clickFormTo is clickForm with its response_url on hooks (scheme://host).
func clickFormTo(hooks string, p poll, i int, b button, phase string) string {
	user := memberID(i)
	m := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "name": strings.ToLower(user), "team_id": team},
		"api_app_id": "A0COPBOT", "token": "loadtest",
		"container":  map[string]any{"type": "message", "message_ts": p.TS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id": fmt.Sprintf("%d.1700000100.%s", i, phase),
		"team":       map[string]any{"id": team, "domain": "cop"},
		"enterprise": nil, "is_enterprise_install": false,
		"channel":      map[string]any{"id": channel, "name": "cop-community"},
		"message":      map[string]any{"type": "message", "bot_id": "B0COPBOT", "text": "poll", "ts": p.TS},
		"response_url": fmt.Sprintf("%s/actions/%s/%d/%s", hooks, team, i, phase),
		"actions": []any{map[string]any{"type": "button", "action_id": b.ActionID, "block_id": b.BlockID,
			"value": b.Value, "text": map[string]any{"type": "plain_text", "text": b.Label, "emoji": true},
			"action_ts": fmt.Sprintf("1700000100.%06d", i)}},
	}
	payload, _ := json.Marshal(m)
	return url.Values{"payload": {string(payload)}}.Encode()
}

// busyReplies counts the confirmations of a phase that say the click was
// not saved (handlers' error_busy, in English or French).
func busyReplies(fake *slacktest.Server, phase string) int {
	n := 0
	for _, h := range fake.Calls("hook") {
		if !strings.HasSuffix(h.Path, "/"+phase) {
			continue
		}
		text, _ := h.JSON["text"].(string)
		if strings.Contains(text, "too busy") || strings.Contains(text, "trop occupé") {
			n++
		}
	}
	return n
}

// membersCSV is a roster of n members over the 13 provinces and
// territories, each with a Slack id, in the import's CSV format.
func membersCSV(n int) string {
	codes := []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
	var b strings.Builder
	b.WriteString("name,email,organization,order,jurisdiction,title,language,slack id\n")
	for i := range n {
		j := codes[i%len(codes)]
		fmt.Fprintf(&b, "Member %07d,member%07d@example.ca,%s ministry %d,provincial,%s,Manager,%s,%s\n",
			i, i, j, i%5, j, []string{"en", "fr"}[i%2], memberID(i))
	}
	return b.String()
}
