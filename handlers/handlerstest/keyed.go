package handlerstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Channel is one platform's community channel for keyed posts (a
// handlers.KeyedChannel). Posts that reach it are kept with their key,
// whatever happens to their answer; failing ones are not.
type Channel struct {
	platform storage.Platform
	// Lookup says whether FindKeyed works (Slack); else it answers
	// handlers.ErrNoLookup (Teams).
	Lookup bool

	mu       sync.Mutex
	keys     []string
	fails    int // the next fails posts fail before reaching the channel
	loses    int // the next loses posts reach it, but their answer is lost
	findErrs int // the next findErrs look-ups fail
}

// NewChannel is a channel on platform p; lookup as in Channel.Lookup.
func NewChannel(p storage.Platform, lookup bool) *Channel {
	return &Channel{platform: p, Lookup: lookup}
}

// Platform names the channel's platform.
func (c *Channel) Platform() storage.Platform { return c.platform }

// Fail makes the next n posts fail before reaching the channel: the
// platform refuses them (a 502, a handlers.PostFailure).
func (c *Channel) Fail(n int) { c.mu.Lock(); c.fails = n; c.mu.Unlock() }

// Lose makes the next n posts reach the channel but lose their answer.
func (c *Channel) Lose(n int) { c.mu.Lock(); c.loses = n; c.mu.Unlock() }

// FailFind makes the next n look-ups fail.
func (c *Channel) FailFind(n int) { c.mu.Lock(); c.findErrs = n; c.mu.Unlock() }

// PostKeyed posts as told by Fail and Lose.
func (c *Channel) PostKeyed(_ context.Context, key string, _ handlers.Reply) (handlers.MessageRef, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fails > 0 {
		c.fails--
		return handlers.MessageRef{}, handlers.Refused("HTTP 502", fmt.Errorf("%s: 502 Bad Gateway", c.platform))
	}
	c.keys = append(c.keys, key)
	if c.loses > 0 {
		c.loses--
		return handlers.MessageRef{}, fmt.Errorf("%s: context deadline exceeded", c.platform)
	}
	return c.ref(len(c.keys)), nil
}

func (c *Channel) ref(n int) handlers.MessageRef {
	return handlers.MessageRef{Platform: c.platform, Channel: "C-" + string(c.platform), ID: fmt.Sprint(n)}
}

// FindKeyed looks the channel up for key.
func (c *Channel) FindKeyed(_ context.Context, key string, _ time.Time) (handlers.MessageRef, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.Lookup {
		return handlers.MessageRef{}, false, handlers.ErrNoLookup
	}
	if c.findErrs > 0 {
		c.findErrs--
		return handlers.MessageRef{}, false, errors.New("conversations.history: 500")
	}
	for i, k := range c.keys {
		if k == key {
			return c.ref(i + 1), true, nil
		}
	}
	return handlers.MessageRef{}, false, nil
}

// Count is how many messages carrying key the channel shows.
func (c *Channel) Count(key string) int { return c.countIf(func(k string) bool { return k == key }) }

// CountPrefix is how many messages whose key starts with prefix it shows.
func (c *Channel) CountPrefix(prefix string) int {
	return c.countIf(func(k string) bool { return strings.HasPrefix(k, prefix) })
}

func (c *Channel) countIf(match func(string) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.keys {
		if match(k) {
			n++
		}
	}
	return n
}

// Fanout is the app's fanout over Channels: Post posts everywhere, every
// time (what a Poster without the ledger does), KeyedChannels is what
// Service.PostOnce uses.
type Fanout []*Channel

// KeyedChannels lists the channels.
func (f Fanout) KeyedChannels() []handlers.KeyedChannel {
	out := make([]handlers.KeyedChannel, len(f))
	for i, c := range f {
		out[i] = c
	}
	return out
}

// Post posts to every channel, without a key.
func (f Fanout) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	var refs []handlers.MessageRef
	var errs []error
	for _, c := range f {
		ref, err := c.PostKeyed(ctx, "", r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		refs = append(refs, ref)
	}
	return refs, errors.Join(errs...)
}

// Update does nothing.
func (f Fanout) Update(context.Context, handlers.MessageRef, handlers.Reply) error { return nil }
