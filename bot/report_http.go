package bot

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"copbot/handlers/report"
	"copbot/storage"
)

// report serves the report to the Council as an HTML page:
// GET /report?from=2026-09-01&to=2027-01-31&lang=fr. It names outreach
// contacts and panelists, so it is never public and never opens with the
// calendar token, which members are given: it needs the report's own
// secret, [http] report_token, sent as "Authorization: Bearer …" (or, for
// a browser, ?token=), or a signed link a coordinator got with "report
// link" (its period and language fixed by its signature; 410 once
// expired). Without either, or with an altered link, the page does not
// exist (404). A bad period or language is a 400 with a bilingual message.
// Each view is in the audit log (report.export), by how it was opened.
func (a *App) report(w http.ResponseWriter, r *http.Request) {
	// The page is personal data: keep it out of caches, and keep its
	// address (which may hold the token) out of any Referer.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	ctx := r.Context()
	var p report.Period
	var lang string
	var err error
	switch {
	case report.IsLink(q):
		p, lang, err = a.Features.Report.CheckLink(ctx, q, a.now())
		switch {
		case errors.Is(err, report.ErrLinkInvalid):
			http.NotFound(w, r)
			return
		case errors.Is(err, report.ErrLinkExpired):
			http.Error(w, "This report link has expired: ask a coordinator for a new one (/cop report link). / "+
				"Ce lien vers le rapport a expiré : demandez-en un nouveau à l’équipe de coordination (/cop rapport lien).", http.StatusGone)
			return
		}
		ctx = storage.WithActor(ctx, storage.Actor{Name: "report page (signed link)"})
	case sameSecret(requestToken(r), a.cfg.HTTP.ReportToken):
		lang = q.Get("lang")
		if lang == "" {
			lang = a.cfg.Community.DefaultLanguage
		}
		p, err = report.ParsePeriod(q.Get("from"), q.Get("to"))
		ctx = storage.WithActor(ctx, storage.Actor{Name: "report page (report_token)"})
	default:
		http.NotFound(w, r)
		return
	}
	var b bytes.Buffer
	if err == nil {
		err = a.Features.Report.Report(ctx, &b, p, lang, report.HTML)
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

// requestToken is the secret r presents: "Authorization: Bearer TOKEN"
// (scheme in any case), else ?token=.
func requestToken(r *http.Request) string {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok)
	}
	return r.URL.Query().Get("token")
}

// sameSecret reports whether given is want, in time that depends on
// neither (both are hashed first, so not even the length leaks). An empty
// want matches nothing: a secret that is not configured opens nothing.
func sameSecret(given, want string) bool {
	if want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
