package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// voteConn is the vote writer's own connection (votebatch.go). Its batches
// begin and commit with statements on it, and every statement of a vote is
// prepared on it once, for as long as the writer keeps it. Through
// database/sql's Tx, each statement of each transaction was wrapped again
// (Tx.StmtContext), each transaction started a goroutine to roll it back
// when its context ended, and so did each set of rows read in it: a fifth
// of a vote's allocations on the server.
//
// The rules of write and read (tx.go) still hold: a batch passes the same
// write gate as every write transaction of the process (gateway), BEGIN
// keeps the batch's context (the wait for SQLite's lock ends with it), and
// a statement checks its context before it starts (tx.quiet). A batch
// whose context ends fails at its next statement or at COMMIT and rolls
// back: nothing ever rolls it back behind the writer's back, so no
// statement of a batch can run outside its transaction.
type voteConn struct {
	conn  *sql.Conn // nil until the first batch, or after a failure
	gw    gateway
	stmts map[string]*sql.Stmt // prepared on conn, by query text (constants)
	open  bool                 // a transaction is open on conn
}

// stmt returns q prepared on the connection.
func (c *voteConn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	c.stmts[q] = st
	return st, nil
}

// tx is a tx of the batch's transaction under ctx.
func (c *voteConn) tx(ctx context.Context, d *DB) *tx {
	return &tx{ctx: ctx, d: d, own: c}
}

// begin takes a connection if the writer has none, then the write gate,
// and begins an immediate transaction.
func (c *voteConn) begin(ctx context.Context, d *DB) error {
	if c.conn == nil {
		conn, err := d.db.Conn(ctx)
		if err != nil {
			return err
		}
		gw, err := gatewayOf(conn)
		if err != nil {
			conn.Close()
			return err
		}
		c.conn, c.gw, c.stmts = conn, gw, map[string]*sql.Stmt{}
	}
	if err := c.gw.enter(ctx); err != nil {
		return err
	}
	st, err := c.stmt(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		_, err = st.ExecContext(ctx, nil...)
	}
	if err != nil {
		c.gw.leave()
		return err
	}
	c.open = true
	return nil
}

// commit ends the transaction begun by begin: COMMIT if ctx has not
// ended, else (or if COMMIT fails) ROLLBACK; either way the gate is given
// back. A nil error means the batch is on disk.
func (c *voteConn) commit(ctx context.Context, d *DB) error {
	defer c.gw.leave()
	err := ctx.Err()
	if err == nil {
		_, err = c.tx(ctx, d).exec("COMMIT")
	}
	if err != nil {
		c.rollbackOpen()
		return err
	}
	c.open = false
	return nil
}

// rollback ends the transaction begun by begin without writing anything,
// and gives the gate back.
func (c *voteConn) rollback() {
	defer c.gw.leave()
	c.rollbackOpen()
}

// rollbackOpen rolls the open transaction back. If even that fails, the
// connection's state is unknown: it is closed rather than given back to
// the pool, and the writer takes another for its next batch.
func (c *voteConn) rollbackOpen() {
	c.open = false
	st, err := c.stmt(context.Background(), "ROLLBACK")
	if err == nil {
		_, err = st.ExecContext(context.Background(), nil...)
	}
	if err != nil {
		c.drop(driver.ErrBadConn)
	}
}

// release gives the connection back to the pool (the writer is stopping):
// a transaction still open is rolled back first.
func (c *voteConn) release() {
	if c.conn == nil {
		return
	}
	if c.open {
		c.rollbackOpen()
	}
	c.drop(nil)
}

// drop closes the prepared statements and lets go of the connection:
// back to the pool, or closed for good when bad is driver.ErrBadConn.
func (c *voteConn) drop(bad error) {
	if c.conn == nil {
		return
	}
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
	if bad != nil {
		c.conn.Raw(func(any) error { return bad })
	}
	c.conn.Close()
	c.conn = nil
}
