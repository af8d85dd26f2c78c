package slackbot

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire. When full it drops the
// oldest entry, so memory stays bounded whatever Slack sends; Sweep, run
// every sweepEvery by the adapter, drops expired entries even when no new
// one comes, so memory returns to what live entries need. It is safe for
// concurrent use.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	items map[string]*list.Element
	order *list.List // front is the oldest insertion
	peak  int        // most entries since the map was last rebuilt
}

// sweepEvery is how often the adapter sweeps its caches.
const sweepEvery = time.Minute

type ttlEntry[V any] struct {
	key     string
	val     V
	expires time.Time
}

func newTTLCache[V any](ttl time.Duration, max int, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, now: now, items: map[string]*list.Element{}, order: list.New()}
}

// Get returns the live value for key.
func (c *ttlCache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.live(key); ok {
		return e.val, true
	}
	var zero V
	return zero, false
}

// Put stores val under key for the cache's TTL.
func (c *ttlCache[V]) Put(key string, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(key, val)
}

// Add stores val only if key has no live entry, and reports whether it did:
// the first caller for a key wins, later ones see false.
func (c *ttlCache[V]) Add(key string, val V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.live(key); ok {
		return false
	}
	c.put(key, val)
	return true
}

// Len returns the number of entries, live or not yet evicted.
func (c *ttlCache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *ttlCache[V]) live(key string) (*ttlEntry[V], bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*ttlEntry[V])
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return nil, false
	}
	return e, true
}

func (c *ttlCache[V]) put(key string, val V) {
	now := c.now()
	c.expire(now)
	exp := now.Add(c.ttl)
	if el, ok := c.items[key]; ok {
		e := el.Value.(*ttlEntry[V])
		e.val, e.expires = val, exp
		c.order.MoveToBack(el)
		return
	}
	c.items[key] = c.order.PushBack(&ttlEntry[V]{key: key, val: val, expires: exp})
	c.peak = max(c.peak, len(c.items))
	for c.order.Len() > c.max {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*ttlEntry[V]).key)
	}
}

// expire drops expired entries from the front. Every entry lives for the
// same TTL, so the front is the first to expire and a sweep stops at the
// first live one; memory then follows the traffic of the last TTL.
func (c *ttlCache[V]) expire(now time.Time) {
	for el := c.order.Front(); el != nil && !now.Before(el.Value.(*ttlEntry[V]).expires); el = c.order.Front() {
		c.order.Remove(el)
		delete(c.items, el.Value.(*ttlEntry[V]).key)
	}
}

// Sweep drops the expired entries and, when fewer than a quarter of the
// most the map has held remain, copies them to a new map: a Go map keeps
// the buckets of its largest size.
func (c *ttlCache[V]) Sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(c.now())
	if len(c.items) >= c.peak/4 {
		return
	}
	items := make(map[string]*list.Element, len(c.items))
	for k, el := range c.items {
		items[k] = el
	}
	c.items, c.peak = items, len(items)
}

// every runs f every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}
