// Package signedlink makes and reads the tokens of links that name something without
// showing it: "<key version>.<handle>", the handle being the HMAC-SHA256 of a message
// under a kept key.
//
// A token shows nothing but the number of the key that made it. It cannot be made
// without the key, and it is the same each time for the same message, so a sender
// stores no secret to make it again. Whoever opens a link must turn the handle back
// into what it names: it keys a lookup by the handle's SHA-256 (Link.Lookup), never by
// the handle, so a table's readers and backups cannot make a link from it, and it asks
// the key whether the handle is the tag of what the lookup holds (Link.Verify), so a
// lookup planted or altered in the table opens nothing. The message, the lookup's shape
// and the errors a reader sees are each user's own.
package signedlink

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// MAC is an HMAC-SHA256 key this process can use but never holds: a KMS HMAC key in
// AWS (GenerateMac, VerifyMac), a key file locally (shared/keyring).
type MAC interface {
	// Version is the number tokens made with this key carry.
	Version() int
	Sum(ctx context.Context, msg []byte) ([]byte, error)
	// Verify is false for a wrong tag; an error means the key could not be used.
	Verify(ctx context.Context, msg, tag []byte) (bool, error)
}

var (
	// ErrBad means a token was not made by these keys, or was altered.
	ErrBad = errors.New("not a signed link of these keys")
	// ErrExpired means a token's key version has been retired: a newer one is kept.
	ErrExpired = errors.New("a signed link of a retired key version")
	// ErrNoKey means there is no key to make a token with.
	ErrNoKey = errors.New("no key")
)

// HandleSize is the size of a handle: a whole HMAC-SHA256 tag, all of which VerifyMac needs.
const HandleSize = sha256.Size

var b64 = base64.RawURLEncoding

// Link is a token and its parts.
type Link struct {
	// Token is "<key version>.<handle, base64url>": what the link carries.
	Token string
	// Key is the kept key version that made the token.
	Key MAC
	// Handle is the HMAC-SHA256 tag the token carries.
	Handle []byte
	// Lookup is the handle's SHA-256, base64url: what keys the lookup of what the link
	// names.
	Lookup string
}

// Mint is the link of msg under the current key, keys[0] (keys being a key's kept
// versions, the current one first). It asks the key once (GenerateMac).
func Mint(ctx context.Context, keys []MAC, msg []byte) (Link, error) {
	if len(keys) == 0 {
		return Link{}, ErrNoKey
	}
	key := keys[0]
	handle, err := key.Sum(ctx, msg)
	if err != nil {
		return Link{}, err
	}
	return Link{Token: strconv.Itoa(key.Version()) + "." + b64.EncodeToString(handle), Key: key, Handle: handle,
		Lookup: lookup(handle)}, nil
}

// Parse reads a token and finds the kept key version that made it, without asking the
// key: ErrBad for what is not a token or names a version never kept, ErrExpired for a
// version older than a kept one. Only Verify tells whether the key made it.
func Parse(keys []MAC, token string) (Link, error) {
	v, h, ok := strings.Cut(token, ".")
	version, err := strconv.Atoi(v)
	handle, herr := b64.DecodeString(h)
	if !ok || err != nil || version < 1 || v != strconv.Itoa(version) || herr != nil || len(handle) != HandleSize {
		return Link{}, ErrBad
	}
	i := slices.IndexFunc(keys, func(k MAC) bool { return k.Version() == version })
	if i < 0 {
		if slices.ContainsFunc(keys, func(k MAC) bool { return k.Version() > version }) {
			return Link{}, ErrExpired
		}
		return Link{}, ErrBad
	}
	return Link{Token: token, Key: keys[i], Handle: handle, Lookup: lookup(handle)}, nil
}

// Verify asks the link's key (VerifyMac) whether its handle is msg's tag: false for
// another message or a handle the key did not make; an error means the key could not
// be used.
func (l Link) Verify(ctx context.Context, msg []byte) (bool, error) {
	return l.Key.Verify(ctx, msg, l.Handle)
}

func lookup(handle []byte) string {
	sum := sha256.Sum256(handle)
	return b64.EncodeToString(sum[:])
}
