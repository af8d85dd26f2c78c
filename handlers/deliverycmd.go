package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"copbot/storage"
)

// PostKind is a kind of keyed community post a feature makes: its keys
// start with Prefix ("reminder:", "poll:"). Describe names one post for a
// coordinator ("the 24 h reminder of meeting #3"); Repost posts it again
// through PostOnce, where the ledger allows, and records where it went as
// the feature's own post does. Features list theirs in Parts.Posts.
type PostKind struct {
	Prefix   string
	Describe func(ctx context.Context, c *Call, key string) string
	Repost   func(ctx context.Context, key string) error
}

// DeliveryLine is one platform's state of a keyed post, times in loc: how
// it went, why the last attempt failed (translated, never an error's
// text), and for a copy left to a coordinator what to do about it.
func (c *Call) DeliveryLine(loc *time.Location, d *storage.Delivery) string {
	platform := c.T("meeting_platform_"+string(d.Platform), nil)
	at := c.When(d.StartedAt, loc)
	var state string
	switch d.Status {
	case storage.DeliverySent:
		state = c.T("delivery_sent", map[string]any{"At": c.When(d.UpdatedAt, loc)})
		if d.ResolvedBy != "" {
			state = c.T("delivery_confirmed", map[string]any{"At": c.When(d.UpdatedAt, loc)})
		}
	case storage.DeliveryFailed:
		state = c.T(failureKey(d.ErrorCode), map[string]any{"At": at, "Detail": d.LastError})
	case storage.DeliveryUncertain:
		state = c.T("delivery_uncertain", c.With(map[string]any{"Key": d.Key, "Platform": string(d.Platform)}))
	default:
		state = c.T("delivery_attempting", map[string]any{"At": at})
	}
	return c.T("delivery_line", map[string]any{"Platform": platform, "State": state})
}

// failureKey is the message of a failed attempt's code; an unknown code
// (from a newer copbot) reads as the plain "not posted yet".
func failureKey(code string) string {
	switch code {
	case storage.FailureLost, storage.FailureRefused, storage.FailureNotSent, storage.FailureRepost:
		return "delivery_failed_" + code
	}
	return "delivery_failed_unknown"
}

// deliveryCmd is the coordinators' command over posts the bot could not be
// sure of: `delivery` lists them; `delivery posted KEY [PLATFORM]` records
// one as found in the channel; `delivery repost KEY [PLATFORM]` posts it
// again now.
type deliveryCmd struct{ s *Service }

func (d deliveryCmd) command() *Command {
	return &Command{Names: []string{"delivery", "deliveries", "diffusion", "diffusions"}, Coordinator: true,
		HelpKey: "help_delivery", Run: d.run}
}

func (d deliveryCmd) run(ctx context.Context, c *Call) Reply {
	if len(c.Args) == 0 {
		return d.list(ctx, c)
	}
	var posted bool
	switch Fold(c.Args[0]) {
	case "posted", "publiee", "publie":
		posted = true
	case "repost", "republier", "republie":
	default:
		return c.ErrorReply("delivery_usage", c.SlashData())
	}
	if len(c.Args) < 2 || len(c.Args) > 3 {
		return c.ErrorReply("delivery_usage", c.SlashData())
	}
	dl, r, ok := d.pick(ctx, c, c.Args[1], c.Args[2:])
	if !ok {
		return r
	}
	if posted {
		return d.markPosted(ctx, c, dl)
	}
	return d.repost(ctx, c, dl)
}

// list shows every copy waiting for a coordinator.
func (d deliveryCmd) list(ctx context.Context, c *Call) Reply {
	ds, err := d.s.store.UncertainDeliveries(ctx)
	if err != nil {
		return c.Fail(err)
	}
	if len(ds) == 0 {
		return c.Reply("delivery", Ephemeral, Section{Text: c.T("delivery_none", nil)})
	}
	blocks := []Block{Header{Text: c.T("delivery_title", nil)}}
	for _, dl := range ds {
		blocks = append(blocks, Section{Text: d.describe(ctx, c, dl.Key) + "\n" + c.DeliveryLine(d.s.opts.Location, dl)})
	}
	return c.Reply("delivery", Ephemeral, blocks...)
}

// describe names the post under key, by its feature's words if any.
func (d deliveryCmd) describe(ctx context.Context, c *Call, key string) string {
	if k := d.s.reg.postKind(key); k != nil && k.Describe != nil {
		if s := k.Describe(ctx, c, key); s != "" {
			return s
		}
	}
	return "`" + key + "`"
}

// pick finds the copy of key a coordinator means: on the platform named,
// else the one copy that waits (uncertain, or failed).
func (d deliveryCmd) pick(ctx context.Context, c *Call, key string, platform []string) (*storage.Delivery, Reply, bool) {
	ds, err := d.s.store.Deliveries(ctx, key)
	if err != nil {
		return nil, c.Fail(err), false
	}
	var cands []*storage.Delivery
	for _, dl := range ds {
		switch {
		case len(platform) == 1 && Fold(platform[0]) == string(dl.Platform):
			return dl, Reply{}, true
		case len(platform) == 0 && (dl.Status == storage.DeliveryUncertain || dl.Status == storage.DeliveryFailed):
			cands = append(cands, dl)
		}
	}
	if len(cands) == 1 {
		return cands[0], Reply{}, true
	}
	data := c.With(map[string]any{"Key": key})
	if len(platform) == 0 && len(cands) > 1 {
		return nil, c.ErrorReply("delivery_error_which_platform", data), false
	}
	return nil, c.ErrorReply("delivery_error_no_such", data), false
}

func (d deliveryCmd) markPosted(ctx context.Context, c *Call, dl *storage.Delivery) Reply {
	if _, err := d.s.store.ResolveDelivery(ctx, dl.Key, dl.Platform, true, c.Req.Identity.String()); err != nil {
		return c.Fail(err)
	}
	d.s.log.Info("post confirmed in the channel by a coordinator", "key", dl.Key, "platform", dl.Platform,
		"by", c.Req.Identity.String())
	return c.Reply("delivery", Ephemeral, Section{Text: c.T("delivery_marked_posted",
		map[string]any{"What": d.describe(ctx, c, dl.Key), "Platform": c.T("meeting_platform_"+string(dl.Platform), nil)})})
}

// repost posts the copy again now, once: the coordinator checked that it
// is not in the channel. A lost answer again leaves it to them at once.
func (d deliveryCmd) repost(ctx context.Context, c *Call, dl *storage.Delivery) Reply {
	k := d.s.reg.postKind(dl.Key)
	if k == nil || k.Repost == nil {
		return c.ErrorReply("delivery_error_no_repost", c.With(map[string]any{"Key": dl.Key}))
	}
	if _, err := d.s.store.ResolveDelivery(ctx, dl.Key, dl.Platform, false, c.Req.Identity.String()); err != nil {
		return c.Fail(err)
	}
	err := k.Repost(ctx, dl.Key)
	d.s.log.Info("post sent again at a coordinator's request", "key", dl.Key, "platform", dl.Platform,
		"by", c.Req.Identity.String(), "err", err)
	now, rerr := d.s.ledger.deliveries(ctx, dl.Key)
	after := now[dl.Platform]
	switch {
	case rerr != nil:
		return c.Fail(rerr)
	case after != nil && after.Status == storage.DeliveryFailed && after.ErrorCode == storage.FailureLost:
		if err := d.s.store.MarkDeliveryUncertain(ctx, dl.Key, dl.Platform); err != nil {
			return c.Fail(err)
		}
		after.Status = storage.DeliveryUncertain
	case after != nil && after.Status == storage.DeliveryFailed && after.ErrorCode == storage.FailureRepost && err != nil:
		// The feature refused before any attempt (too late, gone): the
		// copy is the coordinator's to check again, as it was.
		if merr := d.s.store.MarkDeliveryUncertain(ctx, dl.Key, dl.Platform); merr != nil {
			d.s.log.Error("putting a post back to check", "key", dl.Key, "platform", dl.Platform, "err", merr)
		}
		return c.Fail(fmt.Errorf("reposting %s: %w", dl.Key, err))
	}
	what := d.describe(ctx, c, dl.Key)
	if after == nil {
		return c.Fail(errors.New("no delivery after a repost"))
	}
	return c.Reply("delivery", Ephemeral, Section{Text: c.T("delivery_reposted", map[string]any{"What": what})},
		Section{Text: c.DeliveryLine(d.s.opts.Location, after)})
}

// postKind is the installed kind whose prefix key starts with, or nil.
func (r *registry) postKind(key string) *PostKind {
	for i := range r.posts {
		if strings.HasPrefix(key, r.posts[i].Prefix) {
			return &r.posts[i]
		}
	}
	return nil
}
