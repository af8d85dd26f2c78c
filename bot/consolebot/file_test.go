package consolebot

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/storage"
)

// TestConsoleReportWritesFile: in the console, the report command prints
// its summary and writes the file, naming its path.
func TestConsoleReportWritesFile(t *testing.T) {
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, _, err := features.New(db, handlers.Options{Coordinators: []storage.Identity{{Platform: storage.PlatformConsole, ID: "alice"}}},
		time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	var out bytes.Buffer
	c := New(svc, strings.NewReader("report 2026-09-01 2027-01-31 --format md\n"), &out, "alice", "en", false)
	c.FileDir = t.TempDir()
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.FileDir, "copbot-report-2026-09-01-2027-01-31.en.md")
	if !strings.Contains(out.String(), "Report to the Public Sector Service Delivery Council") || !strings.Contains(out.String(), "file written / fichier écrit\u00a0: "+path) {
		t.Fatalf("console output:\n%s", out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "# Report to the Public Sector Service Delivery Council") {
		t.Errorf("file %s: %v\n%.300s", path, err, b)
	}
}
