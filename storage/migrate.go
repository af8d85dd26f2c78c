package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Migrations are the files migrations/NNNN_name.sql, applied in name order,
// each once, in its own transaction together with its record in
// schema_migrations.
//
// They run on one connection with foreign keys off, as SQLite's procedure
// for schema changes requires (https://sqlite.org/lang_altertable.html,
// "Making Other Kinds Of Table Schema Changes"): with them on, dropping a
// table to rebuild it would first delete its rows and cascade to every
// table that refers to it. Each migration instead runs PRAGMA
// foreign_key_check before it commits and fails if anything dangles.
//
// A migration may hold directive lines that SQL alone cannot express well:
//
//	-- copbot:autoincrement TABLE…
//
// rebuilds each TABLE with "id INTEGER PRIMARY KEY AUTOINCREMENT" (see
// rebuildAutoincrement) before the file's SQL runs, and
//
//	-- copbot:after STEP…
//
// runs each Go STEP of afterSteps after it, in the same transaction (data
// that SQL alone cannot derive, such as the built-in organizations).

// migrations lists the embedded migrations in the order they apply.
func migrations() []string {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	sort.Strings(names)
	return names
}

// migrate applies each of names (from migrations) not yet recorded, after
// prepareUpgrade's checks and copy.
func (d *DB) migrate(ctx context.Context, names []string) (err error) {
	if err := d.prepareUpgrade(ctx, names); err != nil {
		return err
	}
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	defer func() {
		if _, onErr := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); onErr != nil {
			// Never hand a connection without foreign keys back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, onErr)
		}
	}()
	for _, name := range names {
		if err := d.migrateFile(ctx, conn, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (d *DB) migrateFile(ctx context.Context, conn *sql.Conn, name string) error {
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	t := &tx{Tx: sqlTx, ctx: ctx, d: d}
	base := name[strings.LastIndex(name, "/")+1:]
	var n int
	if err := t.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE name = ?", base).Scan(&n); err != nil || n > 0 {
		return err
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	for _, table := range directive(string(body), "autoincrement") {
		if err := t.rebuildAutoincrement(table); err != nil {
			return fmt.Errorf("rebuild %s: %w", table, err)
		}
	}
	if _, err := t.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	for _, step := range directive(string(body), "after") {
		fn, ok := afterSteps[step]
		if !ok {
			return fmt.Errorf("unknown step %q", step)
		}
		if err := fn(t); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	if err := t.foreignKeyCheck(); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
		base, d.now().Format(time.RFC3339)); err != nil {
		return err
	}
	return sqlTx.Commit()
}

// directive returns the words after "-- copbot:<word>" on each such line
// of body.
func directive(body, word string) []string {
	var out []string
	prefix := "-- copbot:" + word + " "
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			out = append(out, strings.Fields(rest)...)
		}
	}
	return out
}

// foreignKeyCheck fails if any row refers to a row that does not exist.
func (t *tx) foreignKeyCheck() error {
	rows, err := t.QueryContext(t.ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		bad = append(bad, fmt.Sprintf("%s row %d -> %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign key check: %s", strings.Join(bad, "; "))
	}
	return nil
}

var (
	integerPrimaryKey = regexp.MustCompile(`(?i)\bid\s+INTEGER\s+PRIMARY\s+KEY\b`)
	autoincrement     = regexp.MustCompile(`(?i)\bAUTOINCREMENT\b`)
)

// rebuildAutoincrement rebuilds table so that its "id INTEGER PRIMARY KEY"
// becomes AUTOINCREMENT: SQLite then never hands out an id again, not even
// the newest one after it was deleted (without it, the next row takes
// max(id)+1). SQLite cannot add the keyword in place, so, foreign keys off
// (see migrate), this copies every row (generated columns aside: SQLite
// computes them) to a temporary table, drops the table, creates it again
// from its stored CREATE TABLE text with the keyword added, copies the rows
// back with their ids (which sets the table's sqlite_sequence), and
// re-creates its indexes and triggers from their stored text. It keeps the
// table's name throughout (rather than renaming a new table, which costs a
// reload of the whole schema each time), so the foreign keys and triggers
// of other tables, which name it, refer to it again once it is back. A
// table already rebuilt is left alone.
func (t *tx) rebuildAutoincrement(table string) error {
	var create string
	if err := t.QueryRowContext(t.ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).
		Scan(&create); err != nil {
		return err
	}
	if autoincrement.MatchString(create) {
		return nil
	}
	key := integerPrimaryKey.FindAllStringIndex(create, -1)
	if len(key) != 1 {
		return fmt.Errorf("want one %q in %q", "id INTEGER PRIMARY KEY", create)
	}
	dependents, err := t.schemaOf(table)
	if err != nil {
		return err
	}
	cols, err := t.storedColumns(table)
	if err != nil {
		return err
	}
	list, quoted := quoteList(cols), `"`+table+`"`
	script := append([]string{
		"CREATE TEMP TABLE copbot_rebuild AS SELECT " + list + " FROM " + quoted,
		"DROP TABLE " + quoted,
		create[:key[0][1]] + " AUTOINCREMENT" + create[key[0][1]:],
		"INSERT INTO " + quoted + " (" + list + ") SELECT " + list + " FROM temp.copbot_rebuild ORDER BY id",
		"DROP TABLE temp.copbot_rebuild",
	}, dependents...)
	_, err = t.ExecContext(t.ctx, strings.Join(script, ";\n"))
	return err
}

// schemaOf returns the CREATE statements of table's own indexes (those
// its constraints imply have none: SQLite makes them again) and triggers.
func (t *tx) schemaOf(table string) ([]string, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT sql FROM sqlite_schema
		WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// storedColumns returns table's columns except generated ones.
func (t *tx) storedColumns(table string) ([]string, error) {
	rows, err := t.QueryContext(t.ctx, "SELECT name, hidden FROM pragma_table_xinfo(?) ORDER BY cid", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var hidden int
		if err := rows.Scan(&name, &hidden); err != nil {
			return nil, err
		}
		if hidden == 0 { // 2 and 3 are generated columns
			out = append(out, name)
		}
	}
	return out, rows.Err()
}
