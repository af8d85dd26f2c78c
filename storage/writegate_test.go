package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"modernc.org/sqlite"
)

// A second write transaction waits for the first on the gate, gives up
// with its context's error (not SQLITE_BUSY after the busy timeout), and
// goes through as soon as the first commits; reads never wait.
func TestWriteGate(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	first, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := d.db.BeginTx(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second write while the first is open: err = %v, want context.DeadlineExceeded", err)
	}
	if err := d.read(ctx, func(t *tx) error { _, err := t.directoryVersion(); return err }); err != nil {
		t.Fatalf("read while a write is open: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		tx, err := d.db.BeginTx(ctx, nil)
		if err == nil {
			err = tx.Commit()
		}
		done <- err
	}()
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write after the first committed: %v", err)
	}
	// A rolled-back transaction opens the gate too.
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	tx, err = d.db.BeginTx(short, nil)
	if err == nil {
		tx.Rollback()
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
}

// A write whose context has no deadline still gives up after the gate's
// wait (SQLite's busy timeout in production) instead of hanging.
func TestWriteGateWaitBounded(t *testing.T) {
	conn, err := (&sqlite.Driver{}).Open(filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &gatedConn{Conn: conn, gateway: gateway{gate: make(writeGate, 1), wait: 20 * time.Millisecond}}
	c.gate <- struct{}{} // another write holds the gate
	if _, err := c.BeginTx(context.Background(), driver.TxOptions{}); !errors.Is(err, errWriteBusy) {
		t.Fatalf("BeginTx while the gate is held = %v, want errWriteBusy", err)
	}
}
