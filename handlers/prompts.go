package handlers

import (
	"sync"
	"time"

	"copbot/storage"
)

// Prompts remembers the confirmations a feature asked for ("Leave the
// directory? Type yes"), by identity, so that a bare "yes" answers the
// last one shown to that person for a while. It is bounded: beyond max
// prompts, the oldest is forgotten (that person then confirms with the
// command's own word or button). Safe for concurrent use.
type Prompts struct {
	mu     sync.Mutex
	asked  map[storage.Identity]time.Time
	expiry time.Duration
	max    int
}

// NewPrompts remembers at most max prompts, each answerable for expiry.
func NewPrompts(expiry time.Duration, max int) *Prompts {
	return &Prompts{asked: map[storage.Identity]time.Time{}, expiry: expiry, max: max}
}

// Asked records that id was asked to confirm at now.
func (p *Prompts) Asked(id storage.Identity, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, t := range p.asked {
		if now.Sub(t) > p.expiry {
			delete(p.asked, k)
		}
	}
	if len(p.asked) >= p.max {
		p.forgetOldest()
	}
	p.asked[id] = now
}

func (p *Prompts) forgetOldest() {
	var oldest storage.Identity
	var at time.Time
	for k, t := range p.asked {
		if at.IsZero() || t.Before(at) {
			oldest, at = k, t
		}
	}
	delete(p.asked, oldest)
}

// Answered takes id's pending prompt: true if one was shown less than the
// expiry ago. Either way the prompt is forgotten.
func (p *Prompts) Answered(id storage.Identity, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.asked[id]
	delete(p.asked, id)
	return ok && now.Sub(t) <= p.expiry
}

// YesNo reads a bare answer to a prompt: yes (yes, oui, confirm…), no
// (no, non, cancel…), or neither (ok false) when the text is anything
// else or longer than two words.
func (c *Call) YesNo() (yes, ok bool) {
	first, words := c.FirstWord()
	if words > 2 {
		return false, false
	}
	switch first {
	case "yes", "oui", "confirm", "confirmer", "y", "o":
		return true, true
	case "no", "non", "cancel", "annuler", "n":
		return false, true
	}
	return false, false
}
