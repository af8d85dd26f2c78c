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

// RetryGrace is how long a feature's retry job leaves a keyed post alone
// after the attempt that made it began: longer than one attempt takes, so
// that the job never races the command that posts.
const RetryGrace = time.Minute

// ErrUncertain is PostOnce's error for a platform where the post's answers
// were lost and the channel cannot be searched: the bot does not post it
// again by itself, a coordinator checks the channel (the delivery command).
var ErrUncertain = errors.New("no answer came and the channel cannot be searched: left to a coordinator to check")

// errLost marks a failed attempt whose answer was lost.
var errLost = errors.New("no answer: the post may be in the channel")

// Unsettled reports whether err, from PostOnce, leaves work for a retry:
// some platform failed other than by being left to a coordinator. A timed
// job is done when its PostOnce error is not Unsettled.
func Unsettled(err error) bool {
	if err == nil {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if Unsettled(e) {
				return true
			}
		}
		return false
	}
	return !errors.Is(err, ErrUncertain)
}

// MayHavePosted reports whether err, from PostOnce, may hide a copy in a
// channel: an answer was lost, or a copy is left to a coordinator. A post
// that failed without it certainly reached no channel it did not return.
func MayHavePosted(err error) bool { return errors.Is(err, errLost) || errors.Is(err, ErrUncertain) }

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
// Where the channel cannot be searched, a post whose answer was lost is
// posted again once at most: after a second lost answer the copy is left
// to a coordinator who checks the channel (ErrUncertain, and the delivery
// command). A platform that failed makes the error non-nil, with the refs
// of the others: calling PostOnce again retries only the missing
// platforms (see Unsettled and MayHavePosted for what the error says).
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

// postOnceTo brings key to one channel (see PostOnce).
func (l *ledger) postOnceTo(ctx context.Context, ch KeyedChannel, key string, prev *storage.Delivery, r Reply) (MessageRef, error) {
	p := ch.Platform()
	if ref, ok := l.get(key, p); ok {
		return ref, l.recordSent(ctx, key, ref)
	}
	switch {
	case prev == nil:
	case prev.Status == storage.DeliverySent:
		return sentRef(prev), nil
	case prev.Status == storage.DeliveryUncertain:
		return MessageRef{}, ErrUncertain
	}
	blind := false // the channel cannot be searched: a lost answer may hide a copy
	if prev.Uncertain() {
		ref, found, err := l.lookUp(ctx, ch, key, prev)
		switch {
		case found || (err != nil && !errors.Is(err, ErrNoLookup)):
			return ref, err
		case err != nil:
			blind = true
			if prev.LostAttempts() >= maxLostAnswers {
				return MessageRef{}, l.giveUp(ctx, key, p, prev.LostAttempts())
			}
			l.log.Warn("posting again after a lost answer: the platform cannot look it up", "key", key,
				"platform", p, "lost", prev.LostAttempts(), "err", err)
		}
	}
	if _, err := l.store.BeginDelivery(ctx, key, p); err != nil {
		switch now, rerr := l.deliveries(ctx, key); {
		case rerr == nil && now[p] != nil && now[p].Status == storage.DeliverySent:
			return sentRef(now[p]), nil // another process recorded it meanwhile
		case rerr == nil && now[p] != nil && now[p].Status == storage.DeliveryUncertain:
			return MessageRef{}, ErrUncertain
		}
		return MessageRef{}, fmt.Errorf("recording the attempt: %w", err)
	}
	ref, err := ch.PostKeyed(ctx, key, r)
	if err != nil {
		return MessageRef{}, l.failed(ctx, key, p, prev.LostAttempts()+1, blind, err)
	}
	return ref, l.recordSent(ctx, key, ref)
}

// maxLostAnswers is how many attempts of one post may lose their answer
// on a platform that cannot be searched: the first, and one retry.
const maxLostAnswers = 2

// failed records an attempt's failure, err from PostKeyed, as the
// platform's refusal, a post that never left, or a lost answer (anything
// else: the post may be in the channel). lost is how many attempts lost
// their answer if this one did; blind says the channel cannot be searched,
// so that reaching maxLostAnswers leaves the copy to a coordinator at once.
func (l *ledger) failed(ctx context.Context, key string, p storage.Platform, lost int, blind bool, err error) error {
	code, detail := FailureCode(err)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := l.store.RecordDeliveryFailure(rctx, key, p, code, detail); rerr != nil {
		l.log.Error("recording a failed post", "key", key, "platform", p, "err", rerr)
	}
	switch {
	case code != storage.FailureLost:
		return err
	case blind && lost >= maxLostAnswers:
		return fmt.Errorf("%w (%w)", l.giveUp(rctx, key, p, lost), err)
	}
	return fmt.Errorf("%w: %w", errLost, err)
}

// giveUp leaves key's copy on p to a coordinator: lost answers there, and
// no way to search the channel.
func (l *ledger) giveUp(ctx context.Context, key string, p storage.Platform, lost int) error {
	l.log.Warn("post left to a coordinator to check: answers lost and the platform cannot look it up",
		"key", key, "platform", p, "lost", lost)
	if err := l.store.MarkDeliveryUncertain(ctx, key, p); err != nil {
		return fmt.Errorf("leaving %s to a coordinator: %w", key, err)
	}
	return ErrUncertain
}

// lookUp resolves an uncertain earlier attempt (prev) by searching the
// channel for key. found means the post is there (and is now recorded); a
// non-nil error means the search failed (ErrNoLookup: it cannot be done).
// Neither means it is not there.
func (l *ledger) lookUp(ctx context.Context, ch KeyedChannel, key string, prev *storage.Delivery) (MessageRef, bool, error) {
	p := ch.Platform()
	ref, found, err := ch.FindKeyed(ctx, key, prev.FirstAt.Add(-lookupMargin))
	switch {
	case found:
		l.log.Info("keyed post found after an uncertain attempt", "key", key, "platform", p, "id", ref.ID)
		return ref, true, l.recordSent(ctx, key, ref)
	case errors.Is(err, ErrNoLookup):
		return MessageRef{}, false, err
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

// Reconcile finds where the post under key is, before its owner decides
// something that depends on it (deleting a poll whose card may be live):
// the copies recorded as sent, and those an earlier attempt left unsure,
// looked up in their channel and recorded when found. unsure lists the
// platforms where a copy may be in the channel but cannot be looked for.
func (s *Service) Reconcile(ctx context.Context, key string) (found []MessageRef, unsure []storage.Platform, err error) {
	kp, _ := s.Poster().(KeyedPoster)
	if kp == nil {
		return nil, nil, nil
	}
	l := &s.ledger
	prev, err := l.deliveries(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for _, ch := range kp.KeyedChannels() {
		d := prev[ch.Platform()]
		switch {
		case d == nil:
		case d.Status == storage.DeliverySent:
			if d.Ref.ID != "" {
				found = append(found, sentRef(d))
			}
		case d.Uncertain():
			ref, ok, err := l.lookUp(ctx, ch, key, d)
			switch {
			case ok:
				found = append(found, ref)
			case errors.Is(err, ErrNoLookup) && (d.LostAttempts() > 0 || d.Status == storage.DeliveryUncertain):
				unsure = append(unsure, ch.Platform())
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %w", ch.Platform(), err))
			}
		}
	}
	return found, unsure, errors.Join(errs...)
}
