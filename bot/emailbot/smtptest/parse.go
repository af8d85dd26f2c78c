package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Message is a received message read back: its headers (Subject decoded)
// and its parts by media type, decoded.
type Message struct {
	Header  mail.Header
	Subject string
	Parts   map[string]string            // media type → decoded body
	Params  map[string]map[string]string // media type → its parameters (method=REQUEST)
}

// Parse reads r's data as a multipart/alternative message.
func (r Received) Parse() (*Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return nil, fmt.Errorf("not a message: %w", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		return nil, fmt.Errorf("content type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return nil, err
	}
	out := &Message{Header: m.Header, Subject: subject, Parts: map[string]string{}, Params: map[string]map[string]string{}}
	pr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := pr.NextRawPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		pt, pp, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		var body io.Reader = part
		switch strings.ToLower(part.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(part)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		out.Parts[pt], out.Params[pt] = string(b), pp
	}
}

// Unfolded is an iCalendar text with its folded lines joined again.
func Unfolded(ics string) string { return strings.ReplaceAll(ics, "\r\n ", "") }
