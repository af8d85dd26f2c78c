package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the SQLite store. It is safe for concurrent use.
type DB struct {
	db   *sql.DB
	path string
	// Now is the clock; tests replace it. It must return UTC-comparable times.
	Now func() time.Time

	mu    sync.Mutex
	stmts map[string]*sql.Stmt // prepared once per query text, see stmt

	dir     dirCache    // directory pages, see dircache.go
	callers callerCache // caller lookups, see caller.go
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. WAL, foreign keys and a busy timeout are set on every
// connection through the DSN, so pooled connections all behave alike.
// temp_store(MEMORY) keeps statement journals (which every write to members
// needs, for its triggers) off disk, and a page cache of up to 32 MiB per
// connection holds a 100,000-member import without spilling mid-transaction.
func Open(ctx context.Context, path string) (*DB, error) { return open(ctx, path, nil) }

// open is Open with extra URI parameters (tests open read-only with
// mode=ro, which holds even for root, unlike file modes).
func open(ctx context.Context, path string, extra url.Values) (*DB, error) {
	q := url.Values{}
	for k, vs := range extra {
		q[k] = vs
	}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)",
		"temp_store(MEMORY)", "cache_size(-32768)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sqldb := sql.OpenDB(gatedConnector{dsn: "file:" + escapePath(path) + "?" + q.Encode(),
		drv: &sqlite.Driver{}, gate: make(writeGate, 1), wait: gateWait})
	// Keep connections open under concurrent load: opening one re-runs the
	// pragmas and drops its prepared statements (database/sql keeps 2 idle).
	sqldb.SetMaxIdleConns(16)
	d := &DB{db: sqldb, path: path, Now: time.Now, stmts: map[string]*sql.Stmt{}}
	if err := d.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return d, nil
}

// escapePath makes path a "file:" URI path: SQLite reads "file:" names as
// URIs, so what would end the path is escaped.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Close closes the prepared statements and the database.
func (d *DB) Close() error {
	d.mu.Lock()
	for q, st := range d.stmts {
		st.Close()
		delete(d.stmts, q)
	}
	d.mu.Unlock()
	return d.db.Close()
}

// stmt returns query prepared on tx's connection. The *sql.Stmt is kept per
// query text, and database/sql keeps its per-connection handles, so a query
// is parsed once per pooled connection instead of once per call. Only
// constant query texts (or a bounded set built from them) may come here.
func (d *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	d.mu.Lock()
	st, ok := d.stmts[query]
	d.mu.Unlock()
	if !ok {
		var err error
		if st, err = d.db.PrepareContext(ctx, query); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		d.mu.Lock()
		if prev, dup := d.stmts[query]; dup {
			st.Close()
			st = prev
		} else {
			d.stmts[query] = st
		}
		d.mu.Unlock()
	}
	return tx.StmtContext(ctx, st), nil
}

// beginRead starts a read-only (deferred) transaction: one consistent
// snapshot that, unlike write transactions, does not take the write lock.
func (d *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	return d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
}

// now returns the clock's time in UTC, truncated to what the TEXT columns hold.
func (d *DB) now() time.Time { return d.Now().UTC().Truncate(time.Second) }

// formatTime renders t as stored: RFC 3339 in UTC; the zero time is NULL.
func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// parseTime reads a stored timestamp; NULL gives the zero time.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s.String, err)
	}
	return t.UTC(), nil
}

// Ping checks that the database answers, for readiness probes.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// migrate applies every embedded migration not yet recorded, each in its
// own transaction together with its record.
func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := d.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (d *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	base := name[strings.LastIndex(name, "/")+1:]
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE name = ?", base).Scan(&n); err != nil || n > 0 {
		return err
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
		base, d.now().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}
