package slacktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names Slack signs its callbacks with.
const (
	TimestampHeader = "X-Slack-Request-Timestamp"
	SignatureHeader = "X-Slack-Signature"
)

// Sign returns Slack's v0 signature headers for body sent at ts: the
// X-Slack-Request-Timestamp value (unix seconds) and the X-Slack-Signature
// value ("v0=" + hex HMAC-SHA256 of "v0:timestamp:body").
func Sign(secret string, ts time.Time, body string) (timestampHeader, signatureHeader string) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, "v0:"+stamp+":"+body)
	return stamp, "v0=" + hex.EncodeToString(m.Sum(nil))
}

// SignedRequest returns a POST of body to url with the given Content-Type,
// signed with secret as if sent at now. Like httptest.NewRequest, it
// panics if url cannot be parsed.
func SignedRequest(url, secret string, now time.Time, contentType, body string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		panic("slacktest: " + err.Error())
	}
	stamp, sig := Sign(secret, now, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(TimestampHeader, stamp)
	req.Header.Set(SignatureHeader, sig)
	return req
}
