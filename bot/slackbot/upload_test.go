package slackbot

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// TestReportCommandUploadsFile: a coordinator's /cop report acks with the
// summary, and the report goes up as a file with Slack's external upload
// into the channel the command came from.
func TestReportCommandUploadsFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOptions(func(o *handlers.Options) {
		o.Coordinators = []storage.Identity{{Platform: storage.PlatformSlack, ID: "U0COORD"}}
	}))
	resp := e.command("report 2026-09-01 2027-01-31", "U0COORD")
	ack := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(ack["text"].(string), "Report to the Public Sector Service Delivery Council") {
		t.Fatalf("ack %d %v", resp.StatusCode, ack)
	}
	done := e.fake.WaitFor("files.completeUploadExternal", 1, waitLimit)
	if len(done) != 1 {
		t.Fatalf("%d files.completeUploadExternal calls, want 1", len(done))
	}
	get := e.fake.Calls("files.getUploadURLExternal")
	up := e.fake.Calls("upload")
	if len(get) != 1 || get[0].Form.Get("filename") != "copbot-report-2026-09-01-2027-01-31.en.html" {
		t.Fatalf("files.getUploadURLExternal: %+v", get)
	}
	if len(up) != 1 || !bytes.Contains(up[0].Body, []byte("<!DOCTYPE html>")) ||
		!bytes.Contains(up[0].Body, []byte("Problems and challenges")) ||
		!strings.Contains(done[0].Form.Get("files"), `"`+strings.TrimPrefix(up[0].Path, "/upload/")+`"`) {
		t.Errorf("upload: %d calls, path %q", len(up), up[0].Path)
	}
	if got := done[0].Form.Get("channel_id"); got != "C0CHAN" {
		t.Errorf("shared to %q, want the command's channel C0CHAN", got)
	}
}

// TestReportCommandRefusedToMembers: nothing is uploaded for a non-coordinator.
func TestReportCommandRefusedToMembers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ack := body(t, e.command("report 2026-09-01 2027-01-31", "U0ANN"))
	if !strings.Contains(ack["text"].(string), "Only coordinators") {
		t.Fatalf("ack %v", ack)
	}
	if n := len(e.fake.Calls("files.getUploadURLExternal")); n != 0 {
		t.Errorf("%d uploads for a refused command", n)
	}
}
