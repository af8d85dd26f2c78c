package teamsbot

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestAuthRefused sends the at-mention fixture with bad credentials: each
// is refused and nothing reaches the service, the token service or the
// connector.
func TestAuthRefused(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	body, su := f.inbound("teams-channel-message-at-mention.json")
	other := testKeys()[1]
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&f.key.PublicKey))})
	with := func(mut func(jwt.MapClaims)) string {
		cl := f.claims(su)
		mut(cl)
		return "Bearer " + f.sign(cl, testKid)
	}
	webchat := bytes.Replace(body, []byte(`"channelId": "msteams"`), []byte(`"channelId": "webchat"`), 1)
	noChannel := bytes.Replace(body, []byte(`"channelId": "msteams"`), []byte(`"channelId": ""`), 1)
	// Issue 9, finding 7: a published key without endorsements signed a
	// channel activity and was accepted.
	f.mu.Lock()
	f.jwks = append(f.jwks, jwk("kid-bare", &other.PublicKey), jwk("kid-empty", &other.PublicKey, []string{}...))
	f.mu.Unlock()
	bare := func(kid string) string {
		return "Bearer " + signWith(t, jwt.SigningMethodRS256, other, f.claims(su), kid)
	}
	tests := []struct {
		name  string
		authz string
		body  []byte
		want  int
	}{
		{"no token", "", body, 401},
		{"basic scheme", "Basic dXNlcjpwYXNz", body, 401},
		{"empty bearer", "Bearer ", body, 401},
		{"garbage", "Bearer not.a.jwt", body, 401},
		{"wrong audience", with(func(c jwt.MapClaims) { c["aud"] = "someone-else" }), body, 401},
		{"no audience", with(func(c jwt.MapClaims) { delete(c, "aud") }), body, 401},
		{"wrong issuer", with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), body, 401},
		{"expired beyond skew", with(func(c jwt.MapClaims) { c["exp"] = clk.Now().Add(-6 * time.Minute).Unix() }), body, 401},
		{"no expiry", with(func(c jwt.MapClaims) { delete(c, "exp") }), body, 401},
		{"not yet valid", with(func(c jwt.MapClaims) { c["nbf"] = clk.Now().Add(6 * time.Minute).Unix() }), body, 401},
		{"unknown kid", "Bearer " + f.sign(f.claims(su), "nobody"), body, 401},
		{"no kid", "Bearer " + f.sign(f.claims(su), ""), body, 401},
		{"bad signature", "Bearer " + signWith(t, jwt.SigningMethodRS256, other, f.claims(su), testKid), body, 401},
		{"HS256 with public key", "Bearer " + signWith(t, jwt.SigningMethodHS256, pubPEM, f.claims(su), testKid), body, 401},
		{"alg none", "Bearer " + signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, f.claims(su), testKid), body, 401},
		{"RS384", "Bearer " + signWith(t, jwt.SigningMethodRS384, f.key, f.claims(su), testKid), body, 401},
		{"wrong serviceUrl", with(func(c jwt.MapClaims) { c["serviceurl"] = f.srv.URL + "/elsewhere/" }), body, 401},
		{"no serviceUrl", with(func(c jwt.MapClaims) { delete(c, "serviceurl") }), body, 401},
		{"key not endorsed for channel", with(func(jwt.MapClaims) {}), webchat, 401},
		{"activity without channel id", with(func(jwt.MapClaims) {}), noChannel, 401},
		{"key without endorsements", bare("kid-bare"), body, 401},
		{"key with empty endorsements", bare("kid-empty"), body, 401},
		{"oversized body", with(func(jwt.MapClaims) {}), oversized(body), 413},
		{"not JSON", with(func(jwt.MapClaims) {}), []byte("{not json"), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: textReply("help", "en", "hi", 0)}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			_, tokBefore, callsBefore := f.counts()
			got, _ := b.post(t, tt.authz, tt.body)
			if got != tt.want {
				t.Errorf("status = %d, want %d", got, tt.want)
			}
			_, tokAfter, callsAfter := f.counts()
			if n := len(rec.got()); n != 0 {
				t.Errorf("service called %d times, want 0", n)
			}
			if tokAfter != tokBefore || callsAfter != callsBefore {
				t.Errorf("outbound: token %d→%d, connector %d→%d; want none", tokBefore, tokAfter, callsBefore, callsAfter)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// oversized pads the activity past maxBodyBytes while keeping it JSON.
func oversized(body []byte) []byte {
	pad := `"pad":"` + strings.Repeat("x", maxBodyBytes) + `",`
	return bytes.Replace(body, []byte("{"), []byte("{"+pad), 1)
}

// TestAuthAccepted covers tokens at the edges of what is valid.
func TestAuthAccepted(t *testing.T) {
	c := newClock()
	f := newFakeBF(t, c)
	body, su := f.inbound("teams-channel-message-at-mention.json")
	tests := []struct {
		name string
		mut  func(jwt.MapClaims)
	}{
		{"plain", func(jwt.MapClaims) {}},
		{"expired within skew", func(cl jwt.MapClaims) { cl["exp"] = c.Now().Add(-4 * time.Minute).Unix() }},
		{"nbf within skew", func(cl jwt.MapClaims) { cl["nbf"] = c.Now().Add(4 * time.Minute).Unix() }},
		{"audience list", func(cl jwt.MapClaims) { cl["aud"] = []string{"x", testAppID} }},
		{"serviceUrl case differs", func(cl jwt.MapClaims) { cl["serviceurl"] = strings.ToUpper(su[:10]) + su[10:] }},
		{"camel-case serviceUrl claim", func(cl jwt.MapClaims) { cl["serviceUrl"] = cl["serviceurl"]; delete(cl, "serviceurl") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: textReply("error", "en", "no", 0)}
			b := startBot(t, f, f.config(), rec, mustTranslator(t))
			cl := f.claims(su)
			tt.mut(cl)
			if got, _ := b.post(t, "Bearer "+f.sign(cl, testKid), body); got != 200 {
				t.Fatalf("status = %d, want 200", got)
			}
			if n := len(rec.got()); n != 1 {
				t.Errorf("service called %d times, want 1", n)
			}
		})
	}
}

// TestKeyRefresh checks the JWKS cache: an unknown kid re-reads the keys
// at most once a minute, a rotated key is picked up, and keys are re-read
// after a day.
func TestKeyRefresh(t *testing.T) {
	c := newClock()
	f := newFakeBF(t, c)
	body, su := f.inbound("teams-channel-message-at-mention.json")
	rec := &recorder{reply: textReply("error", "en", "no", 0)}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))
	step := func(name, kid string, key *rsa.PrivateKey, wantStatus, wantMeta int) {
		t.Helper()
		tok := signWith(t, jwt.SigningMethodRS256, key, f.claims(su), kid)
		if got, _ := b.post(t, "Bearer "+tok, body); got != wantStatus {
			t.Errorf("%s: status = %d, want %d", name, got, wantStatus)
		}
		if meta, _, _ := f.counts(); meta != wantMeta {
			t.Errorf("%s: metadata fetched %d times, want %d", name, meta, wantMeta)
		}
	}
	step("first request loads keys", testKid, f.key, 200, 1)
	step("known kid uses cache", testKid, f.key, 200, 1)
	rotated := testKeys()[2]
	step("unknown kid right after a fetch: no fetch", "kid-2", rotated, 401, 1)
	c.Add(2 * time.Minute)
	step("unknown kid refreshes", "kid-2", rotated, 401, 2)
	step("unknown kid again within a minute: no fetch", "kid-3", rotated, 401, 2)
	f.mu.Lock()
	f.jwks = append(f.jwks, jwk("kid-2", &rotated.PublicKey, "msteams"))
	f.mu.Unlock()
	c.Add(2 * time.Minute)
	step("rotated key after a minute", "kid-2", rotated, 200, 3)
	step("rotated key cached", "kid-2", rotated, 200, 3)
	c.Add(25 * time.Hour)
	step("keys re-read after a day", testKid, f.key, 200, 4)
}
