package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"copbot/storage"
)

// lookupMargin widens a look-up window for clock differences between the
// bot and the platform.
const lookupMargin = time.Minute

// ledger is the delivery ledger's side in this process: the database
// holds each keyed post's attempts and outcomes; unrecorded remembers the
// posts that went out but whose sent record the database refused, so that
// a retry in this process does not post them again on a platform that
// cannot look them up.
type ledger struct {
	store *storage.DB
	log   *slog.Logger

	mu         sync.Mutex
	unrecorded map[string]MessageRef // key + "\x00" + platform
}

func (u *ledger) get(key string, p storage.Platform) (MessageRef, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	ref, ok := u.unrecorded[key+"\x00"+string(p)]
	return ref, ok
}

func (u *ledger) set(key string, p storage.Platform, ref MessageRef, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.unrecorded == nil {
		u.unrecorded = map[string]MessageRef{}
	}
	if ok {
		u.unrecorded[key+"\x00"+string(p)] = ref
	} else {
		delete(u.unrecorded, key+"\x00"+string(p))
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
	l := &s.ledger
	prev, err := l.deliveries(ctx, key)
	if err != nil {
		return nil, err
	}
	var refs []MessageRef
	var errs []error
	for _, ch := range chans {
		ref, err := l.postOnceTo(ctx, ch, key, prev[ch.Platform()], r)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Platform(), err))
			continue
		}
		refs = append(refs, ref)
	}
	return refs, errors.Join(errs...)
}

func (l *ledger) deliveries(ctx context.Context, key string) (map[storage.Platform]*storage.Delivery, error) {
	ds, err := l.store.Deliveries(ctx, key)
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
func (l *ledger) postOnceTo(ctx context.Context, ch KeyedChannel, key string, prev *storage.Delivery, r Reply) (MessageRef, error) {
	p := ch.Platform()
	if ref, ok := l.get(key, p); ok {
		return ref, l.recordSent(ctx, key, ref)
	}
	if prev != nil && prev.Status == storage.DeliverySent {
		return sentRef(prev), nil
	}
	if prev.Uncertain() {
		if ref, found, err := l.lookUp(ctx, ch, key, prev); found || err != nil {
			return ref, err
		}
	}
	if _, err := l.store.BeginDelivery(ctx, key, p); err != nil {
		if now, rerr := l.deliveries(ctx, key); rerr == nil && now[p] != nil && now[p].Status == storage.DeliverySent {
			return sentRef(now[p]), nil // another process recorded it meanwhile
		}
		return MessageRef{}, fmt.Errorf("recording the attempt: %w", err)
	}
	ref, err := ch.PostKeyed(ctx, key, r)
	if err != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := l.store.RecordDeliveryFailed(rctx, key, p, err.Error()); rerr != nil {
			l.log.Error("recording a failed post", "key", key, "platform", p, "err", rerr)
		}
		return MessageRef{}, err
	}
	return ref, l.recordSent(ctx, key, ref)
}

// lookUp resolves an uncertain earlier attempt (prev) by searching the
// channel for key. found means the post is there (and is now recorded); a
// non-nil error means the search failed and nothing must be posted now.
// Neither means post: it is not there, or the platform cannot tell.
func (l *ledger) lookUp(ctx context.Context, ch KeyedChannel, key string, prev *storage.Delivery) (MessageRef, bool, error) {
	p := ch.Platform()
	ref, found, err := ch.FindKeyed(ctx, key, prev.FirstAt.Add(-lookupMargin))
	switch {
	case found:
		l.log.Info("keyed post found after an uncertain attempt", "key", key, "platform", p, "id", ref.ID)
		return ref, true, l.recordSent(ctx, key, ref)
	case errors.Is(err, ErrNoLookup):
		l.log.Warn("posting again after an uncertain attempt: the platform cannot look it up", "key", key, "platform", p, "err", err)
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
func (l *ledger) recordSent(ctx context.Context, key string, ref MessageRef) error {
	err := l.store.RecordDeliverySent(ctx, key, storage.PostRef{Platform: ref.Platform, Channel: ref.Channel, ID: ref.ID})
	l.set(key, ref.Platform, ref, err != nil)
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
