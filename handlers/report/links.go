package report

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Signed report links: a coordinator types "report link [FROM TO]
// [--lang fr]" and gets an address of the report page for that period and
// language that works for LinkTTL without any other secret, to hand to
// the Council's secretariat. The link carries its expiry and an HMAC-SHA256
// over the path, period, language and expiry, under a key kept in the
// database (storage.LinkKey), so nobody can stretch it to another period
// or a later date; "report link revoke" replaces the key, and every link
// given stops working. Each link handed out is in the audit log.

// LinkTTL is how long a report link works.
const LinkTTL = 24 * time.Hour

// linkPath is the page the links open (bot serves it).
const linkPath = "/report"

// Link errors, for the page: an expired link is told so (410), a forged or
// altered one is as if the page did not exist (404).
var (
	ErrLinkExpired = errors.New("report link expired")
	ErrLinkInvalid = errors.New("report link invalid")
)

// linkQuery is the query of a link for p in lang until expires, signed
// with key; its parameters are in a fixed order, the signature last.
func linkQuery(key []byte, p Period, lang string, expires time.Time) string {
	q := "from=" + p.From.Format(time.DateOnly) + "&to=" + p.To.Format(time.DateOnly) + "&lang=" + url.QueryEscape(lang) +
		"&expires=" + strconv.FormatInt(expires.Unix(), 10)
	return q + "&sig=" + linkSignature(key, q)
}

func linkSignature(key []byte, query string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("GET " + linkPath + "?" + query))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// IsLink reports whether q is a signed link's (it has a signature).
func IsLink(q url.Values) bool { return q.Has("sig") }

// CheckLink checks the signed link query q at now and returns the period
// and language it opens: ErrLinkInvalid if it was not signed with this
// database's key for exactly these values, ErrLinkExpired if it was but
// its time has passed.
func (s *Feature) CheckLink(ctx context.Context, q url.Values, now time.Time) (Period, string, error) {
	p, err := ParsePeriod(q.Get("from"), q.Get("to"))
	exp, perr := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || perr != nil || len(q) != 5 {
		return Period{}, "", ErrLinkInvalid
	}
	key, err := s.store.LinkKey(ctx)
	if err != nil {
		return Period{}, "", err
	}
	lang := q.Get("lang")
	want := linkQuery(key, p, lang, time.Unix(exp, 0))
	_, sig, _ := strings.Cut(want, "&sig=")
	if !hmac.Equal([]byte(sig), []byte(q.Get("sig"))) {
		return Period{}, "", ErrLinkInvalid
	}
	if !now.Before(time.Unix(exp, 0)) {
		return Period{}, "", ErrLinkExpired
	}
	return p, lang, nil
}

// cmdReportLink: report link [FROM TO] [--lang en|fr], or report link
// revoke. The link is audited before it is shown.
func (s *Feature) cmdReportLink(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 1 {
		switch handlers.Fold(c.Args[0]) {
		case "revoke", "revoquer", "annuler":
			if err := s.store.RotateLinkKey(ctx); err != nil {
				return c.Fail(err)
			}
			return c.Reply("report_links_revoked", handlers.Ephemeral, handlers.Section{Text: c.T("report_links_revoked", c.SlashData())})
		}
	}
	p, lang, f, err := s.reportArgs(c)
	if err == nil {
		err = s.checkReportArgs(p, lang, f)
	}
	if err != nil {
		return c.FailUsage(err, "report_link_usage")
	}
	key, err := s.store.LinkKey(ctx)
	if err != nil {
		return c.Fail(err)
	}
	expires := s.now().Add(LinkTTL).Truncate(time.Second)
	if _, err := s.store.RecordAudit(ctx, storage.AuditEntry{Action: storage.AuditReportLink, Target: "report",
		Detail: map[string]string{"from": p.From.Format(time.DateOnly), "to": p.To.Format(time.DateOnly), "lang": lang,
			"expires": expires.UTC().Format(time.RFC3339)}}); err != nil {
		return c.Fail(err)
	}
	link := strings.TrimRight(s.links.PublicURL, "/") + linkPath + "?" + linkQuery(key, p, lang, expires)
	blocks := []handlers.Block{
		handlers.Section{Text: c.T("report_link", map[string]any{"From": c.reportDate(p.From), "To": c.reportDate(p.To),
			"Until": c.When(expires, s.opts.Location)})},
		handlers.Section{Text: link},
		handlers.Context{Text: c.T("report_link_care", c.SlashData())},
	}
	if s.links.PublicURL == "" {
		blocks = append(blocks, handlers.Context{Text: c.T("report_link_no_host", nil)})
	}
	return c.Reply("report_link", handlers.Ephemeral, blocks...)
}
