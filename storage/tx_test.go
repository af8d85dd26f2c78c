package storage

import (
	"context"
	"errors"
	"testing"
)

// TestStatementsCheckTheirContext: statements run without their context's
// cancellation (tx.quiet), so each checks it before it starts. A write
// transaction whose context ends between two statements fails at the
// second, and nothing of it commits; a read on its own refuses an ended
// context without running.
func TestStatementsCheckTheirContext(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := d.write(ctx, func(t *tx) error {
		if _, err := t.exec("INSERT INTO meta (key, value) VALUES ('quiet-1', 'x')"); err != nil {
			return err
		}
		cancel()
		_, err := t.exec("INSERT INTO meta (key, value) VALUES ('quiet-2', 'x')")
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("write after its context ended: %v, want context.Canceled", err)
	}
	if n := countRows(t, d, "SELECT count(*) FROM meta WHERE key LIKE 'quiet-%'"); n != 0 {
		t.Errorf("%d rows of the failed transaction committed", n)
	}
	if _, err := d.DirectoryVersion(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("DirectoryVersion with an ended context: %v", err)
	}
	if _, _, err := d.RequestHandled(ctx, "slack:sig:x"); !errors.Is(err, context.Canceled) {
		t.Errorf("RequestHandled with an ended context: %v", err)
	}
}
