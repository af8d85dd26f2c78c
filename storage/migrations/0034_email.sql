-- Email (issue 18): each member's own choice about receiving email, and
-- the secret of their one-click unsubscribe link (RFC 8058). wants is NULL
-- until the member chooses: the default then applies (email for members
-- with an address and no chat identity). token is random, unguessable and
-- good for one thing only: turning this member's email off. The row goes
-- with the member (forget me).
CREATE TABLE email_settings (
	member_id  INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	wants      INTEGER CHECK (wants IN (0, 1)),
	token      TEXT NOT NULL UNIQUE CHECK (length(token) >= 26),
	updated_at TEXT NOT NULL
);
