// Package cursor is the one codec of list cursors: a page's position, sealed so that
// only a cursor the API gave out opens again.
//
// A cursor is base64url(JSON) "." base64url(HMAC-SHA256(key, list "\n" JSON)). The key
// is the deployment's "cursor" signing key (a Secrets Manager secret in AWS, a key
// file locally: see wiring.SigningKeys and keyring), the same in every Lambda instance,
// so a cursor made by one instance opens in any other; after a rotation the previous
// key still opens the cursors made before it. The list name binds a cursor to the list
// (and the filters) it came from. A cursor that does not open is the caller's 400
// naming "cursor", decided before any database is asked.
package cursor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
)

// MaxLen is the longest cursor accepted (the web layer's query limit for "cursor").
const MaxLen = 4096

// Keys are the key versions that seal cursors (keyring.Secret is one).
type Keys interface {
	Versions(ctx context.Context) (current, previous []byte, since time.Time, err error)
}

// Codec seals and opens cursors with its keys.
type Codec struct{ keys Keys }

// New is a codec over keys.
func New(keys Keys) *Codec { return &Codec{keys: keys} }

// Static is a fixed key, for tests.
type Static []byte

// Versions is the key itself, with no previous one.
func (k Static) Versions(context.Context) ([]byte, []byte, time.Time, error) {
	return k, nil, time.Time{}, nil
}

var errNoKeys = errors.New("cursor codec without keys")

// Invalid is the error of a cursor that does not open.
func Invalid() error {
	return problem.Field("cursor", "is not a cursor this list gave out; start again without it")
}

// Seal makes v into a cursor for list.
func (c *Codec) Seal(ctx context.Context, list string, v any) (string, error) {
	if c == nil || c.keys == nil {
		return "", errNoKeys
	}
	payload, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	key, _, _, err := c.keys.Versions(ctx)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(mac(key, list, payload)), nil
}

// SealPtr is Seal as a page's nextCursor.
func (c *Codec) SealPtr(ctx context.Context, list string, v any) (*string, error) {
	s, err := c.Seal(ctx, list, v)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Open reads a cursor of list into v. An empty cursor is the first page: v is left
// alone and Open reports false. A cursor that is not one this list sealed is Invalid.
func (c *Codec) Open(ctx context.Context, list, s string, v any) (bool, error) {
	if s == "" {
		return false, nil
	}
	if c == nil || c.keys == nil {
		return false, errNoKeys
	}
	if len(s) > MaxLen {
		return false, Invalid()
	}
	p, m, ok := strings.Cut(s, ".")
	if !ok {
		return false, Invalid()
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	sum, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil {
		return false, Invalid()
	}
	current, previous, _, err := c.keys.Versions(ctx)
	if err != nil {
		return false, err
	}
	if !hmac.Equal(sum, mac(current, list, payload)) && (previous == nil || !hmac.Equal(sum, mac(previous, list, payload))) {
		return false, Invalid()
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return false, Invalid() // sealed by an older release with another shape
	}
	return true, nil
}

func mac(key []byte, list string, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(list))
	h.Write([]byte{'\n'})
	h.Write(payload)
	return h.Sum(nil)
}

// FromKey is the codec over the "cursor" signing key as its opener returns it, the
// opener's error named as the cursor key's:
//
//	curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL))
//
// (a wiring row's CURSOR_KEY: a Secrets Manager ARN in AWS, file:<path> locally).
func FromKey(keys Keys, err error) (*Codec, error) {
	if err != nil {
		return nil, fmt.Errorf("the cursor key: %w", err)
	}
	return New(keys), nil
}
