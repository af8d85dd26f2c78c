package bot

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIAudit: an import and an export run on the command line, and a
// role given in the console, are in the audit log that `copbot audit`
// prints, oldest first, filtered by actor, action and dates, or as JSON.
func TestCLIAudit(t *testing.T) {
	roster := filepath.Join(testRoot(t), "handlers/directory/testdata/report_roster_semicolon.csv")
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"import", "members", roster}, {"export", "members", "-o", filepath.Join(dir, "out.csv")}} {
		if code, out, errOut := cli(t, dir, "", args...); code != 0 {
			t.Fatalf("%v: exit %d: %s%s", args, code, out, errOut)
		}
	}
	if code, out, errOut := cli(t, dir, "coordinators add slack:U0NEW\n", "console", "-as", "coordinator"); code != 0 ||
		!strings.Contains(out, "U0NEW") {
		t.Fatalf("console: exit %d: %s%s", code, out, errOut)
	}
	code, out, errOut := cli(t, dir, "", "audit")
	if code != 0 {
		t.Fatalf("audit: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "WHEN") {
		t.Fatalf("audit printed %d lines, want a header and 3 entries:\n%s", len(lines), out)
	}
	for i, want := range [][]string{
		{"command line (", "members.import", "created=81"},
		{"command line (", "members.export", "members=81"},
		{"console:coordinator", "role.add", "slack:U0NEW"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("entry %d lacks %q: %s", i+1, w, lines[i+1])
			}
		}
	}
	filtered := []struct {
		args []string
		want int // entries
	}{
		{[]string{"audit", "-actor", "coordinator"}, 1},
		{[]string{"audit", "-action", "members.export"}, 1},
		{[]string{"audit", "-since", "2999-01-01"}, 0},
		{[]string{"audit", "-until", "2000-01-01"}, 0},
	}
	for _, f := range filtered {
		code, out, errOut := cli(t, dir, "", f.args...)
		got := strings.Count(out, "\n") - 1
		if f.want == 0 && strings.Contains(out, "no audit entries") {
			got = 0
		}
		if code != 0 || got != f.want {
			t.Errorf("%v: exit %d, %d entries, want %d:\n%s%s", f.args, code, got, f.want, out, errOut)
		}
	}
	code, out, _ = cli(t, dir, "", "audit", "-json", "-action", "role.add")
	var row map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &row) != nil || row["actor"] != "console:coordinator" || row["target"] != "slack:U0NEW" {
		t.Errorf("audit -json: exit %d: %s", code, out)
	}
	if code, _, errOut := cli(t, dir, "", "audit", "-since", "yesterday"); code == 0 || !strings.Contains(errOut, "AAAA-MM-JJ") {
		t.Errorf("a bad date: exit %d: %s", code, errOut)
	}
}
