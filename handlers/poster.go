package handlers

import (
	"context"
	"errors"
	"time"

	"copbot/storage"
)

// Request is one command or question from a user on some platform.
type Request struct {
	Identity  storage.Identity
	UserName  string // display name on the platform, a default for join
	Locale    string // platform locale hint ("fr-CA"), used for non-members
	ChannelID string // where the command was typed, if anywhere
	Text      string // the command text, with or without the leading "/cop"
	// Caller is the caller as the adapter already looked them up for this
	// request (Service.LookUp), so that the request looks them up once;
	// nil to look them up.
	Caller *Caller
}

// MessageRef points at a message an adapter posted, so it can be updated.
type MessageRef struct {
	Platform storage.Platform
	Channel  string
	ID       string // Slack ts, Teams activity id, console line number
}

// Poster posts to the community channel of one or more platforms. Adapters
// implement it; the app fans it out over every configured platform.
type Poster interface {
	// Post publishes r to the community channel and returns where it went.
	// With several platforms it may succeed on some and fail on others: it
	// then returns the refs of the posts made AND a non-nil error. Callers
	// must not post again where it went (that would double the message).
	Post(ctx context.Context, r Reply) ([]MessageRef, error)
	// Update replaces a message posted earlier.
	Update(ctx context.Context, ref MessageRef, r Reply) error
}

// DirectMessenger is implemented by Posters that can also write to one
// person privately (a Slack DM, a Teams 1:1 chat). Poll reminders then go
// to each member who has not voted; with a Poster that cannot, one
// reminder is posted to the community channel instead.
type DirectMessenger interface {
	Direct(ctx context.Context, to storage.Identity, r Reply) error
}

// KeyedChannel is one platform's community channel, for posts that must
// appear there exactly once (reminders, poll results, poll cards, meeting
// announcements). Adapters implement it.
type KeyedChannel interface {
	// Platform names the channel's platform, the ledger's second key.
	Platform() storage.Platform
	// PostKeyed posts r carrying key (Slack message metadata) so that
	// FindKeyed can find the post again even if its answer was lost. A
	// failure that certainly did not post is a *PostFailure (the platform
	// refused it, or it was never sent); any other error is taken as a
	// lost answer: the post may be in the channel.
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

// PostFailure is a post that certainly did not reach the channel: the
// platform answered with a refusal, or the request never left. Adapters
// return it from PostKeyed (see Refused and NotSent) so that the delivery
// ledger can tell it from a lost answer, after which the post may be there.
type PostFailure struct {
	Refused bool   // the platform answered with an error; else it was never sent
	Detail  string // the platform's own word for it ("HTTP 429", "channel_not_found"), shown as is
	Err     error
}

func (f *PostFailure) Error() string { return f.Err.Error() }

// FailureCode says how the ledger records err, a failed send: the
// platform's refusal or a send that never left (a PostFailure, with its
// detail), else a lost answer (the message may have arrived).
func FailureCode(err error) (code, detail string) {
	var pf *PostFailure
	if !errors.As(err, &pf) {
		return storage.FailureLost, ""
	}
	if pf.Refused {
		return storage.FailureRefused, pf.Detail
	}
	return storage.FailureNotSent, pf.Detail
}
func (f *PostFailure) Unwrap() error { return f.Err }

// Refused marks err as the platform's refusal of a post, detail its own
// code for it: nothing was posted.
func Refused(detail string, err error) error {
	return &PostFailure{Refused: true, Detail: detail, Err: err}
}

// NotSent marks err as a post that never left (no connection, no token, no
// channel to post to), detail a short code if any: nothing was posted.
func NotSent(detail string, err error) error { return &PostFailure{Detail: detail, Err: err} }
