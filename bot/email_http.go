package bot

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"copbot/bot/emailbot"
	"copbot/bot/internal/admission"
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
	v := &emailVotes{a: a, intake: admission.NewIntake(4, 5*time.Second),
		limit: admission.NewLimit(64, runtime.GOMAXPROCS(0))}
	mux.HandleFunc("GET /email/vote/{token}", v.page)
	mux.HandleFunc("POST /email/vote/{token}", v.vote)
}

// The vote links of a poll's email (see handlers/email's vote.go):
// /email/vote/TOKEN?option=ID. A GET shows the poll and a button and
// writes nothing; the POST (the button) votes. A request's body is read
// under the intake's bounds, its token checked by a read, and only then
// does it take a place among the vote requests in progress (64, beyond
// which it is refused at once) and wait for a turn of database work.

// Bounds of a vote request.
const (
	emailVoteBody   = 4 << 10         // a form of at most ten option ids
	emailVoteBudget = 5 * time.Second // to record the vote, or refuse it
)

type emailVotes struct {
	a      *App
	intake *admission.Intake
	limit  *admission.Limit
}

func (v *emailVotes) page(w http.ResponseWriter, r *http.Request) {
	option, _ := strconv.ParseInt(r.URL.Query().Get("option"), 10, 64)
	v.write(w, v.a.Features.Email.VoteLinkPage(r.Context(), r.PathValue("token"), option))
}

func (v *emailVotes) vote(w http.ResponseWriter, r *http.Request) {
	body, err := v.intake.Read(w, r, emailVoteBody)
	if err != nil {
		admission.Refuse(w, err)
		return
	}
	form, err := url.ParseQuery(string(body))
	var options []int64
	for _, s := range form["option"] {
		id, perr := strconv.ParseInt(s, 10, 64)
		err = errors.Join(err, perr)
		options = append(options, id)
	}
	if err != nil || len(options) > storage.PollMaxOptions {
		http.Error(w, "bad form / formulaire invalide", http.StatusBadRequest)
		return
	}
	token := r.PathValue("token")
	f := v.a.Features.Email
	if page, ok := f.VoteLinkKnown(r.Context(), token); !ok {
		v.write(w, page)
		return
	}
	ticket := v.limit.Enter()
	if ticket == nil {
		admission.RefuseBusy(w)
		return
	}
	defer ticket.Leave()
	ctx, cancel := context.WithTimeout(r.Context(), emailVoteBudget)
	defer cancel()
	done := v.limit.Turn(ctx)
	page := f.CastVote(ctx, token, options)
	done()
	v.write(w, page)
}

// write writes a vote page: each language's part, then the form, which
// posts back to the page's own address.
func (v *emailVotes) write(w http.ResponseWriter, p email.VotePage) {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`)
	var titles []string
	for _, part := range p.Parts {
		titles = append(titles, part.Title)
	}
	b.WriteString("<title>" + html.EscapeString(strings.Join(titles, " / ")) + `</title></head><body style="font-family:sans-serif;max-width:40em">`)
	for _, part := range p.Parts {
		b.WriteString(`<section lang="` + part.Lang + `"><h1>` + html.EscapeString(part.Title) + "</h1>")
		for _, l := range part.Lines {
			b.WriteString("<p>" + html.EscapeString(l) + "</p>")
		}
		b.WriteString("</section>")
	}
	if f := p.Form; f != nil && len(f.Options) > 0 {
		// The choices are one group named by the question, for screen
		// readers.
		b.WriteString(`<form method="post"><fieldset><legend>` + html.EscapeString(strings.Join(titles, " / ")) + "</legend>")
		kind := "radio"
		if f.Multi {
			kind = "checkbox"
		}
		for _, o := range f.Options {
			if !f.Multi && len(f.Options) == 1 {
				b.WriteString(`<input type="hidden" name="option" value="` + strconv.FormatInt(o.ID, 10) + `"><p>` +
					html.EscapeString(o.Label) + "</p>")
				continue
			}
			checked := ""
			if o.Checked {
				checked = " checked"
			}
			b.WriteString(`<p><label><input type="` + kind + `" name="option" value="` + strconv.FormatInt(o.ID, 10) + `"` +
				checked + "> " + html.EscapeString(o.Label) + "</label></p>")
		}
		b.WriteString(`</fieldset><button type="submit">` + html.EscapeString(f.Submit) + "</button></form>")
	}
	b.WriteString("</body></html>\n")
	emailPageHeaders(w)
	w.WriteHeader(p.Status)
	w.Write([]byte(b.String()))
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
	emailPageHeaders(w)
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// emailPageHeaders are the headers of the pages email links open: their
// addresses hold a secret, so nothing keeps, refers or frames them (no
// page of another site can put the vote or unsubscribe button under a
// click), and a page loads nothing and sends its form only to itself.
func emailPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Robots-Tag", "noindex")
}
