-- Teams across tenants (issue 18): each tenant's copy of a keyed post
-- (reminders, polls, announcements). The deliveries ledger holds one row
-- per key and platform; Teams posts one copy in every tenant's community
-- conversation, and a retry must post only the copies not yet sent.
-- tenant_id is lower case, like teams_communities.
CREATE TABLE teams_posts (
	key          TEXT NOT NULL,
	tenant_id    TEXT NOT NULL CHECK (tenant_id <> '' AND tenant_id = lower(tenant_id)),
	status       TEXT NOT NULL CHECK (status IN ('attempting', 'sent')),
	attempts     INTEGER NOT NULL DEFAULT 1,
	conversation TEXT NOT NULL DEFAULT '',
	message_id   TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (key, tenant_id)
) WITHOUT ROWID;
