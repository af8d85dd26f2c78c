-- Teams across tenants (issue 18): the community conversation learned in
-- each tenant when the app is installed in one of its teams. One per
-- tenant: the first team installed keeps it (a second team of the same
-- tenant does not replace it). tenant_id is stored in lower case, as Entra
-- tenant ids compare case-insensitively.
CREATE TABLE teams_communities (
	tenant_id   TEXT PRIMARY KEY CHECK (tenant_id <> '' AND tenant_id = lower(tenant_id)),
	service_url TEXT NOT NULL CHECK (service_url <> ''),
	channel_id  TEXT NOT NULL CHECK (channel_id <> ''),
	learned_at  TEXT NOT NULL
) WITHOUT ROWID;
