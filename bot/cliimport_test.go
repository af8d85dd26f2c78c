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
