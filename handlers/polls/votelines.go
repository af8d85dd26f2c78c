package polls

import (
	"strings"
	"sync"

	"copbot/storage"
)

// voteLines keeps the first line of vote confirmations ("Your vote for
// “X” is recorded. To take it back: …"), rendered once per language,
// action, poll, option label and position. A storm of clicks on one poll
// has a handful of such lines, and rendering one through the catalog (two
// templates, the quotation marks and French typography) was most of a
// confirmation's allocations. The key holds everything the text is made
// of, so an entry is never wrong, only unused once a label changes; the
// map starts afresh when full.
type voteLines struct {
	mu sync.Mutex
	m  map[voteLineKey]string
}

// voteLinesMax bounds the lines kept.
const voteLinesMax = 512

// voteLineKey is what a vote line is rendered from, besides the catalog
// and the slash command, which a Feature never changes.
type voteLineKey struct {
	lang, key, label string
	poll             int64
	number           int
	console          bool
}

func (v *voteLines) get(k voteLineKey) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.m[k]
	return s, ok
}

func (v *voteLines) put(k voteLineKey, s string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= voteLinesMax {
		v.m = make(map[voteLineKey]string)
	}
	v.m[k] = s
}

// pollVoteLine is the confirmation's line for an action on one option
// (poll_voted_added, _changed, _kept, _retracted, _none).
func (c *call) pollVoteLine(poll *storage.Poll, action storage.VoteAction, o storage.PollOption) string {
	k := voteLineKey{lang: c.Lang, key: "poll_voted_" + string(action), label: o.Label, poll: poll.ID,
		number: o.Position, console: c.Req.Identity.Platform == storage.PlatformConsole} // SlashData's Console
	if s, ok := c.s.lines.get(k); ok {
		return s
	}
	d := c.SlashData()
	d["ID"], d["Option"], d["Number"] = poll.ID, c.pollQuote(o.Label), o.Position
	s := c.T(k.key, d)
	if !strings.HasPrefix(s, "poll_voted_") { // a catalog gap shows as the id: not kept
		c.s.lines.put(k, s)
	}
	return s
}
