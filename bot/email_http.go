package bot

import (
	"context"
	"errors"
	"html"
	"net/http"
	"strings"

	"copbot/bot/emailbot"
	"copbot/handlers/email"
	"copbot/storage"
)

// The unsubscribe link of every email (List-Unsubscribe, RFC 8058):
// /email/unsubscribe/TOKEN, where TOKEN is the member's own secret, good
// for nothing else. A GET only shows a page with a button, so that a
// mail scanner that follows links unsubscribes nobody; the POST (the
// button, or the mail client's one-click "List-Unsubscribe=One-Click")
// turns email off. An unknown token is a 404 and changes nothing. The
// pages are bilingual, English first, and name nobody.

// emailOptions builds the email adapter from [email] when smtp is set.
func (a *App) emailOptions(ctx context.Context, store *storage.DB, o AppOptions) (email.Options, error) {
	if a.cfg.Email.SMTP == "" {
		return email.Options{}, nil
	}
	ec := a.cfg.EmailSettings()
	id, err := store.InstallationID(ctx)
	if err != nil {
		return email.Options{}, err
	}
	ec.Salt, ec.TLSConfig = id, o.emailTLS
	s, err := emailbot.New(ec, a.log.With("platform", "email"))
	if err != nil {
		return email.Options{}, err
	}
	return email.Options{Sender: s, From: s.From(), PublicURL: a.cfg.HTTP.PublicURL}, nil
}

func (a *App) registerEmail(mux *http.ServeMux) {
	mux.HandleFunc("GET /email/unsubscribe/{token}", a.unsubscribePage)
	mux.HandleFunc("POST /email/unsubscribe/{token}", a.unsubscribe)
}

func (a *App) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	f := a.Features.Email
	a.emailPage(w, http.StatusOK, "email_unsubscribe_ask",
		`<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">`+
			html.EscapeString(f.Text("en", "email_unsubscribe_button")+" / "+f.Text("fr", "email_unsubscribe_button"))+
			`</button></form>`)
}

func (a *App) unsubscribe(w http.ResponseWriter, r *http.Request) {
	err := a.Features.Email.Unsubscribe(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		a.emailPage(w, http.StatusNotFound, "email_unsubscribe_unknown", "")
	case err != nil:
		a.log.Error("email unsubscribe", "err", err)
		http.Error(w, "unavailable / indisponible", http.StatusServiceUnavailable)
	default:
		a.emailPage(w, http.StatusOK, "email_unsubscribe_done", "")
	}
}

// emailPage writes a small bilingual page: the title, key's text in
// English then French, and extra HTML.
func (a *App) emailPage(w http.ResponseWriter, status int, key, extra string) {
	f := a.Features.Email
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`)
	b.WriteString("<title>" + html.EscapeString(f.Text("en", "email_unsubscribe_title")+" / "+f.Text("fr", "email_unsubscribe_title")) + "</title></head><body>")
	for _, lang := range []string{"en", "fr"} {
		b.WriteString(`<section lang="` + lang + `"><h1>` + html.EscapeString(f.Text(lang, "email_unsubscribe_title")) + "</h1><p>" +
			html.EscapeString(f.Text(lang, key)) + "</p></section>")
	}
	b.WriteString(extra + "</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}
