package teamsbot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// Keyed posts across tenants. The delivery ledger (handlers/delivery.go)
// holds one row per key for Teams; Teams puts one copy in the community
// conversation of every served tenant that has one. Each copy is recorded
// in the store (teams_posts) before it is sent and once it is, so that a
// retry, after a failure or a lost answer in one tenant, posts only the
// copies not known to be sent: a tenant that has its copy never gets a
// second.

// perTenant reports whether keyed posts are recorded per tenant: with a
// store and served tenants configured.
func (a *Adapter) perTenant() bool { return a.cfg.Communities != nil && a.cfg.TenantID != "" }

// targets are the community conversations keyed posts go to: the home
// tenant's (configured or learned) first, then every other served
// tenant's that was learned, in allowed_tenants order.
func (a *Adapter) targets() ([]convRef, error) {
	home, err := a.community()
	if err != nil {
		return nil, err
	}
	home.TenantID = a.cfg.TenantID
	out := []convRef{home}
	for _, t := range a.cfg.AllowedTenants {
		if strings.EqualFold(t, a.cfg.TenantID) {
			continue
		}
		if ref := a.learned(t); ref.ChannelID != "" {
			out = append(out, ref)
		}
	}
	return out, nil
}

// postTenants posts c under key to every target without a sent copy and
// returns the home tenant's copy. A failure in one tenant does not stop
// the others; the error is then a lost answer if any copy's answer was
// lost (the ledger retries blind, once, only after looking), else the
// first certain failure (the ledger retries, and only the missing copies
// are posted).
func (a *Adapter) postTenants(ctx context.Context, key string, r handlers.Reply, c *card) (handlers.MessageRef, error) {
	targets, err := a.targets()
	if err != nil {
		return handlers.MessageRef{}, handlers.NotSent("no_channel", err)
	}
	s := a.cfg.Communities
	prev, err := s.TeamsPosts(ctx, key)
	if err != nil {
		return handlers.MessageRef{}, handlers.NotSent("", fmt.Errorf("reading the copies of %s: %w", key, err))
	}
	var home handlers.MessageRef
	var lost, failed []error
	for i, t := range targets {
		tenant := strings.ToLower(t.TenantID)
		ref, err := a.postTenant(ctx, key, t, prev[tenant], r, c)
		switch {
		case err == nil && i == 0:
			home = ref
		case err == nil:
		case errors.As(err, new(*handlers.PostFailure)):
			failed = append(failed, fmt.Errorf("tenant %s: %w", tenant, err))
		default:
			lost = append(lost, fmt.Errorf("tenant %s: %w", tenant, err))
		}
	}
	switch {
	case len(lost) > 0:
		return handlers.MessageRef{}, errors.Join(append(lost, failed...)...)
	case len(failed) > 0:
		return handlers.MessageRef{}, failed[0]
	}
	return home, nil
}

// postTenant posts one tenant's copy unless it is recorded as sent.
func (a *Adapter) postTenant(ctx context.Context, key string, t convRef, prev storage.TeamsPost, r handlers.Reply, c *card) (handlers.MessageRef, error) {
	tenant := strings.ToLower(t.TenantID)
	if prev.Sent {
		return handlers.MessageRef{Platform: storage.PlatformTeams, Channel: prev.Conversation, ID: prev.MessageID}, nil
	}
	if prev.Attempts > 0 {
		a.log.Warn("posting again in a tenant after a lost answer: the post may show twice there",
			"key", key, "tenant_id", tenant, "attempts", prev.Attempts)
	}
	s := a.cfg.Communities
	if err := s.BeginTeamsPost(ctx, key, tenant); err != nil {
		return handlers.MessageRef{}, handlers.NotSent("", fmt.Errorf("recording the attempt: %w", err))
	}
	refs, err := a.postCardTo(ctx, t, r, c)
	if err != nil {
		return handlers.MessageRef{}, postFailure(err)
	}
	if err := s.RecordTeamsPost(ctx, key, tenant, refs[0].Channel, refs[0].ID); err != nil {
		// Posted, not recorded: a retry will see an attempt without an answer.
		return handlers.MessageRef{}, fmt.Errorf("recording the post: %w", err)
	}
	return refs[0], nil
}

// findTenants answers FindKeyed from the recorded copies: found, with the
// home tenant's copy, when every target's copy is recorded as sent. alone
// reports that there is one target only, which Microsoft Graph may then
// look in; with several, an unrecorded copy cannot be looked for.
func (a *Adapter) findTenants(ctx context.Context, key string) (ref handlers.MessageRef, found, alone bool, err error) {
	targets, err := a.targets()
	if err != nil {
		return ref, false, false, handlers.ErrNoLookup
	}
	prev, err := a.cfg.Communities.TeamsPosts(ctx, key)
	if err != nil {
		return ref, false, false, err
	}
	for i, t := range targets {
		p := prev[strings.ToLower(t.TenantID)]
		if !p.Sent {
			return handlers.MessageRef{}, false, len(targets) == 1, errorIfMany(len(targets))
		}
		if i == 0 {
			ref = handlers.MessageRef{Platform: storage.PlatformTeams, Channel: p.Conversation, ID: p.MessageID}
		}
	}
	return ref, true, len(targets) == 1, nil
}

func errorIfMany(n int) error {
	if n > 1 {
		return handlers.ErrNoLookup
	}
	return nil
}

// updateOtherTenants replaces the other tenants' copies of the keyed post
// whose home copy is ref (a poll card's tally), each through its tenant's
// connector. Copies of tenants no longer served are left alone.
func (a *Adapter) updateOtherTenants(ctx context.Context, ref handlers.MessageRef, r handlers.Reply, c *card) error {
	if !a.perTenant() {
		return nil
	}
	copies, err := a.cfg.Communities.TeamsPostCopies(ctx, ref.Channel, ref.ID)
	if err != nil {
		return fmt.Errorf("teams update: reading the other tenants' copies: %w", err)
	}
	var errs []error
	for _, t := range a.cfg.AllowedTenants {
		p, ok := copies[strings.ToLower(t)]
		if !ok || strings.EqualFold(t, a.cfg.TenantID) {
			continue
		}
		com := a.learned(t)
		if com.ServiceURL == "" {
			continue
		}
		if err := a.update(ctx, com.ServiceURL, p.Conversation, p.MessageID, r, c); err != nil {
			errs = append(errs, fmt.Errorf("teams update, tenant %s: %w", p.TenantID, err))
		}
	}
	return errors.Join(errs...)
}
