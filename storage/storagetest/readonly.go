package storagetest

import (
	"os"
	"os/exec"
	"testing"
)

// MakeReadOnly makes the file or folder at path read-only for this
// process, and writable again when the test ends, as a read-only mount
// would. It uses file modes, or, for root (whom modes do not stop), the
// immutable attribute where chattr and the file system allow it. It
// reports false when neither works: the caller then tests with SQLite's
// read-only URIs (mode=ro, immutable=1) instead.
func MakeReadOnly(t testing.TB, path string) bool {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, fi.Mode().Perm()&^0o222); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(path, fi.Mode().Perm()) })
		return true
	}
	if err := exec.Command("chattr", "+i", path).Run(); err != nil {
		t.Logf("as root without chattr +i (%v): SQLite's read-only URIs stand in", err)
		return false
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
	return true
}
