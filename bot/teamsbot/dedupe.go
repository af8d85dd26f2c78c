package teamsbot

import (
	"container/list"
	"sync"
	"time"
)

// The Bot Framework redelivers an activity the bot was slow to answer. A
// redelivered vote would toggle the vote back, so activities are
// remembered by id for dedupeTTL, at most dedupeMax of them.
const (
	dedupeTTL = time.Hour
	dedupeMax = 20000
)

// delivery is the first delivery of an activity. done is closed when it
// has been answered; resp, set before that, is its invoke response, so a
// redelivered invoke can show the same result.
type delivery struct {
	done chan struct{}
	resp *invokeResponse
}

// finish records the answer and releases the redeliveries waiting on it.
func (d *delivery) finish(resp *invokeResponse) {
	d.resp = resp
	close(d.done)
}

// deliveries is a bounded set of recent activity keys with expiry. When
// full it forgets the oldest, so memory stays bounded whatever arrives. It
// is safe for concurrent use.
type deliveries struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	items map[string]*list.Element
	order *list.List // of *seenKey, front is the oldest
}

type seenKey struct {
	key     string
	d       *delivery
	expires time.Time
}

func newDeliveries(ttl time.Duration, max int, now func() time.Time) *deliveries {
	return &deliveries{ttl: ttl, max: max, now: now, items: map[string]*list.Element{}, order: list.New()}
}

// claim returns the delivery for key and whether the caller is the first
// to see it: the first must finish it, later callers only wait on it.
func (s *deliveries) claim(key string) (*delivery, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if el, ok := s.items[key]; ok {
		return el.Value.(*seenKey).d, false
	}
	d := &delivery{done: make(chan struct{})}
	s.items[key] = s.order.PushBack(&seenKey{key: key, d: d, expires: now.Add(s.ttl)})
	for s.order.Len() > s.max {
		s.drop(s.order.Front())
	}
	return d, true
}

// expire drops the expired entries; they are the oldest, at the front.
func (s *deliveries) expire(now time.Time) {
	for el := s.order.Front(); el != nil && !now.Before(el.Value.(*seenKey).expires); el = s.order.Front() {
		s.drop(el)
	}
}

func (s *deliveries) drop(el *list.Element) {
	s.order.Remove(el)
	delete(s.items, el.Value.(*seenKey).key)
}

// len returns the number of remembered keys.
func (s *deliveries) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

// deliveryKey identifies an activity across redeliveries. Activity ids are
// only unique within a conversation. Activities without an id are not
// deduplicated.
func deliveryKey(act *activity) string {
	if act.ID == "" {
		return ""
	}
	return act.Conversation.ID + "\x00" + act.Type + "\x00" + act.ID
}
