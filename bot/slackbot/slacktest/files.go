package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// This file is the fake's side of Slack's external file upload (files
// upload v2), with the shapes and rules Slack documents:
//
//  1. files.getUploadURLExternal(filename, length) answers an upload_url and
//     a file_id; both arguments are required.
//  2. The bytes are POSTed to upload_url, raw or as a multipart form; Slack
//     answers 200 "OK - <length>", and anything but 200 is a failure. A
//     body whose size is not the announced length is refused here.
//  3. files.completeUploadExternal(files=[{"id","title"}], channel_id, …)
//     shares the uploaded files, once: completing an id that was not
//     uploaded, or twice, fails.

// File is a file shared through the external upload.
type File struct {
	ID, Name, Title string
	Channel         string // channel_id or channels it was shared to ("" when private)
	ThreadTS        string
	InitialComment  string
	Data            []byte
}

// pendingFile is an upload between its URL and its completion.
type pendingFile struct {
	name     string
	length   int
	data     []byte
	uploaded bool
	done     bool
}

// Files returns the files shared so far, in completion order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]File(nil), s.files...)
}

// uploadURL answers files.getUploadURLExternal. The caller holds s.mu.
func (s *Server) uploadURL(form url.Values) map[string]any {
	name := form.Get("filename")
	length, err := strconv.Atoi(form.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return map[string]any{"ok": false, "error": "invalid_arguments"}
	}
	s.ts++
	id := fmt.Sprintf("F%06d", s.ts)
	s.pending[id] = &pendingFile{name: name, length: length}
	return map[string]any{"ok": true, "upload_url": s.URL() + "/upload/v1/" + id, "file_id": id}
}

// upload takes the bytes POSTed to an upload URL.
func (s *Server) upload(w http.ResponseWriter, c Call) {
	id := c.Path[strings.LastIndex(c.Path, "/")+1:]
	data, err := uploadedBytes(c)
	s.mu.Lock()
	p := s.pending[id]
	switch {
	case p == nil || p.done:
		err = fmt.Errorf("no upload %s in progress", id)
	case err == nil && len(data) != p.length:
		err = fmt.Errorf("%d bytes uploaded, %d announced", len(data), p.length)
	case err == nil:
		p.data, p.uploaded = data, true
	}
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

// uploadedBytes reads a file's bytes from an upload: the first part of a
// multipart form, else the raw body.
func uploadedBytes(c Call) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(c.ContentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return c.Body, nil
	}
	r := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
	for {
		part, err := r.NextPart()
		if err != nil {
			return nil, fmt.Errorf("multipart upload without a file: %w", err)
		}
		if part.FileName() != "" || part.FormName() == "file" {
			return io.ReadAll(part)
		}
	}
}

// completeUpload answers files.completeUploadExternal: each file must have
// been uploaded and not completed yet. The caller holds s.mu.
func (s *Server) completeUpload(form url.Values) map[string]any {
	var files []map[string]any
	if err := json.Unmarshal([]byte(form.Get("files")), &files); err != nil || len(files) == 0 {
		return map[string]any{"ok": false, "error": "invalid_arguments"}
	}
	for _, f := range files {
		p := s.pending[str(f["id"])]
		if p == nil || !p.uploaded || p.done {
			return map[string]any{"ok": false, "error": "file_not_found"}
		}
	}
	// channel_id names one conversation; channels, a list of
	// conversations or people (a person: the app's DM with them).
	shareTo := form.Get("channel_id")
	if shareTo == "" {
		shareTo = form.Get("channels")
	}
	var out []map[string]any
	for _, f := range files {
		id := str(f["id"])
		p := s.pending[id]
		p.done = true
		title := str(f["title"])
		if title == "" {
			title = p.name
		}
		s.files = append(s.files, File{ID: id, Name: p.name, Title: title, Channel: shareTo,
			ThreadTS: form.Get("thread_ts"), InitialComment: form.Get("initial_comment"), Data: p.data})
		sf := map[string]any{"id": id, "title": title, "name": p.name, "size": len(p.data)}
		if shareTo != "" {
			sf["channels"] = strings.Split(shareTo, ",")
		}
		out = append(out, sf)
	}
	return map[string]any{"ok": true, "files": out}
}
