// Package storagetest helps tests break a copbot database on purpose:
// damage its pages, make it or its folder read-only.
package storagetest

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DamagePage writes garbage over the first page of the table or index
// called name in the closed SQLite database at path, as a failing disk
// would. The file still opens; reading that b-tree fails, and so do
// PRAGMA quick_check and integrity_check.
func DamagePage(t testing.TB, path, name string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var root, size int64
	err = db.QueryRow("SELECT rootpage FROM sqlite_master WHERE name = ?", name).Scan(&root)
	if err == nil {
		err = db.QueryRow("PRAGMA page_size").Scan(&size)
	}
	db.Close()
	if err != nil {
		t.Fatalf("find %s in %s: %v", name, path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff\x00garbage", 64)), (root-1)*size); err != nil {
		t.Fatal(err)
	}
}
