package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/rapport-crm/rapport/shared/cloud"
)

// MACKeeper is a service that holds one version of a MAC key and computes with it,
// so the key never leaves it: a KMS HMAC key (keyring/kms).
type MACKeeper interface {
	// Sum is the HMAC-SHA256 tag of msg.
	Sum(ctx context.Context, msg []byte) ([]byte, error)
	// Verify tells whether tag is msg's tag; a wrong tag is false, not an error.
	Verify(ctx context.Context, msg, tag []byte) (bool, error)
}

// MAC is one version of an HMAC-SHA256 key. In AWS a service keeps it (a KMS HMAC_256
// key: keyring/kms); locally it is a key file read once per process (or, in tests, a
// key given to NewMAC). The two give the same tags for the same key, so the code above
// them cannot tell.
type MAC struct {
	version int

	kept MACKeeper

	path string
	mu   sync.Mutex
	key  []byte
}

// NewMAC is a MAC over a key in memory: a test's own key.
func NewMAC(version int, key []byte) *MAC { return &MAC{version: version, key: key} }

// MACRing reads a MAC key's reference, as the wiring sets it: "<version>=<where>" for
// each kept version, comma-separated, the current (signing) one first; where is
// "file:<path>" or a key that keeper recognises (keyring/kms: a KMS key ARN), nil
// where only key files are expected. It does no I/O: a key file is read on first use.
func MACRing(ref string, keeper func(where string) (MACKeeper, error)) ([]*MAC, error) {
	var ring []*MAC
	seen := map[int]bool{}
	for _, part := range strings.Split(ref, ",") {
		v, where, ok := strings.Cut(strings.TrimSpace(part), "=")
		version, err := strconv.Atoi(v)
		if !ok || err != nil || version < 1 || seen[version] {
			return nil, fmt.Errorf("MAC key reference %q: want <version>=<key ARN or file:path>, versions from 1, each once", ref)
		}
		seen[version] = true
		switch {
		case strings.HasPrefix(where, filePrefix) && len(where) > len(filePrefix):
			ring = append(ring, &MAC{version: version, path: strings.TrimPrefix(where, filePrefix)})
		case keeper == nil:
			return nil, fmt.Errorf("MAC key reference %q: %q is not file:<path>, and this function has no key service", ref, where)
		default:
			kept, err := keeper(where)
			if err != nil {
				return nil, fmt.Errorf("MAC key reference %q: %w", ref, err)
			}
			ring = append(ring, &MAC{version: version, kept: kept})
		}
	}
	return ring, nil
}

// Version is the key's version number, which tokens carry.
func (k *MAC) Version() int { return k.version }

// Sum is the HMAC-SHA256 tag of msg.
// A key file stands in for KMS: each Sum and Verify counts on the context's meter as
// the GenerateMac or VerifyMac it would be in AWS (cloud.StandIn), where the bench
// prices it.
func (k *MAC) Sum(ctx context.Context, msg []byte) ([]byte, error) {
	if k.kept != nil {
		return k.kept.Sum(ctx, msg)
	}
	cloud.StandIn(ctx, "GenerateMac")
	return k.sum(msg)
}

// Verify tells whether tag is msg's tag under this key. A wrong tag is false, not an
// error; an error is the keeper's failure.
func (k *MAC) Verify(ctx context.Context, msg, tag []byte) (bool, error) {
	if k.kept != nil {
		return k.kept.Verify(ctx, msg, tag)
	}
	cloud.StandIn(ctx, "VerifyMac")
	want, err := k.sum(msg)
	if err != nil {
		return false, err
	}
	return hmac.Equal(want, tag), nil
}

// sum is msg's tag under the key in memory or in its key file.
func (k *MAC) sum(msg []byte) ([]byte, error) {
	key, err := k.local()
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil), nil
}

// local is the key of a key file, read (or made) once per process.
func (k *MAC) local() ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key == nil {
		keys, _, err := readKeyFile(k.path)
		if err != nil {
			return nil, err
		}
		k.key = keys[0]
	}
	return k.key, nil
}
