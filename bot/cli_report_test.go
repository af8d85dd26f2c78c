package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copbot/internal/docx/docxtest"
)

// TestCLIReportDOCX: copbot report -format docx writes the Word file
// under the report's own name when no -o is given (never the zip's bytes
// onto a terminal), and to standard output only with "-o -".
func TestCLIReportDOCX(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, out, errOut := cli(t, dir, "", "demo"); code != 0 {
		t.Fatalf("demo exit %d: %s%s", code, out, errOut)
	}
	code, out, errOut := cli(t, dir, "", "report", "--from", "2026-09-01", "--to", "2027-01-31", "-lang", "fr", "-format", "docx")
	name := "copbot-report-2026-09-01-2027-01-31.fr.docx"
	if code != 0 || out != "" || !strings.Contains(errOut, "wrote "+name) {
		t.Fatalf("report docx: exit %d, stdout %d bytes, stderr %s", code, len(out), errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if doc := docxtest.CheckPackage(t, b)["word/document.xml"]; !strings.Contains(doc, "81 personnes représentant 6 ministères fédéraux") {
		t.Errorf("document.xml lacks the French figures:\n%.2000s", doc)
	}
	code, out, errOut = cli(t, dir, "", "report", "--from", "2026-09-01", "--to", "2027-01-31", "-lang", "en", "-format", "docx", "-o", "-")
	if code != 0 || !strings.Contains(docxtest.CheckPackage(t, []byte(out))["docProps/core.xml"], "<dc:language>en-CA</dc:language>") {
		t.Fatalf("report docx -o -: exit %d, %s", code, errOut)
	}
}
