package slackbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody caps every Slack request body. Slack's largest payloads (a
// view_submission of a big modal) stay far below it.
const maxBody = 1 << 20

// signatureWindow is how far a request timestamp may be from our clock.
const signatureWindow = 5 * time.Minute

var (
	errMissingSignature = errors.New("missing signature headers")
	errBadSignature     = errors.New("signature mismatch")
	errStaleTimestamp   = errors.New("timestamp outside the 5 minute window")
	errNoSecret         = errors.New("no signing secret configured")
	errReplayed         = errors.New("replayed request: this timestamp and signature were already used")
)

// Replay cache bounds. A signed request is valid while its timestamp is
// within signatureWindow of our clock, so at most 2×signatureWindow after
// we first see it: remembering (timestamp, signature) that long refuses
// every replay. replayMax caps memory (about 150 bytes an entry) at far
// more than Slack sends in ten minutes to one community; when full the
// oldest entries go first.
const (
	replayTTL = 2 * signatureWindow
	replayMax = 100_000
)

// verifySignature checks Slack's v0 request signature: HMAC-SHA256 with the
// signing secret over "v0:" + timestamp + ":" + body, hex encoded after
// "v0=". The timestamp must be within 5 minutes of now, which stops replays.
// An empty secret verifies nothing, so a Socket-Mode-only install never
// accepts HTTP callbacks.
func verifySignature(secret, timestamp, signature string, body []byte, now time.Time) error {
	if secret == "" {
		return errNoSecret
	}
	if timestamp == "" || signature == "" {
		return errMissingSignature
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errStaleTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > signatureWindow || d < -signatureWindow {
		return errStaleTimestamp
	}
	hexSig, ok := strings.CutPrefix(signature, "v0=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return errBadSignature
	}
	if !hmac.Equal(got, sign(secret, timestamp, body)) {
		return errBadSignature
	}
	return nil
}

// sign computes the raw v0 signature of body sent at timestamp.
func sign(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// readVerified reads the capped body and verifies its signature, then that
// the same signed request was not seen before (a replay within the 5 minute
// window would vote, post or add twice). On failure it has already answered
// (413 or 401) and returns ok=false: the caller must do nothing else.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read body", http.StatusBadRequest)
		}
		return nil, false
	}
	err = verifySignature(a.cfg.SigningSecret, r.Header.Get("X-Slack-Request-Timestamp"),
		r.Header.Get("X-Slack-Signature"), body, a.now())
	if err == nil && !a.replays.Add(r.Header.Get("X-Slack-Request-Timestamp")+":"+r.Header.Get("X-Slack-Signature"), struct{}{}) {
		err = errReplayed
	}
	if err != nil {
		a.log.Warn("slack request refused", "path", r.URL.Path, "reason", err, "remote", r.RemoteAddr)
		msg := "invalid signature"
		if errors.Is(err, errReplayed) {
			msg = "replayed request"
		}
		http.Error(w, msg, http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}
