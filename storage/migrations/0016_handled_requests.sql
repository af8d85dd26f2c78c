-- Requests copbot has acted on: a verified Slack signature, a Socket Mode
-- envelope, an Events API event, a Teams activity. A replay or a
-- redelivery, even after a restart, finds its key here and does nothing
-- (storage/requests.go). Keys are SHA-256 digests, so no user id or text
-- is kept; rows expire when the platform can no longer send the request
-- again and are pruned.
CREATE TABLE handled_requests (
	key     BLOB PRIMARY KEY,
	attempt INTEGER NOT NULL, -- the delivery that recorded it
	expires INTEGER NOT NULL  -- unix seconds
) WITHOUT ROWID;

CREATE INDEX handled_requests_expires ON handled_requests (expires);
