package teamsbot

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Bot Framework token rules, from the Bot Connector authentication spec.
const (
	botIssuer    = "https://api.botframework.com"
	clockSkew    = 5 * time.Minute
	keysMaxAge   = 24 * time.Hour // the spec asks bots to re-read keys daily
	refreshEvery = time.Minute    // at most one refresh a minute on unknown kids
	maxKeys      = 64             // a JWKS larger than this is not Microsoft's
	maxMetaBytes = 1 << 20
)

// errUnauthorized wraps every reason a request is refused with 401.
var errUnauthorized = errors.New("unauthorized")

// botClaims are the claims of a Bot Connector token that copbot checks.
type botClaims struct {
	jwt.RegisteredClaims
	// ServiceURL is the connector the token was issued for. The real claim
	// is "serviceurl"; "serviceUrl" is accepted too.
	ServiceURL  string `json:"serviceurl"`
	ServiceURL2 string `json:"serviceUrl"`
}

func (c *botClaims) serviceURL() string {
	if c.ServiceURL != "" {
		return c.ServiceURL
	}
	return c.ServiceURL2
}

// signingKey is one key of the JWKS with the channels it is endorsed for.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

// endorses reports whether the key may sign tokens for channelID: the
// channel must be among the key's endorsements. A key without
// endorsements endorses nothing, and an activity without a channel id is
// not endorsed by any key, so a key meant for another channel (or none)
// cannot sign Teams activities.
func (k signingKey) endorses(channelID string) bool {
	return channelID != "" && slices.Contains(k.endorsements, channelID)
}

// verifier validates inbound Bot Connector tokens against the OpenID
// metadata's keys. It is safe for concurrent use.
type verifier struct {
	openIDURL string
	client    *http.Client
	now       func() time.Time
	parser    *jwt.Parser

	mu      sync.RWMutex
	keys    map[string]signingKey
	fetched time.Time // when keys were last read
	tried   time.Time // when a refresh was last attempted

	refreshMu sync.Mutex // one refresh at a time
}

func newVerifier(openIDURL, appID string, client *http.Client, now func() time.Time) *verifier {
	return &verifier{
		openIDURL: openIDURL,
		client:    client,
		now:       now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256"}),
			jwt.WithIssuer(botIssuer),
			jwt.WithAudience(appID),
			jwt.WithLeeway(clockSkew),
			jwt.WithTimeFunc(now),
			jwt.WithExpirationRequired(),
		),
	}
}

// verify checks the Authorization header value and returns the token's
// claims and the key that signed it. Any failure wraps errUnauthorized.
func (v *verifier) verify(ctx context.Context, header string) (*botClaims, signingKey, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, signingKey{}, fmt.Errorf("%w: no bearer token", errUnauthorized)
	}
	var used signingKey
	claims := &botClaims{}
	_, err := v.parser.ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := v.key(ctx, kid)
		used = k
		return k.pub, err
	})
	if err != nil {
		return nil, signingKey{}, fmt.Errorf("%w: %v", errUnauthorized, err)
	}
	return claims, used, nil
}

// key returns the key with that kid, re-reading the metadata when the kid
// is unknown or the keys are old, at most once per refreshEvery.
func (v *verifier) key(ctx context.Context, kid string) (signingKey, error) {
	if kid == "" {
		return signingKey{}, errors.New("token has no kid")
	}
	k, ok, fresh := v.lookup(kid)
	if ok && fresh {
		return k, nil
	}
	if err := v.refresh(ctx); err != nil && !ok {
		return signingKey{}, err
	}
	if k, ok, _ = v.lookup(kid); !ok {
		return signingKey{}, fmt.Errorf("unknown key id %q", kid)
	}
	return k, nil
}

func (v *verifier) lookup(kid string) (k signingKey, ok, fresh bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	k, ok = v.keys[kid]
	return k, ok, v.now().Sub(v.fetched) < keysMaxAge
}

// refresh re-reads the keys unless another refresh ran less than
// refreshEvery ago, so a flood of tokens with made-up kids costs at most
// one fetch a minute.
func (v *verifier) refresh(ctx context.Context) error {
	v.refreshMu.Lock()
	defer v.refreshMu.Unlock()
	v.mu.RLock()
	recent := !v.tried.IsZero() && v.now().Sub(v.tried) < refreshEvery
	v.mu.RUnlock()
	if recent {
		return nil
	}
	v.mu.Lock()
	v.tried = v.now()
	v.mu.Unlock()
	keys, err := v.fetchKeys(ctx)
	if err != nil {
		return fmt.Errorf("openid keys: %w", err)
	}
	v.mu.Lock()
	v.keys, v.fetched = keys, v.now()
	v.mu.Unlock()
	return nil
}

// fetchKeys reads the OpenID metadata, then the JWKS it points to.
func (v *verifier) fetchKeys(ctx context.Context) (map[string]signingKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, v.openIDURL, &meta); err != nil {
		return nil, err
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("metadata has no jwks_uri")
	}
	var set jwks
	if err := v.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, err
	}
	return set.signingKeys()
}

func (v *verifier) getJSON(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxMetaBytes)).Decode(out)
}

// jwks is a JSON Web Key Set as the Bot Framework publishes it.
type jwks struct {
	Keys []struct {
		Kty          string   `json:"kty"`
		Kid          string   `json:"kid"`
		N            string   `json:"n"`
		E            string   `json:"e"`
		Endorsements []string `json:"endorsements"`
	} `json:"keys"`
}

// signingKeys keeps the usable RSA keys, at most maxKeys of them.
func (s jwks) signingKeys() (map[string]signingKey, error) {
	keys := map[string]signingKey{}
	for _, k := range s.Keys {
		if k.Kty != "RSA" || k.Kid == "" || len(keys) == maxKeys {
			continue
		}
		pub, err := rsaKey(k.N, k.E)
		if err != nil {
			continue
		}
		keys[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, errors.New("no usable RSA key in JWKS")
	}
	return keys, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n, "="))
	if err != nil {
		return nil, err
	}
	eb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e, "="))
	if err != nil {
		return nil, err
	}
	exp := new(big.Int).SetBytes(eb)
	if len(nb) < 256 || !exp.IsInt64() || exp.Int64() < 3 || exp.Int64() > 1<<31 {
		return nil, errors.New("weak or malformed RSA key")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(exp.Int64())}, nil
}
