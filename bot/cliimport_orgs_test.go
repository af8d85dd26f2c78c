package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIImportNewOrgs: a row whose organization is close to a registry
// entry refuses the import with the suggestion, in both languages;
// -new-orgs imports it as a new organization.
func TestCLIImportNewOrgs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	file := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(file, []byte("name,organization,order,jurisdiction\nAda Roy,Statistic Canada,federal,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, dir, "", "import", "members", file)
	all := out + errOut
	if code == 0 || !strings.Contains(all, "Did you mean Statistics Canada (StatCan)?") ||
		!strings.Contains(all, "Vouliez-vous dire Statistique Canada (StatCan)") || !strings.Contains(all, "-new-orgs") {
		t.Fatalf("without -new-orgs: exit %d\n%s", code, all)
	}
	code, out, errOut = cli(t, dir, "", "import", "members", file, "-new-orgs", "-lang", "en")
	if code != 0 || !strings.Contains(out, "New members: 1.") {
		t.Fatalf("with -new-orgs: exit %d\n%s%s", code, out, errOut)
	}
}
