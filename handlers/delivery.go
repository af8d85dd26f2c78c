package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"copbot/storage"
)

// KeyedChannel is one platform's community channel, for posts that must
// appear there exactly once (reminders, poll results, poll cards, meeting
// announcements). Adapters implement it.
type KeyedChannel interface {
	// Platform names the channel's platform, the ledger's second key.
	Platform() storage.Platform
	// PostKeyed posts r carrying key (Slack message metadata) so that
	// FindKeyed can find the post again even if its answer was lost.
	PostKeyed(ctx context.Context, key string, r Reply) (MessageRef, error)
	// FindKeyed looks in the channel for a post carrying key made at or
	// after since. found is false with a nil error only when the platform
	// answered and no such post exists; ErrNoLookup means the platform
	// cannot look posts up at all.
	FindKeyed(ctx context.Context, key string, since time.Time) (ref MessageRef, found bool, err error)
}

// KeyedPoster is a Poster whose community channels can be posted to one
// by one with a key. A Poster that is not one gets keyed posts through
// Post, without the delivery ledger.
type KeyedPoster interface {
	KeyedChannels() []KeyedChannel
}

// ErrNoLookup is FindKeyed's answer on a platform that cannot read its
// channel back (Teams' Bot Connector). After an uncertain attempt there,
// the post is sent again: a lost answer can then show it twice.
var ErrNoLookup = errors.New("the platform cannot look posts up by key")

// lookupMargin widens a look-up window for clock differences between the
// bot and the platform.
const lookupMargin = time.Minute

// unrecorded remembers keyed posts that went out but whose sent record the
// database refused, so that a retry in this process does not post them
// again on a platform that cannot look them up.
type unrecorded struct {
	mu   sync.Mutex
	refs map[string]MessageRef // key + "\x00" + platform
}

func (u *unrecorded) get(key string, p storage.Platform) (MessageRef, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	ref, ok := u.refs[key+"\x00"+string(p)]
	return ref, ok
}

func (u *unrecorded) set(key string, p storage.Platform, ref MessageRef, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.refs == nil {
		u.refs = map[string]MessageRef{}
	}
	if ok {
		u.refs[key+"\x00"+string(p)] = ref
	} else {
		delete(u.refs, key+"\x00"+string(p))
	}
}

// PostOnce posts r under key to every community channel that does not
// have it yet, and returns where it is on each platform that has it. Per
// platform: a copy recorded as sent is left alone; after an attempt whose
// outcome is unknown the channel is searched for the key first; then the
// attempt is recorded (committed) before the post, and its outcome after.
// A platform that failed makes the error non-nil, with the refs of the
// others: calling PostOnce again retries only the missing platforms.
func (s *Service) PostOnce(ctx context.Context, key string, r Reply) ([]MessageRef, error) {
	poster := s.Poster()
	if poster == nil {
		return nil, errors.New("no platform to post to yet")
	}
	kp, ok := poster.(KeyedPoster)
	if !ok {
		return poster.Post(ctx, r)
	}
	chans := kp.KeyedChannels()
	if len(chans) == 0 {
		return nil, errors.New("no platform configured to post to")
	}
	prev, err := s.deliveries(ctx, key)
	if err != nil {
		return nil, err
	}
	var refs []MessageRef
	var errs []error
	for _, ch := range chans {
		ref, err := s.postOnceTo(ctx, ch, key, prev[ch.Platform()], r)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Platform(), err))
			continue
		}
		refs = append(refs, ref)
	}
	return refs, errors.Join(errs...)
}

func (s *Service) deliveries(ctx context.Context, key string) (map[storage.Platform]*storage.Delivery, error) {
	ds, err := s.store.Deliveries(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("reading the deliveries of %s: %w", key, err)
	}
	out := make(map[storage.Platform]*storage.Delivery, len(ds))
	for _, d := range ds {
		out[d.Platform] = d
	}
	return out, nil
}

// postOnceTo brings key to one channel (see postOnce).
func (s *Service) postOnceTo(ctx context.Context, ch KeyedChannel, key string, prev *storage.Delivery, r Reply) (MessageRef, error) {
	p := ch.Platform()
	if ref, ok := s.unrecorded.get(key, p); ok {
		return ref, s.recordSent(ctx, key, ref)
	}
	if prev != nil && prev.Status == storage.DeliverySent {
		return sentRef(prev), nil
	}
	if prev.Uncertain() {
		if ref, found, err := s.lookUp(ctx, ch, key, prev); found || err != nil {
			return ref, err
		}
	}
	if _, err := s.store.BeginDelivery(ctx, key, p); err != nil {
		if now, rerr := s.deliveries(ctx, key); rerr == nil && now[p] != nil && now[p].Status == storage.DeliverySent {
			return sentRef(now[p]), nil // another process recorded it meanwhile
		}
		return MessageRef{}, fmt.Errorf("recording the attempt: %w", err)
	}
	ref, err := ch.PostKeyed(ctx, key, r)
	if err != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := s.store.RecordDeliveryFailed(rctx, key, p, err.Error()); rerr != nil {
			s.log.Error("recording a failed post", "key", key, "platform", p, "err", rerr)
		}
		return MessageRef{}, err
	}
	return ref, s.recordSent(ctx, key, ref)
}

// lookUp resolves an uncertain earlier attempt (prev) by searching the
// channel for key. found means the post is there (and is now recorded); a
// non-nil error means the search failed and nothing must be posted now.
// Neither means post: it is not there, or the platform cannot tell.
func (s *Service) lookUp(ctx context.Context, ch KeyedChannel, key string, prev *storage.Delivery) (MessageRef, bool, error) {
	p := ch.Platform()
	ref, found, err := ch.FindKeyed(ctx, key, prev.FirstAt.Add(-lookupMargin))
	switch {
	case found:
		s.log.Info("keyed post found after an uncertain attempt", "key", key, "platform", p, "id", ref.ID)
		return ref, true, s.recordSent(ctx, key, ref)
	case errors.Is(err, ErrNoLookup):
		s.log.Warn("posting again after an uncertain attempt: the platform cannot look it up", "key", key, "platform", p, "err", err)
		return MessageRef{}, false, nil
	case err != nil:
		return MessageRef{}, false, fmt.Errorf("looking for %s before posting again: %w", key, err)
	}
	return MessageRef{}, false, nil
}

func sentRef(d *storage.Delivery) MessageRef {
	return MessageRef{Platform: d.Platform, Channel: d.Ref.Channel, ID: d.Ref.ID}
}

// recordSent records a post that went out; if the database refuses, the
// post is remembered so that the retry records it without posting again.
func (s *Service) recordSent(ctx context.Context, key string, ref MessageRef) error {
	err := s.store.RecordDeliverySent(ctx, key, storage.PostRef{Platform: ref.Platform, Channel: ref.Channel, ID: ref.ID})
	s.unrecorded.set(key, ref.Platform, ref, err != nil)
	if err != nil {
		return fmt.Errorf("recording %s as posted: %w", key, err)
	}
	return nil
}

// DeliveryLine is one platform's state of a keyed post, times in loc.
func (c *Call) DeliveryLine(loc *time.Location, d *storage.Delivery) string {
	var state string
	switch d.Status {
	case storage.DeliverySent:
		state = c.T("delivery_sent", map[string]any{"At": c.When(d.UpdatedAt, loc)})
	case storage.DeliveryFailed:
		state = c.T("delivery_failed", map[string]any{"At": c.When(d.StartedAt, loc), "Error": d.LastError})
	default:
		state = c.T("delivery_attempting", map[string]any{"At": c.When(d.StartedAt, loc)})
	}
	return c.T("delivery_line", map[string]any{"Platform": c.T("meeting_platform_"+string(d.Platform), nil), "State": state})
}
