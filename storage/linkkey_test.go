package storage

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

// The link key is made once, shared by every process on the database,
// kept across a reopen, and replaced (audited) by RotateLinkKey.
func TestLinkKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copbot.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := a.LinkKey(ctx)
	if err != nil || len(k1) != linkKeySize {
		t.Fatalf("LinkKey: %x %v", k1, err)
	}
	if k2, err := b.LinkKey(ctx); err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("another process's key %x %v, want %x", k2, err, k1)
	}
	if err := b.RotateLinkKey(ctx); err != nil {
		t.Fatal(err)
	}
	k3, err := a.LinkKey(ctx)
	if err != nil || bytes.Equal(k1, k3) || len(k3) != linkKeySize {
		t.Fatalf("after rotation: %x %v (was %x)", k3, err, k1)
	}
	es, err := a.FindAudit(ctx, AuditFilter{Action: AuditReportLinksRevoke})
	if err != nil || len(es) != 1 {
		t.Errorf("audit of the rotation: %v %v", es, err)
	}
}
