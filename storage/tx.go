package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Every exported method runs in exactly one transaction, begun by write or
// read below and never by hand: that keeps begin, rollback and commit in one
// place, and the rules with them. The one exception is the vote writer's
// batch (votebatch.go), which begins and commits on its own connection by
// the same rules (voteconn.go).
//
//   - write begins an immediate transaction (see the DSN's _txlock), which
//     first passes this process's write gate (writegate.go): a check made
//     inside fn still holds when fn's writes commit, even against another
//     process on the same file.
//   - read begins a read-only, deferred one: one consistent snapshot that
//     never waits for the gate or for writers (WAL).
//
// fn's error rolls everything back and is returned as it is (an *Error
// stays an *Error for the edge to translate); a nil error commits.

// write runs fn in one write transaction and commits it if fn succeeds.
// The identity stamps claimed and not written yet (stamper.go), even those
// the stamper is writing, are written first in the same transaction, so
// that fn's checks see them; if it does not commit, the stamper writes
// them.
func (d *DB) write(ctx context.Context, fn func(t *tx) error) error {
	stamps := d.stamps.all()
	if len(stamps) == 0 {
		return d.writeOnly(ctx, fn)
	}
	var written []Identity
	err := d.writeOnly(ctx, func(t *tx) (err error) {
		if written, err = writeStamps(t, stamps); err != nil {
			return err
		}
		return fn(t)
	})
	if err == nil {
		d.stamps.settle(stamps, written)
	}
	return err
}

// writeOnly is write without the stamps.
func (d *DB) writeOnly(ctx context.Context, fn func(t *tx) error) error {
	sqlTx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&tx{Tx: sqlTx, ctx: ctx, d: d}); err != nil {
		sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// read runs fn in one read-only transaction.
func (d *DB) read(ctx context.Context, fn func(t *tx) error) error {
	sqlTx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	return fn(&tx{Tx: sqlTx, ctx: ctx, d: d})
}

// tx is one transaction of write or read, with its context. Its exec,
// query, queryRow and each run their query through the DB's statement
// cache (see DB.stmt): parsing a query once per pooled connection instead
// of once per call halves the cost of a vote, which runs about ten. Query
// texts passed to them must be constants, or one of a bounded set built
// from constants; anything else goes through the embedded *sql.Tx.
type tx struct {
	*sql.Tx
	ctx context.Context
	// stmtCtx is ctx without its cancellation, for the statements (see
	// quiet), made at the first statement.
	stmtCtx context.Context
	d       *DB
	// counts, in a vote batch (votebatch.go), collects the poll counters'
	// changes instead of writing them at once.
	counts *voteCounts
	// own, in a vote batch, is the vote writer's connection, which
	// prepares the statements itself and runs the transaction without
	// *sql.Tx (nil then): see voteconn.go.
	own *voteConn
	n   int // statements run through exec, query and queryRow
}

// stmt returns q prepared for t: on the vote writer's connection, or
// through the DB's statement cache (DB.stmt).
func (t *tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if t.own != nil {
		return t.own.stmt(ctx, q)
	}
	return t.d.stmt(ctx, t.Tx, q)
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	t.n++
	ctx, err := t.quiet()
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// quiet returns the context a statement of t runs under: t's, without
// its cancellation, once t's has been checked, or t's error if it has
// ended.
//
// Given a context that can end, modernc's driver starts a goroutine for
// every statement to interrupt SQLite if the context ends mid-statement,
// and database/sql another for every set of rows: a tenth of a vote's
// allocations and two goroutine switches per statement. copbot's
// statements are short; a write transaction takes its lock at BEGIN,
// which keeps the context (the waits for the write gate and for SQLite's
// lock end with it, and database/sql rolls the transaction back when it
// ends); readers never wait in WAL mode. So a statement checks the
// context before it starts, then runs to its end: a transaction whose
// context ends fails at its next statement or at COMMIT, as before.
func (t *tx) quiet() (context.Context, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	if t.stmtCtx == nil {
		t.stmtCtx = context.WithoutCancel(t.ctx)
	}
	return t.stmtCtx, nil
}

// quiet is tx.quiet for one statement outside a transaction.
func quiet(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// exec1 runs one statement and reports whether it changed a row.
func (t *tx) exec1(q string, args ...any) (bool, error) {
	res, err := t.exec(q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	t.n++
	ctx, err := t.quiet()
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// row is a *sql.Row that may carry a preparation error instead.
type row struct {
	row *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

func (t *tx) queryRow(q string, args ...any) row {
	t.n++
	ctx, err := t.quiet()
	if err != nil {
		return row{err: err}
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return row{err: err}
	}
	return row{row: st.QueryRowContext(ctx, args...)}
}

// each runs q and calls fn on every row.
func (t *tx) each(q string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// count runs a query that returns one integer.
func (t *tx) count(q string, args ...any) (int, error) {
	var n int
	err := t.queryRow(q, args...).Scan(&n)
	return n, err
}

// stmt returns query prepared on tx's connection. The *sql.Stmt is kept per
// query text, and database/sql keeps its per-connection handles, so a query
// is parsed once per pooled connection instead of once per call. Only
// constant query texts (or a bounded set built from them) may come here.
func (d *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	st, err := d.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// prepared returns the DB's *sql.Stmt for query (see stmt), for use in a
// transaction or, for one statement that needs no snapshot, on its own.
func (d *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	d.mu.Lock()
	st, ok := d.stmts[query]
	d.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, dup := d.stmts[query]; dup {
		st.Close()
		return prev, nil
	}
	d.stmts[query] = st
	return st, nil
}

// sqliteCode returns the extended result code of a modernc error, or 0.
func sqliteCode(err error) int {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()
	}
	return 0
}

// SQLite extended result codes storage reacts to.
const (
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqliteConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
)
