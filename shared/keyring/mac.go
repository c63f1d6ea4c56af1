package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMSAPI is the part of the KMS client a MAC key uses.
type KMSAPI interface {
	GenerateMac(ctx context.Context, in *kms.GenerateMacInput, optFns ...func(*kms.Options)) (*kms.GenerateMacOutput, error)
	VerifyMac(ctx context.Context, in *kms.VerifyMacInput, optFns ...func(*kms.Options)) (*kms.VerifyMacOutput, error)
}

// MAC is one version of an HMAC-SHA256 key. In AWS it is a KMS HMAC_256 key: each Sum
// is a GenerateMac and each Verify a VerifyMac, and the key never leaves KMS. Locally
// it is a key file read once per process (or, in tests, a key given to NewMAC). The
// two give the same tags for the same key, so the code above them cannot tell.
type MAC struct {
	version int

	kms   KMSAPI
	keyID string

	path string
	mu   sync.Mutex
	key  []byte
}

// NewMAC is a MAC over a key in memory: a test's own key.
func NewMAC(version int, key []byte) *MAC { return &MAC{version: version, key: key} }

// MACRing reads a MAC key's reference, as the wiring sets it: "<version>=<where>" for
// each kept version, comma-separated, the current (signing) one first; where is a KMS
// key ARN (arn:...:kms:...) or "file:<path>". It does no I/O: a key file is read on
// first use.
func MACRing(ref string, api KMSAPI) ([]*MAC, error) {
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
		case strings.HasPrefix(where, "arn:") && strings.Contains(where, ":kms:"):
			if api == nil {
				return nil, errors.New("a KMS key reference needs a KMS client")
			}
			ring = append(ring, &MAC{version: version, kms: api, keyID: where})
		default:
			return nil, fmt.Errorf("MAC key reference %q: %q is neither a KMS key ARN nor file:<path>", ref, where)
		}
	}
	return ring, nil
}

// Version is the key's version number, which tokens carry.
func (k *MAC) Version() int { return k.version }

// Sum is the HMAC-SHA256 tag of msg.
func (k *MAC) Sum(ctx context.Context, msg []byte) ([]byte, error) {
	if k.kms != nil {
		out, err := k.kms.GenerateMac(ctx, &kms.GenerateMacInput{
			KeyId: aws.String(k.keyID), MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Message: msg,
		})
		if err != nil {
			return nil, classify(err, "KMS (GenerateMac)")
		}
		return out.Mac, nil
	}
	key, err := k.local()
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil), nil
}

// Verify tells whether tag is msg's tag under this key. A wrong tag is false, not an
// error; an error is the keeper's failure.
func (k *MAC) Verify(ctx context.Context, msg, tag []byte) (bool, error) {
	if k.kms != nil {
		out, err := k.kms.VerifyMac(ctx, &kms.VerifyMacInput{
			KeyId: aws.String(k.keyID), MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Message: msg, Mac: tag,
		})
		var invalid *types.KMSInvalidMacException
		if errors.As(err, &invalid) {
			return false, nil
		}
		if err != nil {
			return false, classify(err, "KMS (VerifyMac)")
		}
		return out.MacValid, nil
	}
	want, err := k.Sum(ctx, msg)
	if err != nil {
		return false, err
	}
	return hmac.Equal(want, tag), nil
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
