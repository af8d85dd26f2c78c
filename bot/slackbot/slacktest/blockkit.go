package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Surface is where blocks are shown: a message or a view (modal, App Home).
type Surface int

// Surfaces.
const (
	MessageSurface Surface = iota
	ViewSurface
)

// Slack's documented limits (docs.slack.dev, Block Kit reference), which
// the fake enforces as Slack does: a message or view over one of them is
// refused, not shown cut.
const (
	MaxMessageBlocks = 50
	MaxViewBlocks    = 100
	// MaxBlockText is the text of all blocks of one message, about which
	// Slack answers msg_blocks_too_long ("12,000 text characters with a
	// buffer for block containers", slackapi/bolt-js #2509). BlockOverhead
	// is what this fake counts per block for its container: with it, the
	// fake accepts and refuses exactly the messages measured in
	// slackapi/bolt-js #2867 (9,597 characters in 50 blocks accepted,
	// 11,341 in 45 refused).
	MaxBlockText  = 12000
	BlockOverhead = 40
	// MaxText is where Slack cuts a message's top-level text (with a
	// message_truncated warning).
	MaxText = 40000
)

// limits per text field (characters).
const (
	maxHeader   = 150
	maxText     = 3000
	maxField    = 2000
	maxFields   = 10
	maxContext  = 10
	maxElements = 25
	maxButton   = 75
	maxValue    = 2000
	maxID       = 255
	maxURL      = 3000
	maxLabel    = 2000
)

// BlockProblems checks a blocks array (as JSON) against Slack's limits for
// surface. It returns what Slack would refuse, one line each, and the
// characters the blocks count towards MaxBlockText.
func BlockProblems(raw []byte, surface Surface) (problems []string, chars int) {
	var blocks []map[string]any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return []string{"blocks: not a JSON array of objects: " + err.Error()}, 0
	}
	c := checker{}
	limit := MaxMessageBlocks
	if surface == ViewSurface {
		limit = MaxViewBlocks
	}
	if len(blocks) > limit {
		c.add("", "%d blocks, more than %d", len(blocks), limit)
	}
	for i, b := range blocks {
		c.block(fmt.Sprintf("/blocks/%d", i), b)
		c.chars += BlockOverhead
	}
	if surface == MessageSurface && c.chars > MaxBlockText {
		c.add("", "msg_blocks_too_long: %d characters of blocks, more than %d", c.chars, MaxBlockText)
	}
	return c.problems, c.chars
}

type checker struct {
	problems []string
	chars    int
}

func (c *checker) add(at, format string, args ...any) {
	c.problems = append(c.problems, at+": "+fmt.Sprintf(format, args...))
}

func (c *checker) block(at string, b map[string]any) {
	c.maxLen(at+"/block_id", str(b["block_id"]), maxID)
	switch b["type"] {
	case "header":
		c.text(at+"/text", b["text"], maxHeader, true)
	case "section":
		fields, _ := b["fields"].([]any)
		if b["text"] == nil && len(fields) == 0 {
			c.add(at, "section with neither text nor fields")
		}
		if b["text"] != nil {
			c.text(at+"/text", b["text"], maxText, false)
		}
		if len(fields) > maxFields {
			c.add(at+"/fields", "%d fields, more than %d", len(fields), maxFields)
		}
		for i, f := range fields {
			c.text(fmt.Sprintf("%s/fields/%d", at, i), f, maxField, false)
		}
		if acc, ok := b["accessory"].(map[string]any); ok {
			c.element(at+"/accessory", acc)
		}
	case "context":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxContext {
			c.add(at+"/elements", "%d elements, want 1 to %d", len(els), maxContext)
		}
		for i, e := range els {
			c.text(fmt.Sprintf("%s/elements/%d", at, i), e, maxText, false)
		}
	case "actions":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxElements {
			c.add(at+"/elements", "%d elements, want 1 to %d", len(els), maxElements)
		}
		for i, e := range els {
			m, _ := e.(map[string]any)
			c.element(fmt.Sprintf("%s/elements/%d", at, i), m)
		}
	case "input":
		c.text(at+"/label", b["label"], maxLabel, true)
		if b["hint"] != nil {
			c.text(at+"/hint", b["hint"], maxLabel, true)
		}
	case "divider", "image", "rich_text", "file":
	default:
		c.add(at+"/type", "unknown block type %v", b["type"])
	}
}

// element checks an interactive element (a button; others are not used).
func (c *checker) element(at string, e map[string]any) {
	if e["type"] != "button" {
		return
	}
	c.text(at+"/text", e["text"], maxButton, true)
	c.maxLen(at+"/value", str(e["value"]), maxValue)
	c.maxLen(at+"/action_id", str(e["action_id"]), maxID)
	c.maxLen(at+"/url", str(e["url"]), maxURL)
}

// text checks a text object: its type, its length (1 to max) and counts
// its characters.
func (c *checker) text(at string, v any, max int, plainOnly bool) {
	t, ok := v.(map[string]any)
	if !ok {
		c.add(at, "not a text object")
		return
	}
	kind := t["type"]
	if kind != "plain_text" && (plainOnly || kind != "mrkdwn") {
		c.add(at+"/type", "text type %v not allowed here", kind)
	}
	s := str(t["text"])
	n := utf8.RuneCountInString(s)
	c.chars += n
	if n == 0 {
		c.add(at+"/text", "must be more than 0 characters")
	}
	c.maxLen(at+"/text", s, max)
}

func (c *checker) maxLen(at, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		c.add(at, "must be less than %d characters, got %d", max+1, n)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
