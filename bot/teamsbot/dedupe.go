package teamsbot

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// The Bot Framework redelivers an activity the bot was slow to answer, or
// whose answer was lost, and a redelivered vote must not count again. Each
// activity is claimed in the record of handled requests (bot/internal/once)
// until redeliveryWindow after it arrived, or until its token expires if
// that is later: anyone who captured a request could replay it as long as
// its token verifies.
const redeliveryWindow = time.Hour

// activityKey names an activity across redeliveries. Activity ids are only
// unique within a conversation; an activity without an id is named by its
// content, which a redelivery repeats byte for byte.
func activityKey(act *activity, body []byte) string {
	if act.ID == "" {
		sum := sha256.Sum256(body)
		return "teams:content:" + hex.EncodeToString(sum[:])
	}
	return "teams:activity:" + act.Conversation.ID + "\x00" + act.Type + "\x00" + act.ID
}

// retention is when a redelivery or replay of an activity can no longer
// arrive: redeliveryWindow from now, or the token's expiry with the clock
// skew it is granted, whichever is later.
func retention(now time.Time, c *botClaims) time.Time {
	until := now.Add(redeliveryWindow)
	if c != nil && c.ExpiresAt != nil {
		if exp := c.ExpiresAt.Add(clockSkew); exp.After(until) {
			until = exp
		}
	}
	return until
}
