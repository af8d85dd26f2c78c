-- The problems and challenges register of the report to the Council.
-- kind 'coverage' is the one challenge copbot keeps itself: the provinces
-- and territories without a representative (jurisdictions, comma-separated
-- codes in reference order). Its problem and action_plan may stay empty,
-- which means the translated defaults. At most one coverage challenge is
-- open at a time.
CREATE TABLE challenges (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL DEFAULT 'manual' CHECK (kind IN ('manual', 'coverage')),
	problem       TEXT NOT NULL DEFAULT '',
	jurisdictions TEXT NOT NULL DEFAULT '',
	criticality   TEXT NOT NULL CHECK (criticality IN ('low', 'medium', 'high')),
	incidence     TEXT NOT NULL DEFAULT '',
	action_plan   TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	opened_at     TEXT NOT NULL,
	closed_at     TEXT,
	updated_at    TEXT NOT NULL,
	CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
	CHECK (kind = 'coverage' OR problem <> '')
);

CREATE UNIQUE INDEX challenges_coverage_open ON challenges (kind) WHERE kind = 'coverage' AND status = 'open';
