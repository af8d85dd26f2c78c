package slackbot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"copbot/handlers"
	"copbot/storage"
)

// Community posts across workspaces. With installs configured, a
// community post goes to the home workspace's channel ([slack] channel,
// bot_token) and to the community channel of every installed workspace,
// each with that workspace's token. The delivery ledger holds one row per
// key for Slack; each workspace's copy of a keyed post is recorded in the
// store (slack_posts) before it is sent and once it is, so that a retry,
// after a failure or a lost answer in one workspace, posts only the copies
// not known to be sent: an attempt whose answer was lost is first looked
// for in its own channel (its message metadata carries the key). A poll
// card's update reaches every copy.

// CopyStore records each workspace's copy of a keyed post. *storage.DB
// implements it.
type CopyStore interface {
	SlackPosts(ctx context.Context, key string) (map[string]storage.PostCopy, error)
	BeginSlackPost(ctx context.Context, key, team string) error
	RecordSlackPost(ctx context.Context, key, team, channel, ts string) error
	SlackPostCopies(ctx context.Context, channel, ts string) (map[string]storage.PostCopy, error)
}

// copyLookBack is how far before an attempt its copy is looked for: the
// attempt's time is recorded before the post, and clocks differ a little.
const copyLookBack = 10 * time.Minute

// postTarget is one workspace's community channel.
type postTarget struct {
	team    string // "" for the home workspace
	channel string
}

// perWorkspace reports whether community posts go to every installed
// workspace, recorded copy by copy.
func (a *Adapter) perWorkspace() bool { return a.installs() }

func (a *Adapter) copies() CopyStore { return a.cfg.Installs }

// postTargets are the community channels: the home workspace's first,
// then each installed workspace's that has one, in team order. A channel
// met twice (a workspace installed again with the home channel) is posted
// to once.
func (a *Adapter) postTargets(ctx context.Context) []postTarget {
	a.refreshChannels(ctx)
	var out []postTarget
	seen := map[string]bool{}
	if a.cfg.Channel != "" {
		out = append(out, postTarget{channel: a.cfg.Channel})
		seen[a.cfg.Channel] = true
	}
	for _, ws := range a.ws.all() {
		if ws.channel != "" && !seen[ws.channel] {
			out = append(out, postTarget{team: ws.team, channel: ws.channel})
			seen[ws.channel] = true
		}
	}
	return out
}

// refreshChannels takes the installed workspaces' community channels from
// the store, where `copbot slack channel` may have changed one since
// start: one read per community post, which are few.
func (a *Adapter) refreshChannels(ctx context.Context) {
	ws, err := a.cfg.Installs.SlackWorkspaces(ctx)
	if err != nil {
		a.log.Warn("slack: community channels not re-read; the known ones are used", "err", err)
		return
	}
	for _, w := range ws {
		if w.RemovedAt.IsZero() {
			a.ws.setChannel(w.TeamID, w.ChannelID)
		}
	}
}

var errNoChannel = errors.New("slack: no community channel: set [slack] channel, or install copbot in a workspace and pick one")

// postEverywhere posts r unkeyed in every community channel (Post).
func (a *Adapter) postEverywhere(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	targets := a.postTargets(ctx)
	if len(targets) == 0 {
		return nil, errNoChannel
	}
	var refs []handlers.MessageRef
	var errs []error
	for _, t := range targets {
		ch, ts, err := a.postMessage(withTeam(ctx, t.team), t.channel, "", r)
		if err != nil {
			a.goneIfRevoked(ctx, t.team, err)
			errs = append(errs, fmt.Errorf("slack chat.postMessage, workspace %q: %w", t.team, err))
			continue
		}
		refs = append(refs, handlers.MessageRef{Platform: storage.PlatformSlack, Channel: ch, ID: ts})
	}
	return refs, errors.Join(errs...)
}

// postWorkspaces posts r under key in every community channel without a
// sent copy and returns the first target's copy. A failure in one
// workspace does not stop the others; the error is then a lost answer if
// any copy's answer was lost (the ledger looks before it retries), else
// the first certain failure (the ledger retries, and only the missing
// copies are posted).
func (a *Adapter) postWorkspaces(ctx context.Context, key string, r handlers.Reply) (handlers.MessageRef, error) {
	targets := a.postTargets(ctx)
	if len(targets) == 0 {
		return handlers.MessageRef{}, handlers.NotSent("no_channel", errNoChannel)
	}
	prev, err := a.copies().SlackPosts(ctx, key)
	if err != nil {
		return handlers.MessageRef{}, handlers.NotSent("", fmt.Errorf("reading the copies of %s: %w", key, err))
	}
	var first handlers.MessageRef
	var lost, failed []error
	for i, t := range targets {
		ref, err := a.postWorkspace(withTeam(ctx, t.team), key, t, prev[t.team], r)
		switch {
		case err == nil && i == 0:
			first = ref
		case err == nil:
		case errors.As(err, new(*handlers.PostFailure)):
			failed = append(failed, fmt.Errorf("workspace %q: %w", t.team, err))
		default:
			lost = append(lost, fmt.Errorf("workspace %q: %w", t.team, err))
		}
	}
	switch {
	case len(lost) > 0:
		return handlers.MessageRef{}, errors.Join(append(lost, failed...)...)
	case len(failed) > 0:
		return handlers.MessageRef{}, failed[0]
	}
	return first, nil
}

// postWorkspace brings one workspace's copy: nothing if it is recorded as
// sent or found in the channel after a lost answer, else a post recorded
// before and after.
func (a *Adapter) postWorkspace(ctx context.Context, key string, t postTarget, prev storage.PostCopy, r handlers.Reply) (handlers.MessageRef, error) {
	if prev.Sent {
		return slackRef(prev.Conversation, prev.MessageID), nil
	}
	if prev.Attempts > 0 {
		ref, found, err := a.findIn(ctx, t.channel, key, prev.UpdatedAt.Add(-copyLookBack))
		switch {
		case found:
			return ref, a.recordCopy(ctx, key, t.team, ref)
		case errors.Is(err, handlers.ErrNoLookup):
			a.log.Warn("posting again in a workspace after a lost answer: its channel cannot be searched, the post may show twice there",
				"key", key, "team_id", t.team, "attempts", prev.Attempts, "err", err)
		case err != nil:
			return handlers.MessageRef{}, fmt.Errorf("looking for the copy before posting again: %w", err)
		}
	}
	s := a.copies()
	if err := s.BeginSlackPost(ctx, key, t.team); err != nil {
		return handlers.MessageRef{}, handlers.NotSent("", fmt.Errorf("recording the attempt: %w", err))
	}
	ref, err := a.postKeyedIn(ctx, t.channel, key, r)
	if err != nil {
		a.goneIfRevoked(ctx, t.team, err)
		return handlers.MessageRef{}, err
	}
	return ref, a.recordCopy(ctx, key, t.team, ref)
}

func (a *Adapter) recordCopy(ctx context.Context, key, team string, ref handlers.MessageRef) error {
	if err := a.copies().RecordSlackPost(ctx, key, team, ref.Channel, ref.ID); err != nil {
		// Posted, not recorded: a retry finds it in the channel.
		return fmt.Errorf("recording the post: %w", err)
	}
	return nil
}

// findWorkspaces answers FindKeyed across workspaces: found, with the
// first target's copy, when every target's copy is recorded or found in
// its channel (and is then recorded). A copy never attempted is not
// there; a channel that cannot be searched makes it ErrNoLookup.
func (a *Adapter) findWorkspaces(ctx context.Context, key string, since time.Time) (handlers.MessageRef, bool, error) {
	targets := a.postTargets(ctx)
	if len(targets) == 0 {
		return handlers.MessageRef{}, false, handlers.ErrNoLookup
	}
	prev, err := a.copies().SlackPosts(ctx, key)
	if err != nil {
		return handlers.MessageRef{}, false, err
	}
	var first handlers.MessageRef
	missing, blind := false, false
	for i, t := range targets {
		p := prev[t.team]
		ref := slackRef(p.Conversation, p.MessageID)
		switch {
		case p.Sent:
		case p.Attempts == 0:
			missing = true
			continue
		default:
			var found bool
			ref, found, err = a.findIn(withTeam(ctx, t.team), t.channel, key, since)
			switch {
			case found:
				if err := a.recordCopy(ctx, key, t.team, ref); err != nil {
					return handlers.MessageRef{}, false, err
				}
			case errors.Is(err, handlers.ErrNoLookup):
				blind = true
				continue
			case err != nil:
				return handlers.MessageRef{}, false, err
			default:
				missing = true
				continue
			}
		}
		if i == 0 {
			first = ref
		}
	}
	switch {
	case blind:
		return handlers.MessageRef{}, false, handlers.ErrNoLookup
	case missing:
		return handlers.MessageRef{}, false, nil
	}
	return first, true, nil
}

// updateCopies replaces every workspace's copy of the post that has the
// copy ref (a poll card's tally), each with its workspace's token. A post
// without recorded copies (posted before installs, or unkeyed) is updated
// where ref points. Copies in workspaces no longer installed are left.
func (a *Adapter) updateCopies(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	copies, err := a.copies().SlackPostCopies(ctx, ref.Channel, ref.ID)
	if err != nil {
		return fmt.Errorf("slack update: reading the copies: %w", err)
	}
	if len(copies) == 0 {
		return a.updateOne(ctx, ref.Channel, ref.ID, r)
	}
	var errs []error
	for team, p := range copies {
		if team != "" && a.ws.get(team) == nil {
			continue
		}
		if err := a.updateOne(withTeam(ctx, team), p.Conversation, p.MessageID, r); err != nil {
			a.goneIfRevoked(ctx, team, err)
			errs = append(errs, fmt.Errorf("workspace %q: %w", team, err))
		}
	}
	return errors.Join(errs...)
}

// postKeyedIn posts r in channel with message metadata carrying key, with
// ctx's workspace's client.
func (a *Adapter) postKeyedIn(ctx context.Context, channel, key string, r handlers.Reply) (handlers.MessageRef, error) {
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: PostEventType, EventPayload: map[string]any{"key": key}})
	ch, ts, err := a.postMessage(ctx, channel, "", r, meta)
	if err != nil {
		return handlers.MessageRef{}, postFailure(fmt.Errorf("slack chat.postMessage: %w", err))
	}
	return slackRef(ch, ts), nil
}

func slackRef(channel, ts string) handlers.MessageRef {
	return handlers.MessageRef{Platform: storage.PlatformSlack, Channel: channel, ID: ts}
}
