package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// Why a database cannot be opened, in words an operator can act on. The
// keys are translated at the edge; Message says the same in English for
// logs and for a start-up that has no translator yet.

// SQLite primary result codes that mean the file cannot be used as it is.
const (
	sqliteReadOnly = 8  // SQLITE_READONLY and its extended codes
	sqliteCantOpen = 14 // SQLITE_CANTOPEN: missing folder, read-only folder, no permission
	sqliteNotADB   = 26 // SQLITE_NOTADB
)

// checkFolder refuses a path whose folder does not exist: SQLite would
// only say "unable to open database file (14)".
func checkFolder(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return Errorf(ENOTFOUND, "db_error_folder_missing", map[string]any{"Path": path, "Folder": dir},
			"the folder %s of the database %s does not exist: create it, or set [storage] path to a file in a folder that exists", dir, path)
	}
	return nil
}

// openError explains err, met while opening or first writing the database
// at path.
func openError(path string, err error) error {
	args := map[string]any{"Path": path, "Folder": filepath.Dir(path)}
	switch sqliteCode(err) & 0xff {
	case sqliteReadOnly, sqliteCantOpen:
		return Errorf(EFORBIDDEN, "db_error_read_only", args,
			"copbot cannot write the database %s (%v): the file, or its folder %s where SQLite keeps %s-wal and %s-shm, is read-only or not copbot's; make both writable by copbot, or set [storage] path to a writable place",
			path, err, args["Folder"], filepath.Base(path), filepath.Base(path))
	case sqliteNotADB:
		return Errorf(EINVALID, "db_error_not_database", args,
			"%s is not an SQLite database (%v): set [storage] path to copbot's database, or to a new file", path, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// OpenReadOnly opens an existing database for reading only, for a backup
// or an inspection of a database on a read-only mount: no migration runs
// and nothing is written, so the DB answers reads of the schema the file
// has, and every write fails. SQLite reads a database in WAL mode only if
// it may create (or finds) the -wal and -shm files beside it; in a
// read-only folder without them, the file is opened immutable, which is
// exact when its log is empty (a database closed cleanly). A log that
// holds changes not yet in the file cannot be read there: EFORBIDDEN
// db_error_wal_pending {Path, Folder}. A missing file is ENOTFOUND
// db_error_missing {Path, Folder}; see Open for the other errors.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if err := checkFolder(path); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, Errorf(ENOTFOUND, "db_error_missing", map[string]any{"Path": path, "Folder": filepath.Dir(path)},
			"there is no database at %s: check [storage] path", path)
	}
	d, err := openReadOnly(ctx, path, url.Values{"mode": {"ro"}})
	if sqliteCode(err)&0xff == sqliteCantOpen {
		if walPending(path) {
			return nil, Errorf(EFORBIDDEN, "db_error_wal_pending", map[string]any{"Path": path, "Folder": filepath.Dir(path)},
				"the log %s-wal holds changes not yet in %s, and its folder is read-only, so they cannot be read: copy the database's three files to a writable folder and read the copy, or let copbot close it cleanly first",
				path, path)
		}
		d, err = openReadOnly(ctx, path, url.Values{"immutable": {"1"}})
	}
	if err != nil {
		return nil, openError(path, err)
	}
	return d, nil
}

// openReadOnly connects with extra (mode=ro or immutable=1) and reads the
// schema, which opens the file.
func openReadOnly(ctx context.Context, path string, extra url.Values) (*DB, error) {
	d := connect(path, extra)
	err := d.read(ctx, func(t *tx) error {
		_, err := t.count("SELECT count(*) FROM sqlite_schema")
		return err
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// walPending reports whether the write-ahead log beside path holds
// anything. A database closed cleanly has none: the last connection folds
// the log into the file and deletes it.
func walPending(path string) bool {
	fi, err := os.Stat(path + "-wal")
	return err == nil && fi.Size() > 0
}
