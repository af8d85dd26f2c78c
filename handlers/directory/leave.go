package directory

import (
	"context"
	"time"

	"copbot/handlers"
)

// Leaving asks to confirm; a bare "yes" (or "no") answers the prompt for a
// while after it was shown.

// leavePromptTTL is how long a bare "yes" confirms a leave prompt.
const leavePromptTTL = 10 * time.Minute

// maxLeavePrompts bounds the prompts remembered at once; the oldest are
// forgotten first (they then need `leave confirm`).
const maxLeavePrompts = 1000

func newLeavePrompts() *handlers.Prompts { return handlers.NewPrompts(leavePromptTTL, maxLeavePrompts) }

// answerYesNo confirms (yes, oui) or cancels (no, non) a leave prompt
// shown to the caller less than leavePromptTTL ago.
func (s *Feature) answerYesNo(ctx context.Context, c *call) (handlers.Reply, bool) {
	yes, ok := c.YesNo()
	if !ok || c.Member == nil || !s.members.Answered(c.Req.Identity, s.now()) {
		return handlers.Reply{}, false
	}
	if !yes {
		return c.Reply("leave_cancelled", handlers.Ephemeral, handlers.Section{Text: c.T("leave_cancelled", nil)}), true
	}
	return s.leave(ctx, c), true
}
