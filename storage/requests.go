package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"
	"time"
)

// This file is the persistent record of handled requests. Slack and Teams
// may send a request again: a Socket Mode envelope or a Teams activity whose
// acknowledgement was lost is redelivered, an Events API event is retried,
// and anyone who captured a signed request can replay it while its
// signature is valid. Each must act once, across restarts too. The adapter
// names a delivery by keys (what it verified: a decoded signature, an
// envelope id, an activity id), and the first write transaction of the
// request records those keys in that very transaction, so that the record
// and the work it guards commit together: a crash before the commit leaves
// neither (a redelivery runs the request), a crash after it leaves both (a
// redelivery finds the keys and does nothing).

// RequestClaim is one delivery of a request, named by its keys. Make one
// with DB.ClaimRequest, run the request's work with WithRequestClaim, then
// call DB.RecordRequest before answering. It is safe for concurrent use.
type RequestClaim struct {
	keys     [][]byte // SHA-256 of each key
	expires  int64    // unix seconds
	attempt  int64    // random: tells this delivery from any other of the same keys
	now      func() time.Time
	recorded atomic.Bool // a write transaction carrying the claim committed
}

// errRequestHandled is the refusal of a write transaction of a delivery
// whose keys another delivery recorded first (two processes serving the
// same database). The adapter's in-process claim prevents it otherwise.
var errRequestHandled = errors.New("storage: this request was already handled by another delivery")

// ClaimRequest names a delivery by keys (at least one), remembered until
// expires: set it to when the platform can no longer send the request again
// (a signature's window, a retry period).
func (d *DB) ClaimRequest(expires time.Time, keys ...string) *RequestClaim {
	c := &RequestClaim{expires: expires.Unix(), attempt: newAttempt(), now: d.Now}
	for _, k := range keys {
		sum := sha256.Sum256([]byte(k))
		c.keys = append(c.keys, sum[:])
	}
	return c
}

// newAttempt returns a random positive 63-bit id.
func newAttempt() int64 {
	var b [8]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

type claimCtxKey struct{}

// WithRequestClaim returns ctx whose write transactions record c's keys,
// each in its own transaction, before any other statement. A transaction
// whose keys another delivery recorded first fails and changes nothing.
func WithRequestClaim(ctx context.Context, c *RequestClaim) context.Context {
	return context.WithValue(ctx, claimCtxKey{}, c)
}

func claimFrom(ctx context.Context) *RequestClaim {
	c, _ := ctx.Value(claimCtxKey{}).(*RequestClaim)
	return c
}

// claimSQL inserts a key, or takes over an expired row, or renews the
// row of the same delivery; it returns a row in those cases only, so no
// row means that another delivery holds the key.
const claimSQL = claimUpsertSQL + "\n\tRETURNING attempt"

// claimUpsertSQL is claimSQL without its answer: the row changed (one) or
// not (none) says the same, with no rows to read.
const claimUpsertSQL = `INSERT INTO handled_requests (key, attempt, expires) VALUES (?1, ?2, ?3)
	ON CONFLICT (key) DO UPDATE SET attempt = excluded.attempt, expires = max(expires, excluded.expires)
	WHERE attempt = excluded.attempt OR expires <= ?4`

// claimIn records the claim carried by ctx, if any, on conn inside the
// write transaction just begun, and returns it.
func claimIn(ctx context.Context, conn driver.QueryerContext) (*RequestClaim, error) {
	c := claimFrom(ctx)
	if c == nil {
		return nil, nil
	}
	now := c.now().Unix()
	for _, k := range c.keys {
		rows, err := conn.QueryContext(ctx, claimSQL, []driver.NamedValue{
			{Ordinal: 1, Value: k}, {Ordinal: 2, Value: c.attempt}, {Ordinal: 3, Value: c.expires}, {Ordinal: 4, Value: now}})
		if err != nil {
			return nil, err
		}
		dest := make([]driver.Value, 1)
		err = rows.Next(dest)
		rows.Close()
		if errors.Is(err, io.EOF) {
			return nil, errRequestHandled
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// recordClaim records c's keys in t, as claimIn does when a transaction
// begins: a vote batch (votebatch.go) records each vote's own claim in the
// vote's savepoint.
func (t *tx) recordClaim(c *RequestClaim) error {
	now := c.now().Unix()
	for _, k := range c.keys {
		claimed, err := t.exec1(claimUpsertSQL, k, c.attempt, c.expires, now)
		if err != nil {
			return err
		}
		if !claimed {
			return errRequestHandled
		}
	}
	return nil
}

// Recorded reports whether a write transaction carrying c committed, so
// that its keys are recorded.
func (c *RequestClaim) Recorded() bool { return c.recorded.Load() }

// RecordRequest records c's keys, in a transaction of its own unless a
// write transaction of the request already did. Call it before answering
// the request, so that a replay or redelivery after the answer finds it.
func (d *DB) RecordRequest(ctx context.Context, c *RequestClaim) error {
	if c.recorded.Load() {
		return nil
	}
	return d.write(WithRequestClaim(ctx, c), func(*tx) error { return nil })
}

// RequestHandled returns the first of keys that a delivery recorded and
// that has not expired, with ok; ok is false when none was. Every signed
// click and command that may write asks it first, so it runs one prepared
// statement per key, with no transaction around them: each key's answer
// stands on its own, and a statement reads one snapshot.
func (d *DB) RequestHandled(ctx context.Context, keys ...string) (key string, ok bool, err error) {
	now := d.Now().Unix()
	ctx, err = quiet(ctx)
	if err != nil {
		return "", false, err
	}
	st, err := d.prepared(ctx, requestHandledSQL)
	if err != nil {
		return "", false, err
	}
	for _, k := range keys {
		sum := sha256.Sum256([]byte(k))
		var found bool
		if err := st.QueryRowContext(ctx, sum[:], now).Scan(&found); err != nil {
			return "", false, err
		}
		if found {
			return k, true, nil
		}
	}
	return "", false, nil
}

const requestHandledSQL = "SELECT EXISTS (SELECT 1 FROM handled_requests WHERE key = ? AND expires > ?)"

// pruneBatch bounds one pruning transaction, so that a backlog never holds
// the write lock for long. Tests lower it.
var pruneBatch = 5000

// PruneRequests deletes expired records, in transactions of at most
// pruneBatch rows, and returns how many went.
func (d *DB) PruneRequests(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := d.pruneRequests(ctx, pruneBatch)
		total += n
		if err != nil || n < int64(pruneBatch) {
			return total, err
		}
	}
}

func (d *DB) pruneRequests(ctx context.Context, batch int) (n int64, err error) {
	err = d.write(ctx, func(t *tx) error {
		res, err := t.exec(`DELETE FROM handled_requests WHERE key IN
			(SELECT key FROM handled_requests WHERE expires <= ? LIMIT ?)`, d.Now().Unix(), batch)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
