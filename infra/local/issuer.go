package local

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The local development issuer's clients, shaped like a Cognito user pool's app
// clients. They are fixed and public on purpose: the issuer runs on a laptop only.
const (
	// IssuerPath is where the issuer lives on the runner's own port: its URL is the
	// runner's base URL followed by this path, and its discovery document is at
	// IssuerPath + "/.well-known/openid-configuration", as OIDC requires.
	IssuerPath = "/dev/issuer"
	// DefaultBaseURL is make run's base URL on its default port.
	DefaultBaseURL = "http://127.0.0.1:8080"
	// ConsoleClientID is the staff console's client: public (no secret), the
	// authorization-code grant with PKCE, redirect URIs on localhost only.
	ConsoleClientID = "rapport-console"
	// MachineClientID and MachineClientSecret are a point-of-sale's client for the
	// client-credentials grant (HTTP Basic). The secret guards nothing but a laptop.
	MachineClientID     = "rapport-pos"
	MachineClientSecret = "rapport-pos-local-secret"
	// TokenTTL is the lifetime of the tokens the issuer's endpoints give, Cognito's
	// default for ID and access tokens.
	TokenTTL = time.Hour
)

// Audiences are the client ids API Gateway's JWT authorizer accepts: an ID token's
// aud, or an access token's client_id.
var Audiences = []string{ConsoleClientID, MachineClientID}

// Issuer signs and verifies local development tokens with an RSA key kept on disk, so
// tokens stay valid across restarts of make run. Its URL depends on the port the
// runner listens on: New sets it from Config.PublicURL.
type Issuer struct {
	key *rsa.PrivateKey
	kid string
	url atomic.Pointer[string]
}

// LoadIssuer reads the key at path, creating it on first use.
func LoadIssuer(path string) (*Issuer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(key)})
		if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
			return nil, err
		}
		return newIssuer(key), nil
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM key; delete it to make a new one", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s is not an RSA key", path)
	}
	return newIssuer(key), nil
}

func newIssuer(key *rsa.PrivateKey) *Issuer {
	i := &Issuer{key: key, kid: thumbprint(&key.PublicKey)}
	i.SetBaseURL(DefaultBaseURL)
	return i
}

func mustPKCS8(k *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // cannot fail for a valid RSA key
	}
	return b
}

// SetBaseURL makes the issuer the one served under base (the runner's URL, such as
// http://127.0.0.1:8080): tokens carry base + IssuerPath as iss, and only such tokens
// verify.
func (i *Issuer) SetBaseURL(base string) {
	u := strings.TrimSuffix(base, "/") + IssuerPath
	i.url.Store(&u)
}

// URL is the issuer's identifier, the iss of its tokens.
func (i *Issuer) URL() string { return *i.url.Load() }

// User is whom a person's token is for: a demo user picked on the sign-in page or
// named to make token.
type User struct {
	Subject string
	// Roles go into cognito:groups: agent, manager, admin.
	Roles []string
	// Locations go into custom:locations, comma-separated; ["*"] is all; none leaves
	// the claim out, as Cognito does for a user without the attribute.
	Locations []string
	// SignedInAt is the ID token's auth_time: when the person signed in, kept by
	// every token a refresh renews (as Cognito does; OpenID clients check it). Zero
	// is the token's own issue time.
	SignedInAt time.Time
}

// IDToken is a person's ID token for a client, as Cognito issues it: token_use id,
// aud the client, groups in cognito:groups, locations in custom:locations.
func (i *Issuer) IDToken(u User, clientID, nonce string, now time.Time, ttl time.Duration) (string, error) {
	claims := i.base(u.Subject, now, ttl)
	if !u.SignedInAt.IsZero() {
		claims["auth_time"] = u.SignedInAt.Unix()
	}
	claims["token_use"] = "id"
	claims["aud"] = clientID
	claims["cognito:username"] = u.Subject
	claims["email"] = u.Subject + "@rapport.test"
	claims["email_verified"] = true
	if len(u.Roles) > 0 {
		claims[auth.ClaimGroups] = u.Roles
	}
	if len(u.Locations) > 0 {
		claims[auth.ClaimLocations] = strings.Join(u.Locations, ",")
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return i.sign(claims)
}

// AccessToken is a person's access token, as Cognito issues it beside the ID token:
// token_use access, client_id and scope, groups but no custom attributes. Rapport's
// API refuses it (people send their ID token); it exists so that a console meets the
// same two tokens it will get from Cognito.
func (i *Issuer) AccessToken(u User, clientID string, scopes []string, now time.Time, ttl time.Duration) (string, error) {
	claims := i.base(u.Subject, now, ttl)
	claims["token_use"] = "access"
	claims["client_id"] = clientID
	claims["username"] = u.Subject
	claims[auth.ClaimScope] = strings.Join(scopes, " ")
	if len(u.Roles) > 0 {
		claims[auth.ClaimGroups] = u.Roles
	}
	return i.sign(claims)
}

// ClientToken is a machine client's access token from the client-credentials grant,
// as Cognito issues it: sub and client_id are the client, no aud, the granted scopes.
func (i *Issuer) ClientToken(clientID string, scopes []string, now time.Time, ttl time.Duration) (string, error) {
	claims := i.base(clientID, now, ttl)
	claims["token_use"] = "access"
	claims["client_id"] = clientID
	claims[auth.ClaimScope] = strings.Join(scopes, " ")
	return i.sign(claims)
}

// SystemScopes are a machine client's scopes for locations: rapport/system and one
// rapport/location:<id> each ("*" gives rapport/location:*).
func SystemScopes(locations []string) []string {
	scopes := []string{auth.SystemScope}
	for _, l := range locations {
		scopes = append(scopes, auth.LocationScopePrefix+l)
	}
	return scopes
}

// Token makes a token for roles and locations, valid for ttl, as make token does: for
// people (agent, manager, admin) an ID token of the console client; for the system
// role the machine client's client-credentials access token with SystemScopes (its
// subject is the client id, as in Cognito). Locations may be ["*"]; none gives a token
// without locations.
func (i *Issuer) Token(subject string, roles, locations []string, now time.Time, ttl time.Duration) (string, error) {
	if slices.Contains(roles, wiring.RoleSystem) {
		if len(roles) > 1 {
			return "", fmt.Errorf("system is a machine client's role and goes alone, not with %v", roles)
		}
		return i.ClientToken(MachineClientID, SystemScopes(locations), now, ttl)
	}
	return i.IDToken(User{Subject: subject, Roles: roles, Locations: locations}, ConsoleClientID, "", now, ttl)
}

func (i *Issuer) base(subject string, now time.Time, ttl time.Duration) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": i.URL(), "sub": subject, "jti": randomToken(16),
		"iat": now.Unix(), "auth_time": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
}

func (i *Issuer) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = i.kid
	return t.SignedString(i.key)
}

// Verify checks a token as API Gateway's JWT authorizer does (the signature by the key
// its kid names, issuer, audience, exp, nbf and iat) and returns its claims flattened
// the way API Gateway passes them to the function: arrays become "[a b]". The audience
// is the aud claim when there is one, else client_id (access tokens have no aud).
func (i *Issuer) Verify(raw string, now time.Time) (map[string]string, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, i.keyFor,
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(i.URL()),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
	if err := checkAudience(claims); err != nil {
		return nil, err
	}
	return flatten(claims), nil
}

func (i *Issuer) keyFor(t *jwt.Token) (any, error) {
	if kid, _ := t.Header["kid"].(string); kid != i.kid {
		return nil, fmt.Errorf("no key with kid %q", kid)
	}
	return &i.key.PublicKey, nil
}

func checkAudience(claims jwt.MapClaims) error {
	if _, ok := claims["aud"]; ok {
		aud, err := claims.GetAudience()
		if err != nil {
			return err
		}
		if slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(Audiences, a) }) {
			return nil
		}
		return fmt.Errorf("audience %v is none of %v", aud, Audiences)
	}
	if id, _ := claims["client_id"].(string); slices.Contains(Audiences, id) {
		return nil
	}
	return fmt.Errorf("client_id %v is none of %v", claims["client_id"], Audiences)
}

func flatten(claims jwt.MapClaims) map[string]string {
	flat := map[string]string{}
	for k, v := range claims {
		switch x := v.(type) {
		case []any:
			parts := make([]string, len(x))
			for j, e := range x {
				parts[j] = fmt.Sprint(e)
			}
			flat[k] = "[" + strings.Join(parts, " ") + "]"
		case float64:
			flat[k] = fmt.Sprintf("%.0f", x)
		default:
			flat[k] = fmt.Sprint(x)
		}
	}
	return flat
}

// JWKS is the issuer's public key as a JSON Web Key Set.
func (i *Issuer) JWKS() map[string]any {
	pub := &i.key.PublicKey
	return map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": i.kid,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}}
}

// thumbprint is the key's RFC 7638 JWK thumbprint: a kid that stays the same as long
// as the key on disk does.
func thumbprint(pub *rsa.PublicKey) string {
	b, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{b64(big.NewInt(int64(pub.E)).Bytes()), "RSA", b64(pub.N.Bytes())})
	sum := sha256.Sum256(b)
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// randomToken is n random bytes, URL-safe: codes, refresh tokens, jti.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return b64(b)
}
