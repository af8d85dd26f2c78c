package teamsbot

import (
	"encoding/base64"
	"strings"
	"testing"

	"copbot/handlers"
)

// TestReplyFileIsAttached: the report file follows the card as an inline
// attachment with its name and type.
func TestReplyFileIsAttached(t *testing.T) {
	data := []byte("<!DOCTYPE html><title>Report</title>")
	r := handlers.Reply{Kind: "report", Lang: "en", Text: "Report to the Council", Blocks: []handlers.Block{handlers.Section{Text: "Report"}},
		File: &handlers.File{Name: "copbot-report-2026-09-01-2027-01-31.en.html", MIME: "text/html; charset=utf-8", Data: data}}
	m := message(r, newCard(r))
	if len(m.Attachments) != 2 || m.Attachments[0].ContentType != cardContentType {
		t.Fatalf("attachments %+v, want the card then the file", m.Attachments)
	}
	f := m.Attachments[1]
	prefix := "data:text/html;charset=utf-8;base64,"
	if f.ContentType != "text/html" || f.Name != "copbot-report-2026-09-01-2027-01-31.en.html" || !strings.HasPrefix(f.ContentURL, prefix) {
		t.Fatalf("file attachment %+v", f)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(f.ContentURL, prefix))
	if err != nil || string(got) != string(data) {
		t.Errorf("file content %q, %v", got, err)
	}
	if m := message(handlers.Reply{Text: "x"}, newCard(handlers.Reply{Text: "x"})); len(m.Attachments) != 1 {
		t.Errorf("a reply without a file has %d attachments", len(m.Attachments))
	}
}
