package directory

import (
	"context"
	"strconv"
	"sync"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// A typed organization close to a registry entry's spelling saves nothing
// (storage refuses it with org_suggest, inside the join's transaction):
// the person is asked "Did you mean Employment and Social Development
// Canada (ESDC)?" and answers with a button or "yes"/"no" (or types their
// organization again). Their profile waits here meanwhile, in memory, for
// orgPickTTL at most and for maxOrgPicks people at most: nothing of it is
// stored before they answer.

const (
	orgPickTTL  = 15 * time.Minute
	maxOrgPicks = 1000
)

// orgPick is a profile held back by a suggestion.
type orgPick struct {
	vals    map[string]string
	changed map[string]bool
	typed   string // the organization as typed
	name    string // the suggested entry's name, which resolves to it exactly
	at      time.Time
}

// orgPicks holds each person's last held-back profile. Safe for concurrent
// use.
type orgPicks struct {
	mu sync.Mutex
	m  map[storage.Identity]orgPick
}

func (p *orgPicks) put(id storage.Identity, pick orgPick) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[storage.Identity]orgPick{}
	}
	for k, v := range p.m {
		if pick.at.Sub(v.at) > orgPickTTL {
			delete(p.m, k)
		}
	}
	if _, ok := p.m[id]; !ok && len(p.m) >= maxOrgPicks {
		var oldest storage.Identity
		var at time.Time
		for k, v := range p.m {
			if at.IsZero() || v.at.Before(at) {
				oldest, at = k, v.at
			}
		}
		delete(p.m, oldest)
	}
	p.m[id] = pick
}

// take removes and returns id's held-back profile if it is fresh.
func (p *orgPicks) take(id storage.Identity, now time.Time) (orgPick, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pick, ok := p.m[id]
	delete(p.m, id)
	return pick, ok && now.Sub(pick.at) <= orgPickTTL
}

// waiting reports whether id has a fresh held-back profile.
func (p *orgPicks) waiting(id storage.Identity, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	pick, ok := p.m[id]
	return ok && now.Sub(pick.at) <= orgPickTTL
}

// suggestOrg holds vals back and asks about the suggested entry o.
func (s *Feature) suggestOrg(c *call, vals map[string]string, changed map[string]bool, typed string, o *storage.Organization) handlers.Reply {
	s.picks.put(c.Req.Identity, orgPick{vals: vals, changed: changed, typed: typed, name: o.Name, at: s.now()})
	d := map[string]any{"Typed": handlers.User(typed), "Name": handlers.User(o.Label(c.Lang))}
	return c.Reply("org_suggest", handlers.Ephemeral,
		handlers.Section{Text: c.T("org_suggest_question", d)},
		handlers.Context{Text: c.T("org_suggest_how", d)},
		handlers.Actions{Buttons: []handlers.Button{
			{ActionID: "org_pick", Value: "yes", Label: c.T("org_suggest_yes", d), Style: handlers.StylePrimary},
			{ActionID: "org_pick", Value: "no", Label: c.T("org_suggest_no", d)},
		}})
}

// actOrgPick answers the suggestion's buttons (value "yes" or "no").
func (s *Feature) actOrgPick(ctx context.Context, c *call, value string) handlers.Reply {
	return s.pickOrg(ctx, c, value == "yes")
}

// answerOrgPick takes a bare yes/no (oui/non) while a suggestion waits.
func (s *Feature) answerOrgPick(ctx context.Context, c *call) (handlers.Reply, bool) {
	yes, ok := c.YesNo()
	if !ok || c.Req.Identity.IsZero() || !s.picks.waiting(c.Req.Identity, s.now()) {
		return handlers.Reply{}, false
	}
	return s.pickOrg(ctx, c, yes), true
}

// pickOrg saves the held-back profile with the suggested entry (yes) or
// with the organization as typed, as a new entry (no).
func (s *Feature) pickOrg(ctx context.Context, c *call, yes bool) handlers.Reply {
	pick, ok := s.picks.take(c.Req.Identity, s.now())
	if !ok {
		return c.ErrorReply("org_pick_expired", c.SlashData())
	}
	if yes {
		pick.vals["organization"] = pick.name
	}
	r, errs := s.joinWithOrg(ctx, c, pick.vals, pick.changed, !yes)
	if len(errs) > 0 {
		return c.ErrorList(c.T("join_invalid", c.SlashData()), problemsOf(c, errs))
	}
	return r
}

// pendingNote tells a person whose organization is a new registry entry
// that a coordinator will confirm it; nothing when it is confirmed (or
// cannot be read: the join itself is saved).
func (s *Feature) pendingNote(ctx context.Context, c *call, m *storage.Member) []handlers.Block {
	o, err := s.store.FindOrganization(ctx, "#"+strconv.FormatInt(m.OrganizationID, 10))
	if err != nil || o.Status != storage.OrgPending {
		return nil
	}
	return []handlers.Block{handlers.Context{Text: c.T("org_pending_note", map[string]any{"Name": handlers.User(o.Label(c.Lang))})}}
}
