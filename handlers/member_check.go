package handlers

import (
	"context"
	"errors"

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
	_, err := s.store.MemberByIdentity(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.log.Warn("member check", "identity", id.String(), "err", err)
	}
	return err == nil
}
