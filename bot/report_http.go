package bot

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"net/http"

	"copbot/handlers/report"
	"copbot/storage"
)

// report serves the report to the Council as an HTML page:
// GET /report?from=2026-09-01&to=2027-01-31&lang=fr&token=…. Unlike the
// calendar feed it is never public: it names outreach contacts and
// panelists, so without [http] calendar_token set the page does not exist,
// and a request without the right ?token= gets 404. A bad period or
// language is a 400 with a bilingual message.
func (a *App) report(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := a.cfg.HTTP.CalendarToken
	if tok == "" || subtle.ConstantTimeCompare([]byte(q.Get("token")), []byte(tok)) != 1 {
		http.NotFound(w, r)
		return
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = a.cfg.Community.DefaultLanguage
	}
	var b bytes.Buffer
	p, err := report.ParsePeriod(q.Get("from"), q.Get("to"))
	if err == nil {
		err = a.Features.Report.Report(r.Context(), &b, p, lang, report.HTML)
	}
	var se *storage.Error
	switch {
	case errors.As(err, &se) && se.Code == storage.EINVALID:
		http.Error(w, userMessage(err), http.StatusBadRequest)
		return
	case err != nil:
		a.log.Error("report", "err", err)
		http.Error(w, "report unavailable / rapport indisponible", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page has no script and loads nothing: say so to browsers.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.Write(b.Bytes())
}
