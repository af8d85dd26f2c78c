package directory

import (
	"context"
	"sync"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Leaving asks to confirm; a bare "yes" (or "no") answers the prompt for a
// while after it was shown.

// leavePromptTTL is how long a bare "yes" confirms a leave prompt.
const leavePromptTTL = 10 * time.Minute

// maxLeavePrompts bounds the prompts remembered at once; the oldest are
// forgotten first (they then need `leave confirm`).
const maxLeavePrompts = 1000

// leavePrompts are the leave prompts waiting
// for a "yes", by identity, with the time each was shown.
type leavePrompts struct {
	mu     sync.Mutex
	asked  map[storage.Identity]time.Time
	expiry time.Duration
}

func newLeavePrompts() *leavePrompts {
	return &leavePrompts{asked: map[storage.Identity]time.Time{}, expiry: leavePromptTTL}
}

// prompted records that id was asked to confirm leaving at now.
func (f *leavePrompts) prompted(id storage.Identity, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, t := range f.asked {
		if now.Sub(t) > f.expiry {
			delete(f.asked, k)
		}
	}
	if len(f.asked) >= maxLeavePrompts {
		f.forgetOldest()
	}
	f.asked[id] = now
}

func (f *leavePrompts) forgetOldest() {
	var oldest storage.Identity
	var at time.Time
	for k, t := range f.asked {
		if at.IsZero() || t.Before(at) {
			oldest, at = k, t
		}
	}
	delete(f.asked, oldest)
}

// answered takes id's pending prompt: true if one was shown less than the
// expiry ago. Either way the prompt is forgotten.
func (f *leavePrompts) answered(id storage.Identity, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.asked[id]
	delete(f.asked, id)
	return ok && now.Sub(t) <= f.expiry
}

// answerYesNo confirms (yes, oui) or cancels (no, non) a leave prompt
// shown to the caller less than leavePromptTTL ago.
func (s *Feature) answerYesNo(ctx context.Context, c *call) (handlers.Reply, bool) {
	first, words := c.FirstWord()
	yes, no := false, false
	switch first {
	case "yes", "oui", "confirm", "confirmer", "y", "o":
		yes = true
	case "no", "non", "cancel", "annuler", "n":
		no = true
	}
	if words > 2 || (!yes && !no) || c.Member == nil || !s.members.answered(c.Req.Identity, s.now()) {
		return handlers.Reply{}, false
	}
	if no {
		return c.Reply("leave_cancelled", handlers.Ephemeral, handlers.Section{Text: c.T("leave_cancelled", nil)}), true
	}
	return s.leave(ctx, c), true
}
