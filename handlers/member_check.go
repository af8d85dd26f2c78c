package handlers

import (
	"context"

	"copbot/storage"
)

// IsMember reports whether id belongs to an active member. Adapters use it
// to skip platform look-ups that only matter for newcomers (a Slack
// locale: a member's saved language wins over it). A storage failure other
// than "not found" is logged and reported as false, so that the caller
// falls back to the look-up it would have made anyway.
func (s *Service) IsMember(ctx context.Context, id storage.Identity) bool {
	if id.IsZero() {
		return false
	}
	c, err := s.store.CallerByIdentity(ctx, id) // cached: the request's own lookup follows
	if err != nil {
		s.log.Warn("member check", "identity", id.String(), "err", err)
	}
	return c.Member != nil
}
