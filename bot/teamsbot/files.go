package teamsbot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"copbot/handlers"
)

// Files go to people the way Teams documents for bots ("Send and receive
// files using bot", Teams bot APIs): only in a personal chat, and only with
// the person's consent.
//
//  1. copbot posts a file consent card (contentType
//     application/vnd.microsoft.teams.card.file.consent) naming the file,
//     its size and a context that identifies it.
//  2. Accepting sends the invoke fileConsent/invoke with action "accept"
//     and uploadInfo: a OneDrive upload URL and the file's future address.
//  3. copbot PUTs the bytes to uploadInfo.uploadUrl (Content-Range, no bot
//     token: the URL is pre-authorized), then posts a file info card
//     (application/vnd.microsoft.teams.card.file.info) the person opens.
//
// Between 1 and 2 the bytes wait in memory, bounded in count, size and
// time; a consent given after a restart or expiry gets a note asking to
// run the command again.

const (
	fileConsentType = "application/vnd.microsoft.teams.card.file.consent"
	fileInfoType    = "application/vnd.microsoft.teams.card.file.info"

	fileTTL      = time.Hour
	maxFiles     = 256
	maxFileBytes = 64 << 20 // all files waiting, together
)

// fileStore keeps files offered and not yet accepted or declined.
type fileStore struct {
	mu    sync.Mutex
	now   func() time.Time
	files map[string]*heldFile
	order []string // ids, oldest first
	bytes int
}

type heldFile struct {
	file    *handlers.File
	user    string // the person it was offered to: a 29: id or an Entra object id
	expires time.Time
}

func newFileStore(now func() time.Time) *fileStore {
	return &fileStore{now: now, files: map[string]*heldFile{}}
}

// put holds f for user and returns its id: 128 random bits, so that a
// consent cannot be forged for another person's file.
func (s *fileStore) put(f *handlers.File, user string) string {
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = &heldFile{file: f, user: user, expires: s.now().Add(fileTTL)}
	s.order = append(s.order, id)
	s.bytes += len(f.Data)
	for len(s.order) > 1 && (len(s.order) > maxFiles || s.bytes > maxFileBytes) {
		s.dropLocked(s.order[0])
	}
	return id
}

// take removes and returns the file id holds for the person who answers
// the consent (known by their 29: id or Entra object id), if it has not
// expired.
func (s *fileStore) take(id string, who account) (*handlers.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.files[id]
	if !ok || h.user != who.ID && (who.AADObjectID == "" || h.user != who.AADObjectID) {
		return nil, false
	}
	s.dropLocked(id)
	return h.file, s.now().Before(h.expires)
}

func (s *fileStore) dropLocked(id string) {
	if h, ok := s.files[id]; ok {
		s.bytes -= len(h.file.Data)
		delete(s.files, id)
	}
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

// consentCard is the content of a file consent card.
type consentCard struct {
	Description    string            `json:"description"`
	SizeInBytes    int               `json:"sizeInBytes"`
	AcceptContext  map[string]string `json:"acceptContext"`
	DeclineContext map[string]string `json:"declineContext"`
}

// fileInfo is the content of a file info card.
type fileInfo struct {
	UniqueID string `json:"uniqueId"`
	FileType string `json:"fileType"`
}

// files are the documents that follow r's card: r's own (a report, an
// export), then the whole reply when the card could not hold it.
func files(r handlers.Reply, c *card) []*handlers.File {
	var out []*handlers.File
	for _, f := range []*handlers.File{r.File, c.overflow} {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// sendFiles offers each file to the person act comes from, in their
// personal chat with the bot (the only place Teams lets a bot send one).
func (a *Adapter) sendFiles(ctx context.Context, act *activity, r handlers.Reply, fs []*handlers.File) error {
	var errs []error
	for _, f := range fs {
		m := a.consentMessage(f, lang(r), act.From.ID)
		if act.personal() {
			errs = append(errs, a.send(ctx, act, m))
		} else {
			errs = append(errs, a.sendPrivately(ctx, act, m))
		}
	}
	return errors.Join(errs...)
}

// consentMessage is the message with the consent card for f, held for user.
func (a *Adapter) consentMessage(f *handlers.File, lang, user string) outActivity {
	id := a.files.put(f, user)
	ctx := map[string]string{"file": id}
	return outActivity{Type: "message", Attachments: []attachment{{ContentType: fileConsentType, Name: f.Name,
		Content: consentCard{Description: a.tr.T(lang, "teams_file_description", map[string]any{"File": f.Name}),
			SizeInBytes: len(f.Data), AcceptContext: ctx, DeclineContext: ctx}}}}
}

// consentValue is the value of a fileConsent/invoke.
type consentValue struct {
	Type       string            `json:"type"`
	Action     string            `json:"action"`
	Context    map[string]string `json:"context"`
	UploadInfo struct {
		ContentURL string `json:"contentUrl"`
		Name       string `json:"name"`
		UploadURL  string `json:"uploadUrl"`
		UniqueID   string `json:"uniqueId"`
		FileType   string `json:"fileType"`
	} `json:"uploadInfo"`
}

// onFileConsent answers a fileConsent/invoke: on "accept", uploads the
// file and posts its card; on "decline", forgets it. Failures are told to
// the person in the chat. The invoke itself is always answered 200.
func (a *Adapter) onFileConsent(ctx context.Context, act *activity) {
	var v consentValue
	if err := json.Unmarshal(act.Value, &v); err != nil {
		a.log.Warn("bad file consent", "err", err)
		return
	}
	f, ok := a.files.take(v.Context["file"], act.From)
	if v.Action != "accept" {
		return
	}
	l := a.svc.Language(ctx, act.request(""))
	if !ok {
		a.tell(ctx, act, l, a.tr.T(l, "teams_file_expired", nil))
		return
	}
	if err := a.putFile(ctx, v.UploadInfo.UploadURL, f); err != nil {
		a.log.Error("file upload to OneDrive failed", "file", f.Name, "err", err)
		a.tell(ctx, act, l, a.tr.T(l, "teams_file_failed", map[string]any{"File": f.Name}))
		return
	}
	u := v.UploadInfo
	m := outActivity{Type: "message", Attachments: []attachment{{ContentType: fileInfoType, Name: u.Name,
		ContentURL: u.ContentURL, Content: fileInfo{UniqueID: u.UniqueID, FileType: u.FileType}}}}
	if err := a.send(ctx, act, m); err != nil {
		a.log.Error("file card not posted", "file", f.Name, "err", err)
	}
}

// putFile uploads f to a OneDrive upload URL in one request, as Microsoft's
// samples do. The URL carries its own authorization: the bot token is not
// sent, and only https (or loopback, for tests) is accepted.
func (a *Adapter) putFile(ctx context.Context, uploadURL string, f *handlers.File) error {
	if !validServiceURL(uploadURL) {
		return fmt.Errorf("upload URL %q is not https", uploadURL)
	}
	ctx, cancel := context.WithTimeout(ctx, a.conn.callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, bytes.NewReader(f.Data))
	if err != nil {
		return err
	}
	n := len(f.Data)
	req.Header.Set("Content-Type", f.MIME)
	req.Header.Set("Content-Range", "bytes 0-"+strconv.Itoa(n-1)+"/"+strconv.Itoa(n))
	resp, err := a.conn.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrBodyShow))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("PUT upload: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// tell posts a short text, in lang, into act's conversation.
func (a *Adapter) tell(ctx context.Context, act *activity, lang, text string) {
	r := handlers.Reply{Kind: "notice", Lang: lang, Text: text,
		Blocks: []handlers.Block{handlers.Section{Text: text}}}
	if err := a.send(ctx, act, message(r, a.rd.card(r))); err != nil {
		a.log.Error("note not posted", "err", err)
	}
}
