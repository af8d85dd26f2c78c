package storage

import "context"

// MemberByIdentity returns the active or former member with that platform
// identity, or ErrNotFound.
func (d *DB) MemberByIdentity(ctx context.Context, id Identity) (*Member, error) {
	return nil, ErrNotFound
}

// IsCoordinator reports whether id was made a coordinator at run time.
func (d *DB) IsCoordinator(ctx context.Context, id Identity) (bool, error) {
	return false, nil
}
