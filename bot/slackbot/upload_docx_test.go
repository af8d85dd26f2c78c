package slackbot

import (
	"net/http"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/internal/docx/docxtest"
	"copbot/storage"
)

// TestReportDOCXUploadsIntact: "report … --format docx" uploads the Word
// file, a binary zip, byte for byte through Slack's external upload, to
// the coordinator's direct messages.
func TestReportDOCXUploadsIntact(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOptions(func(o *handlers.Options) {
		o.Coordinators = []storage.Identity{{Platform: storage.PlatformSlack, ID: "U0COORD"}}
	}))
	resp := e.command("report 2026-09-01 2027-01-31 --format docx", "U0COORD")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ack %d", resp.StatusCode)
	}
	body(t, resp)
	if done := e.fake.WaitFor("files.completeUploadExternal", 1, waitLimit); len(done) != 1 {
		t.Fatalf("%d files.completeUploadExternal calls, want 1", len(done))
	}
	files := e.fake.Files()
	if len(files) != 1 || files[0].Name != "copbot-report-2026-09-01-2027-01-31.en.docx" || files[0].Channel != "U0COORD" {
		t.Fatalf("files: %+v", files)
	}
	doc := docxtest.CheckPackage(t, files[0].Data)["word/document.xml"]
	if !strings.Contains(doc, "Problems and challenges") {
		t.Errorf("uploaded document.xml lacks the report:\n%.1000s", doc)
	}
}
