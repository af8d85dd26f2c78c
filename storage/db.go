package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
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
	// lookupRan, when set (tests), sees each statement CallerByIdentity runs.
	lookupRan func(query string)
	votes     *voteWriter // the group commit of votes, see votebatch.go
	stamps    *stamper    // identities' workspaces to write, see stamper.go
	upgrade   Upgrade     // what Open migrated, see upgrade.go
	// integrity is the start-up check writes wait for (integrity.go).
	integrity *integrityGate
	// readOnly: opened with mode=ro or immutable=1 (OpenReadOnly).
	readOnly bool
}

// Open opens (creating if needed) the database at path, applies pending
// migrations (an existing database is first copied beside itself and the
// copy verified, see Upgrade; one from a newer copbot is refused with a
// *FutureSchemaError) and proves that it takes writes, so that a database copbot
// could not save to stops it here rather than on a user's command. WAL,
// foreign keys and a busy timeout are set on every connection through the
// DSN, so pooled connections all behave alike. temp_store(MEMORY) keeps
// statement journals (which every write to members needs, for its
// triggers) off disk. Each connection keeps a page cache of pageCacheKiB;
// an import has bigPageCacheKiB for its transaction (tx.roomy).
//
// A database that cannot be used is an *Error an operator can act on (Args
// Path and Folder): ENOTFOUND db_error_folder_missing (the folder does not
// exist), EFORBIDDEN db_error_read_only (the file or its folder, where
// SQLite keeps the -wal and -shm files, cannot be written), EINVALID
// db_error_not_database (the file is something else). Other failures are
// returned as they are.
func Open(ctx context.Context, path string) (*DB, error) { return open(ctx, path, nil) }

// open is Open with extra URI parameters: tests open with mode=ro to see
// what a read-only file does, as root, for whom file modes do not hold.
func open(ctx context.Context, path string, extra url.Values) (*DB, error) {
	return openCached(ctx, path, extra, &images)
}

// openCached is open with the cache of new databases' image it uses (see
// freshimage.go).
func openCached(ctx context.Context, path string, extra url.Values, cache *imageCache) (*DB, error) {
	if err := checkFolder(path); err != nil {
		return nil, err
	}
	d := connect(path, extra)
	names := migrations()
	fresh := extra == nil && isNew(path)
	placed := fresh && cache.place(path)
	err := d.migrate(ctx, names)
	switch {
	case err == nil && placed:
		err = d.renew(ctx, names)
	case err == nil && fresh:
		cache.learn(ctx, d)
	}
	if err == nil {
		err = d.writeProbe(ctx)
	}
	if err != nil {
		d.db.Close()
		return nil, openError(path, err)
	}
	return d, nil
}

// connect returns the DB of path without touching the file: the first
// query opens it. extra holds URI parameters; with mode=ro or immutable=1
// the journal mode is left as the file has it (setting it writes).
func connect(path string, extra url.Values) *DB {
	q := url.Values{}
	for k, vs := range extra {
		q[k] = vs
	}
	if q.Get("mode") != "ro" && q.Get("immutable") != "1" {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)",
		"temp_store(MEMORY)", fmt.Sprintf("cache_size(-%d)", pageCacheKiB)} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	check := newIntegrityGate()
	sqldb := sql.OpenDB(gatedConnector{dsn: "file:" + escapePath(path) + "?" + q.Encode(),
		drv: &sqlite.Driver{}, gate: make(writeGate, 1), check: check, wait: gateWait})
	// Keep connections open under concurrent load: opening one re-runs the
	// pragmas and drops its prepared statements (database/sql keeps 2 idle).
	sqldb.SetMaxIdleConns(16)
	d := &DB{db: sqldb, path: path, Now: time.Now, stmts: map[string]*sql.Stmt{}, integrity: check,
		readOnly: q.Get("mode") == "ro" || q.Get("immutable") == "1"}
	d.votes = newVoteWriter(d)
	d.stamps = newStamper(d)
	return d
}

// pageCacheKiB is the page cache of each connection, in KiB. SQLite
// keeps one per connection, and copbot serve keeps up to seven (one per
// turn of database work, the writer's, the vote writer's, /healthz's):
// at 32 MiB each, the connections of the load tool's who run had each
// cached half of a 3 MB database, 6 MB in all, which took 11 MB of
// modernc's allocator (a 4 KiB page with its header takes an 8 KiB slot).
// A small cache costs little here: in WAL mode a connection empties its
// cache whenever another one has committed since its last transaction, so
// during a vote storm every reader starts cold anyway, and the pages it
// misses are read from the operating system's file cache.
const pageCacheKiB = 256

// bigPageCacheKiB is the page cache of a transaction that writes a whole
// roster (tx.roomy): a 100,000-member import in a 256 KiB cache spills
// dirty pages to the WAL and reads them back, and took twice as long
// (BenchmarkImport100k).
const bigPageCacheKiB = 32768

// roomy gives t's connection bigPageCacheKiB of page cache until the
// returned function, which the caller defers inside t, puts it back.
// SQLite sets cache_size when it prepares the PRAGMA, so it never goes
// through the statement cache (whose statements are prepared on whichever
// connection is free first).
func (t *tx) roomy() (restore func(), err error) {
	ctx, err := t.quiet()
	if err != nil {
		return nil, err
	}
	if _, err := t.Tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", bigPageCacheKiB)); err != nil {
		return nil, err
	}
	return func() {
		// Even when t's context has ended: the connection goes back to
		// the pool with its cache as it was.
		t.Tx.ExecContext(context.WithoutCancel(t.ctx), fmt.Sprintf("PRAGMA cache_size = -%d", pageCacheKiB))
	}, nil
}

// escapePath makes path a "file:" URI path: SQLite reads "file:" names as
// URIs, so what would end the path is escaped.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Close stops the start-up check (if still running) and the vote writer,
// writes the identity stamps claimed (stamper.go), and closes the prepared
// statements and the database.
func (d *DB) Close() error {
	d.integrity.stopCheck()
	d.votes.close()
	d.stamps.close()
	d.mu.Lock()
	for q, st := range d.stmts {
		st.Close()
		delete(d.stmts, q)
	}
	d.mu.Unlock()
	return d.db.Close()
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

// parsed is a stored timestamp and where its parsed value goes.
type parsed struct {
	dst *time.Time
	src sql.NullString
}

// parseTimes parses each stored timestamp into its destination.
func parseTimes(ps ...parsed) error {
	for _, p := range ps {
		t, err := parseTime(p.src)
		if err != nil {
			return err
		}
		*p.dst = t
	}
	return nil
}
