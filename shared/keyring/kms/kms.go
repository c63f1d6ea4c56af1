// Package kms keeps the keyring's MAC keys in AWS KMS: HMAC_256 keys that never leave
// it, each Sum a GenerateMac and each Verify a VerifyMac. It sits apart from keyring so
// that only the functions whose keys live in KMS link the KMS client.
package kms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/rapport-crm/rapport/shared/keyring"
)

// API is the part of the KMS client a MAC key uses.
type API interface {
	GenerateMac(ctx context.Context, in *awskms.GenerateMacInput, optFns ...func(*awskms.Options)) (*awskms.GenerateMacOutput, error)
	VerifyMac(ctx context.Context, in *awskms.VerifyMacInput, optFns ...func(*awskms.Options)) (*awskms.VerifyMacOutput, error)
}

// MACRing reads a MAC key's reference as keyring.MACRing does, where each version is
// a KMS key ARN (arn:...:kms:...) or a key file. The KMS client is built from cfg (the
// function's, d.Clients.Config) once, and only if a version is a KMS key.
func MACRing(ref string, cfg aws.Config) ([]*keyring.MAC, error) {
	return ring(ref, sync.OnceValue(func() API { return awskms.NewFromConfig(cfg) }))
}

func ring(ref string, client func() API) ([]*keyring.MAC, error) {
	return keyring.MACRing(ref, func(where string) (keyring.MACKeeper, error) {
		if !strings.HasPrefix(where, "arn:") || !strings.Contains(where, ":kms:") {
			return nil, fmt.Errorf("%q is neither a KMS key ARN nor file:<path>", where)
		}
		return &key{api: client(), id: where}, nil
	})
}

// key is one version of a MAC key in KMS.
type key struct {
	api API
	id  string
}

func (k *key) Sum(ctx context.Context, msg []byte) ([]byte, error) {
	out, err := k.api.GenerateMac(ctx, &awskms.GenerateMacInput{
		KeyId: aws.String(k.id), MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Message: msg,
	})
	if err != nil {
		return nil, keyring.Classify(err, "KMS (GenerateMac)")
	}
	return out.Mac, nil
}

// Verify asks KMS, which answers a wrong tag with KMSInvalidMacException: false, not
// an error.
func (k *key) Verify(ctx context.Context, msg, tag []byte) (bool, error) {
	out, err := k.api.VerifyMac(ctx, &awskms.VerifyMacInput{
		KeyId: aws.String(k.id), MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Message: msg, Mac: tag,
	})
	var invalid *types.KMSInvalidMacException
	if errors.As(err, &invalid) {
		return false, nil
	}
	if err != nil {
		return false, keyring.Classify(err, "KMS (VerifyMac)")
	}
	return out.MacValid, nil
}
