package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIImportFileErrorsBilingual (issue 11, item 5): file errors are in
// both languages and print no misleading "Roster imported" report; without
// -lang the report is in both languages, with -lang in that one.
func TestCLIImportFileErrorsBilingual(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("name,email\nAda,ada@x.ca\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		want      []string // in stdout + stderr
		forbidden []string
	}{
		{"missing file", []string{"import", "members", filepath.Join(dir, "nope.csv")},
			[]string{"no such file / fichier introuvable"}, []string{"Roster imported"}},
		{"folder", []string{"import", "members", dir},
			[]string{"is a folder, not a CSV file / est un dossier"}, []string{"Roster imported", "Rows read"}},
		{"bad header, no -lang", []string{"import", "members", bad},
			[]string{"The column “organization” is missing.", "la colonne", "Nothing was changed", "Rien n’a été modifié"}, nil},
		{"bad header, -lang fr", []string{"import", "members", bad, "-lang", "fr"},
			[]string{"la colonne"}, []string{"The column"}},
		{"bad -lang", []string{"import", "members", bad, "-lang", "de"},
			[]string{"is not en or fr / "}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, dir, "", tt.args...)
			all := out + errOut
			if code == 0 {
				t.Errorf("exit 0:\n%s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(all, f) {
					t.Errorf("output has %q:\n%s", f, all)
				}
			}
		})
	}
}

// TestCLIImportPastMeetings: `copbot import meetings` records meetings that
// took place; the report of their period lists them (a second import adds
// nothing), and `-next-from`/`-next-to` set the next period's dates.
func TestCLIImportPastMeetings(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	file := filepath.Join(dir, "past.csv")
	if err := os.WriteFile(file, []byte("date,time,title,theme\n2026-03-18,13:00,Spring meeting / Réunion du printemps,Accessibility\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, dir, "", "import", "meetings", file)
	if code != 0 || !strings.Contains(out, "1 past meeting imported as held") || !strings.Contains(out, "1 réunion passée importée comme tenue") {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = cli(t, dir, "", "import", "meetings", file, "-lang", "en"); code != 0 || !strings.Contains(out, "0 past meetings imported as held (1 was already there)") {
		t.Fatalf("second import: %d\n%s", code, out)
	}
	code, out, errOut = cli(t, dir, "", "report", "--from", "2026-01-01", "--to", "2026-06-30", "-next-to", "2027-03-31", "-lang", "en")
	for _, w := range []string{"### March 18, 2026 — Spring meeting", "next period, July 1, 2026 to March 31, 2027"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("report lacks %q: %d\n%s%s", w, code, out, errOut)
		}
	}
	if code, _, errOut = cli(t, dir, "", "report", "--from", "2026-01-01", "--to", "2026-06-30", "-next-from", "soon"); code == 0 {
		t.Errorf("bad -next-from accepted: %s", errOut)
	}
}
