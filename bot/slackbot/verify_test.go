package slackbot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The vector from Slack's "verifying requests" page, as given in SOURCES.md.
const (
	vectorTimestamp = "1531420618"
	vectorSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerifySignatureVector(t *testing.T) {
	t.Parallel()
	body := []byte(fixture(t, "slash_command_signed.form"))
	at := time.Unix(1531420618, 0)
	tests := []struct {
		name      string
		secret    string
		timestamp string
		signature string
		body      []byte
		now       time.Time
		want      error
	}{
		{"vector", testSecret, vectorTimestamp, vectorSignature, body, at, nil},
		{"4m59s later", testSecret, vectorTimestamp, vectorSignature, body, at.Add(4*time.Minute + 59*time.Second), nil},
		{"4m59s earlier", testSecret, vectorTimestamp, vectorSignature, body, at.Add(-4*time.Minute - 59*time.Second), nil},
		{"stale", testSecret, vectorTimestamp, vectorSignature, body, at.Add(5*time.Minute + time.Second), errStaleTimestamp},
		{"future", testSecret, vectorTimestamp, vectorSignature, body, at.Add(-5*time.Minute - time.Second), errStaleTimestamp},
		{"real clock", testSecret, vectorTimestamp, vectorSignature, body, time.Now(), errStaleTimestamp},
		{"tampered body", testSecret, vectorTimestamp, vectorSignature, append(append([]byte{}, body...), '&'), at, errBadSignature},
		{"wrong secret", "x" + testSecret[1:], vectorTimestamp, vectorSignature, body, at, errBadSignature},
		{"timestamp swapped", testSecret, "1531420619", vectorSignature, body, at, errBadSignature},
		{"no v0 prefix", testSecret, vectorTimestamp, strings.TrimPrefix(vectorSignature, "v0="), body, at, errBadSignature},
		{"v1 scheme", testSecret, vectorTimestamp, "v1=" + vectorSignature[3:], body, at, errBadSignature},
		{"not hex", testSecret, vectorTimestamp, "v0=zz" + vectorSignature[5:], body, at, errBadSignature},
		{"truncated", testSecret, vectorTimestamp, vectorSignature[:40], body, at, errBadSignature},
		{"missing signature", testSecret, vectorTimestamp, "", body, at, errMissingSignature},
		{"missing timestamp", testSecret, "", vectorSignature, body, at, errMissingSignature},
		{"bad timestamp", testSecret, "yesterday", vectorSignature, body, at, errStaleTimestamp},
		{"no secret configured", "", vectorTimestamp, vectorSignature, body, at, errNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := verifySignature(tt.secret, tt.timestamp, tt.signature, tt.body, tt.now)
			if !errors.Is(got, tt.want) {
				t.Errorf("verifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFixturesIntact checks the copied fixtures against the hashes in
// SOURCES.md, so an edited fixture cannot pass unnoticed.
func TestFixturesIntact(t *testing.T) {
	t.Parallel()
	sources := fixture(t, "SOURCES.md")
	re := regexp.MustCompile(`(?m)^([0-9a-f]{16}) (\S+)$`)
	matches := re.FindAllStringSubmatch(sources, -1)
	if len(matches) != 11 {
		t.Fatalf("found %d hashes in SOURCES.md, want 11", len(matches))
	}
	for _, m := range matches {
		b, err := os.ReadFile(filepath.Join(fixtureDir, m[2]))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:])[:16]; got != m[1] {
			t.Errorf("%s: sha256 %s, want %s", m[2], got, m[1])
		}
	}
}
