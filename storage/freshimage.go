package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A new database starts as the migrations make it. Running them costs
// about 0.1 s, and over half a second under the race detector, because
// SQLite parses every statement of every migration. A server creates at
// most one database in its life; a test run creates hundreds. So once a
// process has migrated two new databases, it keeps the second one's bytes
// (an image) and starts each later new database from a copy of it.
//
// A copy is what the migrations would have made (TestFreshImageIsMigrated
// compares every table's schema and rows), except for what belongs to
// each database alone, which renew writes anew: its installation id and
// when its migrations were applied. A migration that seeds anything else
// particular to one database must be renewed there too: that test fails
// until it is.
type imageCache struct {
	mu       sync.Mutex
	migrated int    // new databases this process migrated itself
	image    []byte // nil until the second one
}

// images is the process's cache. It is package state on purpose: Open
// takes only a path, and what it caches is derived from the embedded
// migrations, the same for every caller.
var images imageCache

// isNew reports whether path names no file yet, for a read-write open.
func isNew(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// place writes a copy of the image at path, if the cache has one, and
// reports whether it did. The copy appears whole or not at all (written
// aside, then linked), and never over a file that appeared meanwhile.
func (c *imageCache) place(path string) bool {
	c.mu.Lock()
	image := c.image
	c.mu.Unlock()
	if image == nil {
		return false
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".image-*")
	if err != nil {
		return false
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(image)
	if err = errors.Join(err, tmp.Chmod(0o644), tmp.Close()); err != nil {
		return false
	}
	return os.Link(tmp.Name(), path) == nil
}

// learn counts a new database d has just migrated, and keeps its image
// when it is the second. Failing to make the image only means the next new
// database is migrated too.
func (c *imageCache) learn(ctx context.Context, d *DB) {
	c.mu.Lock()
	c.migrated++
	want := c.migrated == 2 && c.image == nil
	c.mu.Unlock()
	if !want {
		return
	}
	dir, err := os.MkdirTemp(filepath.Dir(d.path), ".image-*")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "image.db")
	if _, err := d.db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return
	}
	c.mu.Lock()
	if c.image == nil {
		c.image = b
	}
	c.mu.Unlock()
}

// renew gives a database made from the image what the migrations would
// have given it alone, and reports the migrations as Open's, as for any
// new database.
func (d *DB) renew(ctx context.Context, names []string) error {
	d.upgrade.Applied = make([]string, len(names))
	for i, n := range names {
		d.upgrade.Applied[i] = strings.TrimPrefix(n, "migrations/")
	}
	return d.write(ctx, func(t *tx) error {
		if _, err := t.exec("UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'installation_id'"); err != nil {
			return err
		}
		_, err := t.exec("UPDATE schema_migrations SET applied_at = ?", d.now().Format(time.RFC3339))
		return err
	})
}
