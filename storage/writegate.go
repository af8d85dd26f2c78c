package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// writeGate lets one write transaction of this process at a time reach
// SQLite. Without it, concurrent BEGIN IMMEDIATEs wait in SQLite's busy
// handler, which sleeps in steps of up to 100 ms: during a burst of votes
// the write lock sits free while every waiter sleeps, so throughput falls
// and the slowest acknowledgements take hundreds of milliseconds. Waiting on
// a channel hands the lock over at once and gives up when the caller's
// context ends. Other processes on the same file still meet SQLite's busy
// timeout, and read-only transactions are never gated (WAL readers do not
// block the writer).
type writeGate chan struct{}

// gateWait is the longest a write transaction waits for the gate when its
// context has no earlier deadline: the busy_timeout in the DSN, so that no
// write waits longer than SQLite itself would have let it (a mistaken
// nested write fails instead of hanging for ever).
const gateWait = 10 * time.Second

// errWriteBusy is the gate's answer after gateWait, like SQLITE_BUSY: the
// transaction never began, so the user can be told nothing was saved.
var errWriteBusy = &Error{Code: EBUSY, Key: "error_busy",
	Message: "database busy: another write of this process held it too long"}

// gatedConnector opens modernc connections whose write transactions pass
// through gate, waiting at most wait for it.
type gatedConnector struct {
	dsn   string
	drv   *sqlite.Driver
	gate  writeGate
	check *integrityGate // writes wait for its verdict, see integrity.go
	wait  time.Duration
}

func (c gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: conn, gateway: gateway{gate: c.gate, check: c.check, wait: c.wait}}, nil
}

func (c gatedConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what database/sql uses of a modernc connection; gatedConn
// forwards all of it so that wrapping costs no fast path.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type gatedConn struct {
	driver.Conn
	gateway
}

// gateway is the way through the gate, the same for every connection of
// a DB: gatedConn's write transactions take it, and so does the vote
// writer, which begins and commits its own (voteconn.go).
type gateway struct {
	gate  writeGate
	check *integrityGate // writes wait for its verdict, see integrity.go
	wait  time.Duration
}

// enter waits for the start-up check's verdict and then the gate, until
// ctx ends or for at most g.wait in all. A nil error holds the gate: leave
// gives it back.
func (g gateway) enter(ctx context.Context) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	if err := g.check.wait(ctx, t.C); err != nil {
		return err
	}
	select {
	case g.gate <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errWriteBusy
	}
}

// leave gives back the gate that enter took.
func (g gateway) leave() { <-g.gate }

// gatewayOf is the gateway of a connection of a DB.
func gatewayOf(conn *sql.Conn) (gateway, error) {
	var g gateway
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*gatedConn)
		if !ok {
			return errNotSQLite
		}
		g = c.gateway
		return nil
	})
	return g, err
}

var errNotSQLite = errors.New("storage: the sqlite driver's connection lacks an expected method")

func (c *gatedConn) inner() (sqliteConn, error) {
	sc, ok := c.Conn.(sqliteConn)
	if !ok {
		return nil, errNotSQLite
	}
	return sc, nil
}

// BeginTx waits for the start-up check's verdict (integrity.go) and then
// the gate (or ctx, for at most c.wait in all) before a write transaction
// begins; the gate opens again when that transaction commits or rolls back.
func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	sc, err := c.inner()
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return sc.BeginTx(ctx, opts)
	}
	if err := c.enter(ctx); err != nil {
		return nil, err
	}
	tx, err := sc.BeginTx(ctx, opts)
	if err != nil {
		c.leave()
		return nil, err
	}
	claim, err := claimIn(ctx, sc) // see requests.go
	if err != nil {
		tx.Rollback()
		c.leave()
		return nil, err
	}
	return &gatedTx{Tx: tx, gate: c.gate, claim: claim}, nil
}

func (c *gatedConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	sc, err := c.inner()
	if err != nil {
		return nil, err
	}
	return sc.PrepareContext(ctx, q)
}

func (c *gatedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	sc, err := c.inner()
	if err != nil {
		return nil, err
	}
	return sc.ExecContext(ctx, q, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	sc, err := c.inner()
	if err != nil {
		return nil, err
	}
	return sc.QueryContext(ctx, q, args)
}

func (c *gatedConn) Ping(ctx context.Context) error {
	sc, err := c.inner()
	if err != nil {
		return err
	}
	return sc.Ping(ctx)
}

func (c *gatedConn) ResetSession(ctx context.Context) error {
	sc, err := c.inner()
	if err != nil {
		return err
	}
	return sc.ResetSession(ctx)
}

func (c *gatedConn) IsValid() bool {
	sc, err := c.inner()
	return err == nil && sc.IsValid()
}

// gatedTx opens the gate once, whichever of Commit and Rollback ends it.
type gatedTx struct {
	driver.Tx
	gate  writeGate
	once  sync.Once
	claim *RequestClaim // recorded by this transaction, if any
}

func (t *gatedTx) release() { t.once.Do(func() { <-t.gate }) }

func (t *gatedTx) Commit() error {
	defer t.release()
	err := t.Tx.Commit()
	if err == nil && t.claim != nil {
		t.claim.recorded.Store(true)
	}
	return err
}

func (t *gatedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
