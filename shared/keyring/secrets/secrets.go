// Package secrets keeps the keyring's secrets in AWS Secrets Manager: AWSCURRENT and,
// once rotated, AWSPREVIOUS, each a hex key. It sits apart from keyring so that only
// the functions whose keys live in Secrets Manager link its client.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rapport-crm/rapport/shared/keyring"
)

// TTL is keyring.SecretTTL: how long a process keeps a secret before reading it again.
const TTL = keyring.SecretTTL

// API is the part of the Secrets Manager client a secret uses.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// New reads a secret key's reference as keyring.NewSecret does, where it is a Secrets
// Manager secret ARN (arn:...:secretsmanager:...) or a key file. The client is built
// from cfg (the function's, d.Clients.Config) only if the reference is an ARN. A
// process reads the secret at most once per ttl (0: on every call).
func New(ref string, cfg aws.Config, ttl time.Duration) (*keyring.Secret, error) {
	return newSecret(ref, sync.OnceValue(func() API { return secretsmanager.NewFromConfig(cfg) }), ttl)
}

func newSecret(ref string, client func() API, ttl time.Duration) (*keyring.Secret, error) {
	return keyring.NewSecret(ref, func(ref string) (keyring.SecretKeeper, error) {
		if !strings.HasPrefix(ref, "arn:") || !strings.Contains(ref, ":secretsmanager:") {
			return nil, errors.New("want a Secrets Manager secret ARN or file:<path>")
		}
		return &secret{api: client(), arn: ref}, nil
	}, ttl)
}

// secret is a Secrets Manager secret.
type secret struct {
	api API
	arn string
}

func (s *secret) Read(ctx context.Context) (keyring.SecretVersions, error) {
	cur, since, err := s.version(ctx, "AWSCURRENT")
	if err != nil {
		return keyring.SecretVersions{}, err
	}
	prev, _, err := s.version(ctx, "AWSPREVIOUS")
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		err = nil // never rotated
	}
	if err != nil {
		return keyring.SecretVersions{}, err
	}
	return keyring.SecretVersions{Current: cur, Previous: prev, Since: since}, nil
}

func (s *secret) version(ctx context.Context, stage string) ([]byte, time.Time, error) {
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.arn), VersionStage: aws.String(stage)})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) && stage != "AWSCURRENT" {
		return nil, time.Time{}, err
	}
	if err != nil {
		return nil, time.Time{}, keyring.Classify(err, "Secrets Manager (GetSecretValue "+stage+")")
	}
	var key []byte
	switch {
	case out.SecretString != nil:
		key, err = keyring.DecodeKey(*out.SecretString)
	case len(out.SecretBinary) >= 16:
		key = out.SecretBinary
	default:
		err = errors.New("a key must be at least 16 bytes")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("secret %s (%s): %w", s.arn, stage, err)
	}
	return key, aws.ToTime(out.CreatedDate).UTC(), nil
}
