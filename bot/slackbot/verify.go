package slackbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"copbot/bot/internal/admission"
)

// maxBody caps every Slack request body. Slack's largest payloads (a
// view_submission of a big modal) stay far below it.
const maxBody = 1 << 20

// Intake limits (see admission.Intake): Slack sends a body at once, with
// its headers, so a body still arriving after bodyDeadline is cut; one
// address may have perPeer bodies being read at once.
const (
	bodyDeadline = 2 * time.Second
	perPeer      = 32
)

// signatureWindow is how far a request timestamp may be from our clock.
const signatureWindow = 5 * time.Minute

var (
	errMissingSignature = errors.New("missing signature headers")
	errBadSignature     = errors.New("signature mismatch")
	errStaleTimestamp   = errors.New("timestamp outside the 5 minute window")
	errNoSecret         = errors.New("no signing secret configured")
	errReplayed         = errors.New("replayed request: this timestamp and signature were already used")
)

// eventRetention is how long an Events API event id or a Socket Mode
// envelope id is remembered: Slack retries an event for about an hour and
// redelivers an unacknowledged envelope within minutes.
const eventRetention = time.Hour

// verifySignature checks Slack's v0 request signature: HMAC-SHA256 with the
// signing secret over "v0:" + timestamp + ":" + body, hex encoded after
// "v0=". The timestamp must be within 5 minutes of now, which stops replays.
// An empty secret verifies nothing, so a Socket-Mode-only install never
// accepts HTTP callbacks.
func verifySignature(secret, timestamp, signature string, body []byte, now time.Time) error {
	if err := checkHeaders(secret, timestamp, signature, now); err != nil {
		return err
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

// checkHeaders is the part of verifySignature that needs no body: a
// request it refuses is refused before its body is read.
func checkHeaders(secret, timestamp, signature string, now time.Time) error {
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
	return nil
}

// sign computes the raw v0 signature of body sent at timestamp.
func sign(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// signed is a request whose signature verified.
type signed struct {
	body []byte
	// key names the request by what was verified: its timestamp and its
	// signature's bytes. Hex decoding accepts either case, so the header's
	// text would let a replay with one letter upper-cased act again.
	key     string
	expires time.Time // when the signature can no longer verify
	// readOnly: the request writes nothing (a read-only command), so a
	// replay is answered again and the key is not recorded (beginSigned).
	readOnly bool
}

// readVerified checks the signature headers, reads the body through the
// intake (before authentication: per peer, under a deadline, capped) and
// verifies the signature. On failure it has already answered (401, or the
// intake's refusal) and returns ok=false: the caller must do nothing else.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request) (v signed, ok bool) {
	ts, sig := r.Header.Get("X-Slack-Request-Timestamp"), r.Header.Get("X-Slack-Signature")
	if err := checkHeaders(a.cfg.SigningSecret, ts, sig, a.now()); err != nil {
		a.refuse(w, r, err)
		return v, false
	}
	body, err := a.intake.Read(w, r, maxBody)
	if err != nil {
		a.log.Warn("slack request body refused", "path", r.URL.Path, "reason", err, "remote", r.RemoteAddr)
		admission.Refuse(w, err)
		return v, false
	}
	if err := verifySignature(a.cfg.SigningSecret, ts, sig, body, a.now()); err != nil {
		a.refuse(w, r, err)
		return v, false
	}
	raw, _ := hex.DecodeString(strings.TrimPrefix(sig, "v0=")) // verified: well-formed
	sec, _ := strconv.ParseInt(ts, 10, 64)
	return signed{body: body, key: "slack:v0:" + ts + ":" + hex.EncodeToString(raw),
		expires: time.Unix(sec, 0).Add(signatureWindow + time.Second)}, true
}

// refuse answers 401 to a request that failed verification or replays one
// already handled.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Warn("slack request refused", "path", r.URL.Path, "reason", err, "remote", r.RemoteAddr)
	msg := "invalid signature"
	if errors.Is(err, errReplayed) {
		msg = "replayed request"
	}
	http.Error(w, msg, http.StatusUnauthorized)
}
