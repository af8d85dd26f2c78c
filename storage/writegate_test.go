package storage

import (
	"context"
	"errors"
	"testing"
	"time"
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
	read, err := d.beginRead(ctx)
	if err != nil {
		t.Fatalf("read while a write is open: %v", err)
	}
	read.Rollback()
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
