package storage

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// migrationsBefore returns the migrations whose names sort before name.
func migrationsBefore(name string) []string {
	all := migrations()
	i := slices.IndexFunc(all, func(n string) bool { return strings.TrimPrefix(n, "migrations/") >= name })
	if i < 0 {
		return all
	}
	return all[:i]
}

// openMigratedTo makes a database at path with the migrations before name
// only, as a copbot of that time left it.
func openMigratedTo(t *testing.T, path, name string) *DB {
	t.Helper()
	d := connect(path, nil)
	t.Cleanup(func() { d.Close() })
	if err := d.migrate(context.Background(), migrationsBefore(name)); err != nil {
		t.Fatal(err)
	}
	return d
}

// fill0015 writes rows in every table of the schema as of migration 0015,
// with gaps in the ids (deleted rows), through plain SQL: the code of today
// may need columns that schema lacks.
const fill0015 = `
INSERT INTO organizations (id, name, name_key, ord, jurisdiction) VALUES
	(1, 'ServiceOntario', 'serviceontario', 'provincial', 'ON'), (2, 'Service Canada', 'servicecanada', 'federal', 'CA');
INSERT INTO members (id, name, name_key, email, organization_id, ord, jurisdiction, language, slack_id, joined_at, updated_at) VALUES
	(1, 'Marie Tremblay', 'marietremblay', 'marie@ontario.ca', 1, 'provincial', 'ON', 'fr', 'U1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	(4, 'Jean Roy', 'jeanroy', NULL, 2, 'federal', 'CA', 'en', 'U4', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z');
INSERT INTO members (id, name, name_key, organization_id, ord, jurisdiction, teams_id, joined_at, left_at, updated_at) VALUES
	(7, 'Ex Member', 'exmember', 1, 'provincial', 'ON', 'T7', '2026-01-03T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');
INSERT INTO coordinators (platform, id, added_by, added_at) VALUES ('slack', 'U1', '', '2026-01-01T00:00:00Z');
INSERT INTO meetings (id, title, starts_at, zone, duration_seconds, created_by, created_at, updated_at) VALUES
	(3, 'Quarterly', '2027-03-10T17:00:00Z', 'America/Toronto', 5400, 'slack:U1', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'),
	(5, 'Later', '2027-06-10T17:00:00Z', 'America/Toronto', 3600, 'slack:U1', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z');
INSERT INTO reminders (id, meeting_id, offset_seconds, starts_at, due_at, created_at, updated_at) VALUES
	(2, 3, 86400, '2027-03-10T17:00:00Z', '2027-03-09T17:00:00Z', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'),
	(9, 5, 86400, '2027-06-10T17:00:00Z', '2027-06-09T17:00:00Z', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z');
INSERT INTO rsvps (meeting_id, member_id, answer, updated_at) VALUES (3, 1, 'yes', '2026-01-06T00:00:00Z'), (3, 4, 'no', '2026-01-06T00:00:00Z');
INSERT INTO meeting_records (meeting_id, held, format, panelists, key_points, attendance, updated_by, updated_at) VALUES
	(3, 1, 'panel', '["ON"]', '["point"]', 12, 'slack:U1', '2026-01-07T00:00:00Z');
INSERT INTO polls (id, question, max_votes, anonymous, creator_platform, creator_id, voters, created_at, updated_at, meeting_id) VALUES
	(2, 'Theme?', 1, 0, 'slack', 'U1', 1, '2026-01-08T00:00:00Z', '2026-01-08T00:00:00Z', 3),
	(6, 'Secret?', 1, 1, 'slack', 'U1', 1, '2026-01-08T00:00:00Z', '2026-01-08T00:00:00Z', NULL);
INSERT INTO poll_options (id, poll_id, position, label, label_key, votes) VALUES
	(3, 2, 1, 'Accessibility', 'accessibility', 1), (4, 2, 2, 'Vulnerable', 'vulnerable', 0),
	(8, 6, 1, 'Yes', 'yes', 1), (11, 6, 2, 'No', 'no', 0);
INSERT INTO poll_voters (poll_id, member_id, choices, voted_at) VALUES (2, 1, 1, '2026-01-09T00:00:00Z'), (6, 4, 1, NULL);
INSERT INTO votes (poll_id, member_id, option_id, voted_at) VALUES (2, 1, 3, '2026-01-09T00:00:00Z');
INSERT INTO poll_messages (poll_id, platform, channel, message_id, kind) VALUES (2, 'slack', 'C1', '1.2', 'card');
INSERT INTO deliveries (key, platform, status, attempts, first_at, started_at, updated_at) VALUES
	('poll:2', 'slack', 'sent', 1, '2026-01-08T00:00:00Z', '2026-01-08T00:00:00Z', '2026-01-08T00:00:00Z');
INSERT INTO challenges (id, kind, problem, jurisdictions, criticality, opened_at, updated_at) VALUES
	(5, 'coverage', '', 'NL,PE', 'high', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	(8, 'manual', 'Budget', '', 'low', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO invitations (id, target_kind, target, contact, sent_on, created_at, updated_at) VALUES
	(4, 'jurisdiction', 'YT', 'Yukon contact', '2026-01-10', '2026-01-10T00:00:00Z', '2026-01-10T00:00:00Z');
INSERT INTO counters (name, value) VALUES ('console', 12);
`

// dump renders every row of every table, sorted, and the schema's indexes,
// triggers and foreign keys, so that two databases can be compared.
func dump(t *testing.T, db *sql.DB) (data, schema []string) {
	t.Helper()
	tables := queryStrings(t, db, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	for _, table := range tables {
		eachRow(t, db, table, func(_ []string, vals []any) { data = append(data, fmt.Sprintf("%s %v", table, vals)) })
		for _, fk := range queryStrings(t, db, `SELECT "table" || '(' || "to" || ') <- ' || "from" || ' ' || on_delete
			FROM pragma_foreign_key_list(?)`, table) {
			schema = append(schema, "fk "+table+": "+fk)
		}
	}
	schema = append(schema, queryStrings(t, db, `SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || sql
		FROM sqlite_schema WHERE type IN ('index', 'trigger') AND sql IS NOT NULL`)...)
	slices.Sort(data)
	slices.Sort(schema)
	return data, schema
}

// eachRow calls fn with the columns and values of every row of table.
func eachRow(t *testing.T, db *sql.DB, table string, fn func(cols []string, vals []any)) {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fn(cols, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// autoincrementTables are the tables whose ids people see (0027).
var autoincrementTables = []string{"members", "meetings", "reminders", "polls", "poll_options", "challenges", "invitations"}

// TestIDsNeverReusedMigration runs 0027 on a database that today's
// migrations made and filled: every row, index, trigger and foreign key is
// still there and still works, and ids are no longer reused.
func TestIDsNeverReusedMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	d := openMigratedTo(t, path, "0027")
	if _, err := d.db.Exec(fill0015); err != nil {
		t.Fatal(err)
	}
	wantData, wantSchema := dump(t, d.db)
	if err := d.migrate(ctx, migrationsBefore("0028")); err != nil {
		t.Fatal(err)
	}
	gotData, gotSchema := dump(t, d.db)
	if !slices.Equal(gotData, wantData) {
		t.Errorf("rows changed:\n got %q\nwant %q", gotData, wantData)
	}
	if !slices.Equal(gotSchema, wantSchema) {
		t.Errorf("indexes, triggers or foreign keys changed:\n got %q\nwant %q", gotSchema, wantSchema)
	}
	for _, table := range autoincrementTables {
		var create string
		var seq, maxID int64
		if err := d.db.QueryRow(`SELECT sql, (SELECT seq FROM sqlite_sequence WHERE name = ?),
			(SELECT coalesce(max(id), 0) FROM "`+table+`") FROM sqlite_schema WHERE name = ?`, table, table).
			Scan(&create, &seq, &maxID); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if !strings.Contains(create, "AUTOINCREMENT") || seq != maxID {
			t.Errorf("%s: AUTOINCREMENT in schema %v, sequence %d, want the largest id %d", table,
				strings.Contains(create, "AUTOINCREMENT"), seq, maxID)
		}
	}
	checkKeysAndTriggers(t, d.db)
}

// checkKeysAndTriggers proves, on the fill0015 rows, that foreign keys are
// enforced and cascade, that triggers fire, and that a deleted newest id is
// not given again.
func checkKeysAndTriggers(t *testing.T, db *sql.DB) {
	t.Helper()
	mustFail := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err == nil {
			t.Errorf("%s succeeded, want a constraint error", q)
		}
	}
	mustFail("INSERT INTO rsvps (meeting_id, member_id, answer, updated_at) VALUES (99, 1, 'yes', 'x')")
	mustFail("INSERT INTO poll_options (poll_id, position, label, label_key) VALUES (99, 1, 'a', 'a')")
	mustFail("INSERT INTO votes (poll_id, member_id, option_id, voted_at) VALUES (6, 4, 8, 'x')") // anonymous
	mustFail(`INSERT INTO members (name, name_key, organization_id, ord, jurisdiction, joined_at, updated_at)
		VALUES ('X', 'x', 1, 'municipal', 'ON', 'x', 'x')`) // organization 1 is provincial
	count := func(q string) (n int) {
		t.Helper()
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	before := count("SELECT active_members FROM organizations WHERE id = 1")
	events := count("SELECT count(*) FROM membership_events")
	if _, err := db.Exec(`INSERT INTO members (name, name_key, organization_id, ord, jurisdiction, joined_at, updated_at)
		VALUES ('Yan', 'yan', 1, 'provincial', 'ON', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if got := count("SELECT active_members FROM organizations WHERE id = 1"); got != before+1 {
		t.Errorf("active_members %d after a join, want %d: the members triggers are gone", got, before+1)
	}
	if got := count("SELECT count(*) FROM membership_events"); got != events+1 {
		t.Errorf("membership_events %d after a join, want %d", got, events+1)
	}
	if got := count("SELECT max(id) FROM members"); got != 8 {
		t.Errorf("new member id %d, want 8 (after the largest ever, 7)", got)
	}
	if _, err := db.Exec("DELETE FROM meetings WHERE id = 5"); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT count(*) FROM reminders WHERE meeting_id = 5"); n != 0 {
		t.Errorf("%d reminders of a deleted meeting left: the cascade is gone", n)
	}
	for _, table := range []string{"reminders", "poll_options", "polls", "meetings", "challenges", "invitations"} {
		newest := count(`SELECT max(id) FROM "` + table + `"`)
		if _, err := db.Exec(`DELETE FROM "`+table+`" WHERE id = ?`, newest); err != nil {
			t.Fatal(err)
		}
		var copyQ string
		switch table {
		case "polls":
			copyQ = `INSERT INTO polls (question, creator_platform, creator_id, created_at, updated_at) VALUES ('Q', 'slack', 'U1', 'x', 'x')`
		case "meetings":
			copyQ = `INSERT INTO meetings (starts_at, zone, duration_seconds, created_at, updated_at) VALUES ('x', 'UTC', 60, 'x', 'x')`
		case "challenges":
			copyQ = `INSERT INTO challenges (problem, criticality, opened_at, updated_at) VALUES ('p', 'low', 'x', 'x')`
		case "invitations":
			copyQ = `INSERT INTO invitations (target_kind, target, contact, sent_on, created_at, updated_at) VALUES ('order', 'federal', 'c', 'x', 'x', 'x')`
		case "reminders":
			copyQ = `INSERT INTO reminders (meeting_id, offset_seconds, starts_at, due_at, created_at, updated_at) VALUES (3, 60, 'x', 'y', 'x', 'x')`
		case "poll_options":
			copyQ = `INSERT INTO poll_options (poll_id, position, label, label_key) VALUES (2, 3, 'z', 'z')`
		}
		res, err := db.Exec(copyQ)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if id, _ := res.LastInsertId(); id <= int64(newest) {
			t.Errorf("%s: deleted newest id %d, next row got %d: an id was given twice", table, newest, id)
		}
	}
}

// TestPollIDsNeverReused is finding 2 of issue 16: after the newest poll
// was deleted, the next one took its id (and its post key). Editing a
// poll's options gave the new options the old ones' ids, so a stale
// button voted for another option.
func TestPollIDsNeverReused(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	in := PollInput{Question: "Theme?", Options: []string{"A", "B"}, Creator: Identity{Platform: PlatformSlack, ID: "U1"}}
	if _, err := d.CreatePoll(ctx, in); err != nil {
		t.Fatal(err)
	}
	newest, err := d.CreatePoll(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.DeletePoll(ctx, newest.ID); err != nil {
		t.Fatal(err)
	}
	next, err := d.CreatePoll(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID == newest.ID {
		t.Errorf("poll id %d given again after the poll was deleted", next.ID)
	}
	old := []int64{next.Options[0].ID, next.Options[1].ID}
	edited, err := d.UpdatePoll(ctx, next.ID, PollUpdate{Options: []string{"C", "D"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range edited.Options {
		if slices.Contains(old, o.ID) {
			t.Errorf("option %q took the id %d of a deleted option", o.Label, o.ID)
		}
	}
}

// TestImportAfterAutoincrement: an import's batch picks ids after the
// largest ever used, not only the largest present.
func TestImportAfterAutoincrement(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	gone := mustJoin(t, d, marieInput())
	if _, err := d.db.Exec("DELETE FROM members WHERE id = ?", gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ImportMembers(ctx, importRows(3)); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d, "SELECT count(*) FROM members WHERE id <= ?", gone.ID); n != 0 {
		t.Errorf("%d imported members took an id up to the deleted %d", n, gone.ID)
	}
}
