package local

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rapport-crm/rapport/shared/auth"
)

// The local development issuer's identity; tokens carry the claims Cognito ID tokens do.
const (
	IssuerURL = "https://rapport.local/dev-issuer"
	Audience  = "rapport-local"
)

// Issuer signs and verifies local development tokens with an RSA key kept on disk, so
// tokens stay valid across restarts of make run.
type Issuer struct {
	key *rsa.PrivateKey
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
		return &Issuer{key: key}, nil
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
	return &Issuer{key: key}, nil
}

func mustPKCS8(k *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // cannot fail for a valid RSA key
	}
	return b
}

// Token makes a token for roles and locations, valid for ttl, shaped like a Cognito ID
// token: groups in cognito:groups, locations in custom:locations.
func (i *Issuer) Token(subject string, roles, locations []string, now time.Time, ttl time.Duration) (string, error) {
	claims := jwt.MapClaims{
		"iss": IssuerURL, "aud": Audience, "sub": subject, "token_use": "id",
		"cognito:username": subject, auth.ClaimGroups: roles,
		"iat": now.Unix(), "auth_time": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
	if len(locations) > 0 {
		claims[auth.ClaimLocations] = strings.Join(locations, ",")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = "local-1"
	return t.SignedString(i.key)
}

// Verify checks a token as API Gateway's JWT authorizer does (signature, issuer,
// audience, expiry) and returns its claims flattened the way API Gateway passes them
// to the function: arrays become "[a b]".
func (i *Issuer) Verify(raw string, now time.Time) (map[string]string, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &i.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(IssuerURL), jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
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
	return flat, nil
}
