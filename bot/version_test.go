package bot

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"copbot/storage"
)

func TestBuildInfoFromStampedBinary(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.27.3",
		Main: debug.Module{Path: "copbot", Version: "v1.4.0"},
		Deps: []*debug.Module{{Path: "modernc.org/sqlite", Version: "v1.62.0"}},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-12-07T16:00:00Z"}, {Key: "vcs.modified", Value: "true"},
			{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}}}
	got := buildInfoFrom(bi)
	got.SQLite = "3.51.2"
	var b strings.Builder
	if err := got.Write(&b); err != nil {
		t.Fatal(err)
	}
	ms := storage.Migrations()
	want := "copbot:      v1.4.0\n" +
		"revision:    0123456789abcdef (modified / modifié)\n" +
		"commit time: 2026-12-07T16:00:00Z\n" +
		"go:          go1.27.3 linux/arm64\n" +
		"sqlite:      3.51.2 (modernc.org/sqlite v1.62.0)\n" +
		"schema:      " + strings.TrimSuffix(ms[len(ms)-1], ".sql") + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// A binary built without VCS stamping (go test, -buildvcs=false) says so
// rather than printing an empty revision.
func TestVersionCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := cli(t, dir, "", "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"go:          " + runtime.Version(), "sqlite:      3.",
		"revision:    unknown (built without VCS information", "schema:      0"} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	if _, err := storage.SQLiteVersion(t.Context()); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("version created %s: it must not open a database", entries[0].Name())
	}
}
