-- One row that the health check rewrites, to prove the database takes
-- writes (a read-only file or a full disk fails here, not on a user's
-- command). See storage/health.go.
CREATE TABLE health_probe (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	checked_at TEXT NOT NULL
);
