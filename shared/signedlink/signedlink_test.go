package signedlink_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/signedlink"
)

// The keys the functions are given (keyring, over a key file or KMS) are this package's MACs.
var _ signedlink.MAC = (*keyring.MAC)(nil)

func key(version int, secret string) signedlink.MAC { return keyring.NewMAC(version, []byte(secret)) }

const (
	secret = "a fixed key for the worked example"
	// token and lookup are HMAC-SHA256(secret, "a message") and its SHA-256, both
	// base64url without padding, as computed apart from this code: links already
	// sent carry such tokens, and tables already hold such lookups.
	token  = "3.rBHQ7Djgohi6g7WzLgxp5efHhIMrLAgxEobDCLITvIQ"
	lookup = "HyUUUYp--ZNcEjN81UlzHC9msYXn8TTs_1GhFolu7KQ"
)

// TestMintWorkedExample: the token and lookup of a known message under a known key,
// made with the current (first) key only.
func TestMintWorkedExample(t *testing.T) {
	ctx := context.Background()
	l, err := signedlink.Mint(ctx, []signedlink.MAC{key(3, secret), key(2, "an older key")}, []byte("a message"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Token != token || l.Lookup != lookup || l.Key.Version() != 3 || len(l.Handle) != signedlink.HandleSize {
		t.Fatalf("minted %q (lookup %q, version %d, %d bytes), want %q (lookup %q, version 3, 32 bytes)",
			l.Token, l.Lookup, l.Key.Version(), len(l.Handle), token, lookup)
	}
	if _, err := signedlink.Mint(ctx, nil, []byte("a message")); !errors.Is(err, signedlink.ErrNoKey) {
		t.Fatalf("minting without a key: %v, want ErrNoKey", err)
	}
}

// TestParseFindsTheKeyAndVerifyChecksTheMessage: a token parses back to the key that
// made it and the same lookup, and verifies for its message only.
func TestParseFindsTheKeyAndVerifyChecksTheMessage(t *testing.T) {
	ctx := context.Background()
	l, err := signedlink.Parse([]signedlink.MAC{key(4, "the newest key"), key(3, secret)}, token)
	if err != nil {
		t.Fatal(err)
	}
	if l.Token != token || l.Lookup != lookup || l.Key.Version() != 3 {
		t.Fatalf("parsed %q: lookup %q, version %d; want lookup %q, version 3", token, l.Lookup, l.Key.Version(), lookup)
	}
	for msg, want := range map[string]bool{"a message": true, "another message": false, "a message\x00": false} {
		if ok, err := l.Verify(ctx, []byte(msg)); err != nil || ok != want {
			t.Errorf("verify %q: %v %v, want %v", msg, ok, err, want)
		}
	}
	// The same version of another key (a table planted by another deployment) does not verify.
	other, err := signedlink.Parse([]signedlink.MAC{key(3, "another deployment's key")}, token)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := other.Verify(ctx, []byte("a message")); ok || err != nil {
		t.Fatalf("another key's verify: %v %v, want false", ok, err)
	}
}

// TestParseRefusals: what is not a token, or names a version never kept, is bad; a
// version older than a kept one is expired.
func TestParseRefusals(t *testing.T) {
	keys := []signedlink.MAC{key(3, secret), key(2, "kept")}
	handle := token[2:]
	for _, c := range []struct {
		token string
		want  error
	}{
		{"1." + handle, signedlink.ErrExpired}, // retired: 2 and 3 are kept
		{"4." + handle, signedlink.ErrBad},     // never kept
		{"0." + handle, signedlink.ErrBad},
		{"-3." + handle, signedlink.ErrBad},
		{"03." + handle, signedlink.ErrBad},     // one version, one spelling
		{"+3." + handle, signedlink.ErrBad},     // likewise
		{"3" + handle, signedlink.ErrBad},       // no dot
		{"3." + handle[:42], signedlink.ErrBad}, // 42 characters: 31 bytes
		{"3." + handle[:40], signedlink.ErrBad}, // 30 bytes
		{"3." + handle + "AA", signedlink.ErrBad},
		{"3." + handle + "=", signedlink.ErrBad},                                  // padded
		{"3." + "rBHQ7Djgohi6g7WzLgxp5efHhIMrLAgxEobDCLITvI+", signedlink.ErrBad}, // not base64url
		{"3.." + handle, signedlink.ErrBad},
		{"", signedlink.ErrBad},
	} {
		if _, err := signedlink.Parse(keys, c.token); err != c.want {
			t.Errorf("Parse(%q): %v, want %v", c.token, err, c.want)
		}
	}
	if _, err := signedlink.Parse(nil, token); err != signedlink.ErrBad {
		t.Errorf("Parse without keys: %v, want ErrBad", err)
	}
}
