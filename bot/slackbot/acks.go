package slackbot

import (
	"encoding/json"
	"sync"

	"github.com/slack-go/slack"
)

// encodedAck is an acknowledgement payload already encoded as JSON:
// writeAck sends it as it is, and Socket Mode's envelope embeds it.
type encodedAck []byte

func (e encodedAck) MarshalJSON() ([]byte, error) { return e, nil }

// ackCacheSize bounds the encoded acknowledgements kept: the replies the
// core caches (see handlers.Reply.Key) at one directory version.
const ackCacheSize = 256

// ackCache keeps the acknowledgement payloads of replies that carry a Key
// (and hand over no file), encoded once. Its zero value is ready. Keys name a directory version, so
// an entry is never wrong, only unused once the directory changes; when
// full the cache starts afresh.
type ackCache struct {
	mu sync.Mutex
	m  map[string]encodedAck
}

// get returns the acknowledgement encoded for key, if any.
func (c *ackCache) get(key string) (encodedAck, bool) {
	if key == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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
	if c.m == nil || len(c.m) >= ackCacheSize {
		c.m = make(map[string]encodedAck)
	}
	c.m[key] = raw
	return encodedAck(raw)
}
