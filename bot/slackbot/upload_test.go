package slackbot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
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
	files := e.fake.Files()
	if len(up) != 1 || len(files) != 1 || !bytes.Contains(files[0].Data, []byte("<!DOCTYPE html>")) ||
		!bytes.Contains(files[0].Data, []byte("Problems and challenges")) {
		t.Fatalf("upload: %d calls, files %d", len(up), len(files))
	}
	// The report names outreach contacts: it goes to the coordinator's
	// direct messages, never into the channel the command came from.
	if got := files[0].Channel; got != "U0COORD" {
		t.Errorf("shared to %q, want the coordinator's direct messages (U0COORD), not the channel C0CHAN", got)
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

// TestLongAnswerOverflowsIntoPrivateFile: a directory page longer than one
// Slack message (its text escaped) acks with its beginning and a note
// naming the file,
// and the whole answer follows as that file in the asker's direct messages
// (the answer was private, so its file is too), not in the channel.
func TestLongAnswerOverflowsIntoPrivateFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 150 {
		in := marie()
		// A directory page holds 6,000 characters of names and titles, but
		// Slack counts them escaped: every & takes five.
		in.Name = fmt.Sprintf("Member %03d %s", i, strings.Repeat("R&D & Q&A ", 6))
		in.Title = strings.Repeat("R&D&Q&A&", 24)
		in.Email = fmt.Sprintf("m%03d@ontario.ca", i)
		e.join(in)
	}
	ack := body(t, e.command("who Ontario", "U0ASKER"))
	blocks, _ := ack["blocks"].([]any)
	raw, _ := json.Marshal(blocks)
	if problems, _ := slacktest.BlockProblems(raw, slacktest.MessageSurface); len(problems) > 0 || len(blocks) == 0 {
		t.Fatalf("ack refused by Slack: %v", problems)
	}
	last := mustJSON(t, blocks[len(blocks)-1])
	if !strings.Contains(last, "copbot-directory.txt") || ack["response_type"] != "ephemeral" {
		t.Fatalf("last block %s, want the note naming the file", last)
	}
	if got := e.fake.WaitFor("files.completeUploadExternal", 1, waitLimit); len(got) != 1 {
		t.Fatalf("%d uploads, want 1", len(got))
	}
	files := e.fake.Files()
	if len(files) != 1 || files[0].Name != "copbot-directory.txt" || files[0].Channel != "U0ASKER" {
		t.Fatalf("files %+v, want copbot-directory.txt in U0ASKER's messages", files)
	}
	for i := range 10 { // the first page of the directory begins with them
		if want := fmt.Sprintf("Member %03d ", i); !bytes.Contains(files[0].Data, []byte(want)) {
			t.Fatalf("the file lacks %s:\n%.600s", want, files[0].Data)
		}
	}
}

// TestPollExportUploadsCSV: `/cop poll export N` acks with a line naming
// the file, and the CSV goes up with files upload v2 into the
// coordinator's direct messages (it names voters), never as message text.
func TestPollExportUploadsCSV(t *testing.T) {
	t.Parallel()
	e := newStormEnv(t, 200)
	p := e.postPoll("Accessibility technology in contact centres", "Serving vulnerable communities")
	for i := range 200 {
		body(t, e.command(fmt.Sprintf("vote %d %d", p.ID, i%2+1), stormVoter(i)))
	}
	ack := body(t, e.command(fmt.Sprintf("poll export %d", p.ID), stormCoordinator))
	name := fmt.Sprintf("copbot-poll-%d.csv", p.ID)
	if text := e.answerText(ack); !strings.Contains(text, name) || len(text) > 500 {
		t.Fatalf("answer %q, want a short line naming %s", text, name)
	}
	if got := e.fake.WaitFor("files.completeUploadExternal", 1, waitLimit); len(got) != 1 {
		t.Fatalf("%d uploads, want 1", len(got))
	}
	f := e.fake.Files()[0]
	if f.Name != name || f.Channel != stormCoordinator || !bytes.HasPrefix(f.Data, []byte("kind,poll_id")) ||
		bytes.Count(f.Data, []byte("\nvote,")) != 200 {
		t.Errorf("file %s in %s, %d vote rows", f.Name, f.Channel, bytes.Count(f.Data, []byte("\nvote,")))
	}
}

// TestRosterExportUploadsPrivately: a coordinator's `/cop roster export`
// in a channel acks privately and the roster goes up as a CSV file into
// their direct messages, never into the channel.
func TestRosterExportUploadsPrivately(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOptions(func(o *handlers.Options) {
		o.Coordinators = []storage.Identity{{Platform: storage.PlatformSlack, ID: "U0COORD"}}
	}))
	e.join(marie())
	ack := body(t, e.command("roster export", "U0COORD"))
	if ack["response_type"] != "ephemeral" || strings.Contains(fmt.Sprint(ack["text"]), "@") {
		t.Fatalf("ack %v", ack)
	}
	if got := e.fake.WaitFor("files.completeUploadExternal", 1, waitLimit); len(got) != 1 {
		t.Fatalf("%d uploads, want 1", len(got))
	}
	f := e.fake.Files()[0]
	if !strings.HasPrefix(f.Name, "copbot-roster-") || f.Channel != "U0COORD" || !bytes.Contains(f.Data, []byte("marie.tremblay@ontario.ca")) {
		t.Errorf("file %s shared to %q", f.Name, f.Channel)
	}
}

// answerText is the text of a command's answer: the ack's, or, when the
// answer took longer than the ack may wait (a loaded machine), that of the
// response_url post that follows the working note.
func (e *env) answerText(ack map[string]any) string {
	e.t.Helper()
	text, _ := ack["text"].(string)
	if text != escape(e.svc.Translator().T("en", "slack_working", nil)) {
		return text
	}
	hooks := e.fake.WaitFor("hook", 1, time.Minute) // returns as soon as it comes
	if len(hooks) == 0 {
		e.t.Fatal("working note, and no answer at the response_url")
	}
	text, _ = hooks[0].JSON["text"].(string)
	return text
}
