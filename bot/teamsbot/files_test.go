package teamsbot

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
)

// The file consent flow on the fake connector: the offer, the person's
// consent (a signed fileConsent/invoke), the upload to the URL the consent
// gives, the file card.

// personalActivity is the personal-chat invoke fixture turned into an
// activity of type and name with value, from the same person.
func (f *fakeBF) personalActivity(t *testing.T, typ, name string, value any) ([]byte, string) {
	t.Helper()
	body, su := f.inbound("teams-invoke-adaptivecard-action-execute.json")
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	m["type"], m["name"], m["value"] = typ, name, value
	m["id"] = "f:" + name + time.Now().Format("150405.000000000")
	if typ == "message" {
		delete(m, "name")
		delete(m, "value")
		m["text"] = value
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out, su
}

// posted returns the activities the bot posted, decoded, in order.
func posted(t *testing.T, f *fakeBF) []map[string]any {
	var out []map[string]any
	for _, c := range f.recorded() {
		if c.Method == http.MethodPost && strings.Contains(c.Path, "/activities") {
			out = append(out, decode(t, c.Body))
		}
	}
	return out
}

// attachmentOf returns the only attachment of an activity.
func attachmentOf(t *testing.T, act map[string]any) map[string]any {
	t.Helper()
	atts, _ := act["attachments"].([]any)
	if len(atts) != 1 {
		t.Fatalf("attachments %v, want one", act["attachments"])
	}
	return atts[0].(map[string]any)
}

func reportReply() handlers.Reply {
	return handlers.Reply{Kind: "report", Lang: "en", Visibility: handlers.InChannel, Text: "Report to the Council",
		Blocks: []handlers.Block{handlers.Section{Text: "Report to the Council"}},
		File:   &handlers.File{Name: "copbot-report.en.html", MIME: "text/html; charset=utf-8", Data: []byte("<!DOCTYPE html><title>Report</title>")}}
}

// TestFileConsentFlow: a reply with a file posts its card, then a file
// consent card (never a data: URL); accepting uploads the bytes to the
// consent's upload URL without the bot token and posts the file card.
func TestFileConsentFlow(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	rec := &recorder{reply: reportReply()}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))

	body, su := f.personalActivity(t, "message", "", "report")
	if status, _ := signedPost(t, f, b, body, su); status != 200 {
		t.Fatalf("status %d", status)
	}
	acts := posted(t, f)
	if len(acts) != 2 {
		t.Fatalf("%d activities posted, want the card and the consent card", len(acts))
	}
	for _, c := range f.recorded() {
		if bytes.Contains(c.Body, []byte("data:")) {
			t.Fatalf("a data: URL was sent: %s", c.Body)
		}
	}
	consent := attachmentOf(t, acts[1])
	content, _ := consent["content"].(map[string]any)
	accept, _ := content["acceptContext"].(map[string]any)
	if consent["contentType"] != fileConsentType || consent["name"] != "copbot-report.en.html" ||
		content["sizeInBytes"] != float64(len(reportReply().File.Data)) || accept["file"] == "" ||
		!strings.Contains(content["description"].(string), "copbot-report.en.html") {
		t.Fatalf("consent card %v", consent)
	}

	uploadInfo := map[string]any{"contentUrl": "https://contoso.sharepoint.com/personal/rido/Documents/Applications/copbot-report.en.html",
		"name": "copbot-report.en.html", "uploadUrl": f.srv.URL + "/upload/copbot-report.en.html",
		"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C", "fileType": "html", "etag": "123"}
	value := map[string]any{"type": "fileUpload", "action": "accept", "context": accept, "uploadInfo": uploadInfo}
	body, su = f.personalActivity(t, "invoke", "fileConsent/invoke", value)
	if status, out := signedPost(t, f, b, body, su); status != 200 || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("invoke answered %d %q, want 200 and no body", status, out)
	}
	var put *recorded
	for _, c := range f.recorded() {
		if c.Method == http.MethodPut && strings.HasPrefix(c.Path, "/upload/") {
			put = &c
		}
	}
	if put == nil || !bytes.Equal(put.Body, reportReply().File.Data) || put.Auth != "" {
		t.Fatalf("upload %+v, want the file's bytes without a token", put)
	}
	acts = posted(t, f)
	info := attachmentOf(t, acts[len(acts)-1])
	content, _ = info["content"].(map[string]any)
	if info["contentType"] != fileInfoType || info["contentUrl"] != uploadInfo["contentUrl"] ||
		content["uniqueId"] != uploadInfo["uniqueId"] || content["fileType"] != "html" {
		t.Errorf("file card %v", info)
	}

	// The same consent again: the file was handed over once and is gone.
	body, su = f.personalActivity(t, "invoke", "fileConsent/invoke", value)
	signedPost(t, f, b, body, su)
	acts = posted(t, f)
	if card := cardOf(t, acts[len(acts)-1]); !strings.Contains(card["fallbackText"].(string), "no longer available") {
		t.Errorf("second accept answered %v", card["fallbackText"])
	}
}

// TestFileConsentDeclinedOrLate: a declined file is forgotten and nothing is
// uploaded; one accepted after an hour is gone, and the person is told to
// run the command again; nobody can accept another person's file.
func TestFileConsentDeclinedOrLate(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	b := startBot(t, f, f.config(), &recorder{}, mustTranslator(t))
	file := reportReply().File
	offer := func(user string) map[string]string {
		m := b.consentMessage(file, "en", user)
		return m.Attachments[0].Content.(consentCard).AcceptContext
	}
	const rido = "29:1uMVvhoAyfTqdMsyvHL0qlJTTfQF9MOUSI8_cQts2kdSWEZVDyJO2jz-CsNOhQcdYq1Bw4cHT0__O6XDj4AZ-Jw"
	upload := map[string]any{"uploadUrl": f.srv.URL + "/upload/x", "name": "x"}
	tests := []struct {
		name, action, user string
		wait               time.Duration
		wantNote           string
	}{
		{"declined", "decline", rido, 0, ""},
		{"an hour late", "accept", rido, fileTTL + time.Minute, "no longer available"},
		{"someone else's", "accept", "29:other", 0, "no longer available"},
	}
	for _, tt := range tests {
		before := len(posted(t, f))
		ctx := offer(tt.user)
		clk.Add(tt.wait)
		body, su := f.personalActivity(t, "invoke", "fileConsent/invoke",
			map[string]any{"type": "fileUpload", "action": tt.action, "context": ctx, "uploadInfo": upload})
		if status, _ := signedPost(t, f, b, body, su); status != 200 {
			t.Fatalf("%s: status %d", tt.name, status)
		}
		acts := posted(t, f)[before:]
		switch {
		case tt.wantNote == "" && len(acts) != 0:
			t.Errorf("%s: posted %d messages", tt.name, len(acts))
		case tt.wantNote != "" && (len(acts) != 1 || !strings.Contains(cardOf(t, acts[0])["fallbackText"].(string), tt.wantNote)):
			t.Errorf("%s: posted %v, want the note %q", tt.name, acts, tt.wantNote)
		}
	}
	for _, c := range f.recorded() {
		if c.Method == http.MethodPut {
			t.Errorf("uploaded %s although no consent was valid", c.Path)
		}
	}
}

// TestFileStoreBounded: waiting files are capped in number and bytes, the
// oldest dropped first.
func TestFileStoreBounded(t *testing.T) {
	clk := newClock()
	s := newFileStore(clk.Now)
	var ids []string
	for range maxFiles + 10 {
		ids = append(ids, s.put(&handlers.File{Name: "f", Data: []byte("x")}, "u"))
	}
	if len(s.files) != maxFiles {
		t.Errorf("%d files held, want %d", len(s.files), maxFiles)
	}
	if _, ok := s.take(ids[0], account{ID: "u"}); ok {
		t.Error("the oldest file outlived the cap")
	}
	if _, ok := s.take(ids[len(ids)-1], account{ID: "u"}); !ok {
		t.Error("the newest file was dropped")
	}
	big := &handlers.File{Name: "big", Data: make([]byte, maxFileBytes/2+1)}
	s.put(big, "u")
	s.put(big, "u")
	if s.bytes > maxFileBytes {
		t.Errorf("%d bytes held, cap %d", s.bytes, maxFileBytes)
	}
}
