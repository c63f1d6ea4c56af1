package keyring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// SecretsManagerAPI is the part of the Secrets Manager client a secret uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretTTL is how long a process keeps a secret before reading it again: a rotation
// reaches every warm function within it.
const SecretTTL = 5 * time.Minute

// Secret is a shared key that rotates: its current version and, after a rotation, the
// previous one. In AWS it is a Secrets Manager secret (AWSCURRENT and AWSPREVIOUS, each
// a hex string); locally a key file (the current key on its first line, the previous on
// its second).
type Secret struct {
	read func(ctx context.Context) (secretVersions, error)
	ttl  time.Duration
	now  func() time.Time

	mu     sync.Mutex
	cached *secretVersions
	readAt time.Time
}

type secretVersions struct {
	current, previous []byte
	since             time.Time
}

// NewSecret reads a secret key's reference, as the wiring sets it: a Secrets Manager
// secret ARN (arn:...:secretsmanager:...) or "file:<path>". A process reads the secret
// at most once per ttl (0: on every call). It does no I/O.
func NewSecret(ref string, api SecretsManagerAPI, ttl time.Duration) (*Secret, error) {
	s := &Secret{ttl: ttl, now: time.Now}
	switch {
	case strings.HasPrefix(ref, filePrefix) && len(ref) > len(filePrefix):
		path := strings.TrimPrefix(ref, filePrefix)
		s.read = func(context.Context) (secretVersions, error) {
			keys, written, err := readKeyFile(path)
			if err != nil {
				return secretVersions{}, err
			}
			v := secretVersions{current: keys[0], since: written}
			if len(keys) > 1 {
				v.previous = keys[1]
			}
			return v, nil
		}
	case strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":secretsmanager:"):
		if api == nil {
			return nil, errors.New("a Secrets Manager reference needs a Secrets Manager client")
		}
		s.read = func(ctx context.Context) (secretVersions, error) { return readSecretsManager(ctx, api, ref) }
	default:
		return nil, fmt.Errorf("secret reference %q: want a Secrets Manager secret ARN or file:<path>", ref)
	}
	return s, nil
}

// Versions are the current key, the previous one (nil when there is none) and when the
// current one was made. A failed refresh keeps serving what the process read last, and
// is tried again on the next call.
func (s *Secret) Versions(ctx context.Context) (current, previous []byte, since time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached == nil || s.ttl <= 0 || s.now().Sub(s.readAt) >= s.ttl {
		v, err := s.read(ctx)
		switch {
		case err == nil:
			s.cached, s.readAt = &v, s.now()
		case s.cached != nil && s.ttl > 0:
			slog.WarnContext(ctx, "signing secret not refreshed; keeping the one read before", "error", err.Error())
		default:
			return nil, nil, time.Time{}, err
		}
	}
	return s.cached.current, s.cached.previous, s.cached.since, nil
}

func readSecretsManager(ctx context.Context, api SecretsManagerAPI, arn string) (secretVersions, error) {
	cur, since, err := secretVersion(ctx, api, arn, "AWSCURRENT")
	if err != nil {
		return secretVersions{}, err
	}
	prev, _, err := secretVersion(ctx, api, arn, "AWSPREVIOUS")
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		err = nil // never rotated
	}
	if err != nil {
		return secretVersions{}, err
	}
	return secretVersions{current: cur, previous: prev, since: since}, nil
}

func secretVersion(ctx context.Context, api SecretsManagerAPI, arn, stage string) ([]byte, time.Time, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(stage)})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) && stage != "AWSCURRENT" {
		return nil, time.Time{}, err
	}
	if err != nil {
		return nil, time.Time{}, classify(err, "Secrets Manager (GetSecretValue "+stage+")")
	}
	var key []byte
	switch {
	case out.SecretString != nil:
		key, err = decodeKey(*out.SecretString)
	case len(out.SecretBinary) >= 16:
		key = out.SecretBinary
	default:
		err = errors.New("a key must be at least 16 bytes")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("secret %s (%s): %w", arn, stage, err)
	}
	return key, aws.ToTime(out.CreatedDate).UTC(), nil
}
