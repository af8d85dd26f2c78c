package slackbot

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// encodedAck is an acknowledgement payload already encoded as JSON:
// writeAck sends it as it is, and Socket Mode's envelope embeds it.
type encodedAck []byte

func (e encodedAck) MarshalJSON() ([]byte, error) { return e, nil }

// ackCacheSize bounds the encoded acknowledgements kept: the replies the
// core caches (see handlers.Reply.Key) at one version.
const ackCacheSize = 256

// ackCacheTTL is how long the cache lives before it starts afresh, so that
// acknowledgements nobody asks for again do not stay in memory.
const ackCacheTTL = 10 * time.Minute

// ackCache keeps the acknowledgement payloads of replies that carry a Key
// (and hand over no file), encoded once. Keys name the version a reply was
// read at (the directory's, or the meetings') and the time it holds until,
// so an entry is never wrong, only unused once its reply changes; when
// full or older than ackCacheTTL the cache starts afresh.
type ackCache struct {
	now     func() time.Time
	mu      sync.Mutex
	started time.Time
	m       map[string]encodedAck
}

// get returns the acknowledgement encoded for key, if any.
func (c *ackCache) get(key string) (encodedAck, bool) {
	if key == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now().Sub(c.started) >= ackCacheTTL {
		return nil, false
	}
	b, ok := c.m[key]
	return b, ok
}

// put encodes m, the acknowledgement of the reply named key, and keeps it;
// with no key it returns m as it is.
func (c *ackCache) put(key string, m *slack.WebhookMessage) any {
	if key == "" {
		return m
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return m // writeAck logs it
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); c.m == nil || len(c.m) >= ackCacheSize || now.Sub(c.started) >= ackCacheTTL {
		c.started, c.m = now, make(map[string]encodedAck)
	}
	c.m[key] = raw
	return encodedAck(raw)
}
