package customer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// Signer makes and checks signed unsubscribe tokens: the customer, the channel and an
// expiry, with an HMAC-SHA256. The key is created once, at random, in the customers
// table (encrypted at rest with the table's key), so the sender that signs and the
// public route that verifies share it without a secret to deploy or rotate by hand.
type Signer struct {
	Store *Store

	mu  sync.Mutex
	key []byte
}

// Unsubscribe tokens live a year: old messages keep working.
const unsubscribeTTL = 365 * 24 * time.Hour

var (
	// ErrBadToken means a token was not made by this system, or was altered.
	ErrBadToken = errors.New("not a valid unsubscribe link")
	// ErrExpiredToken means a token is older than its expiry.
	ErrExpiredToken = errors.New("this unsubscribe link has expired")
)

var b64 = base64.RawURLEncoding

// Unsubscribe is what a token stands for.
type Unsubscribe struct {
	CustomerID string
	Channel    string
	Expires    time.Time
}

// Token signs an unsubscribe link for a customer's channel.
func (s *Signer) Token(ctx context.Context, customerID, channel string, now time.Time) (string, error) {
	key, err := s.load(ctx)
	if err != nil {
		return "", err
	}
	payload := customerID + "|" + channel + "|" + strconv.FormatInt(now.Add(unsubscribeTTL).Unix(), 10)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(mac(key, payload)), nil
}

// Verify checks a token and tells what it unsubscribes.
func (s *Signer) Verify(ctx context.Context, token string, now time.Time) (Unsubscribe, error) {
	key, err := s.load(ctx)
	if err != nil {
		return Unsubscribe{}, err
	}
	p, sig, ok := strings.Cut(token, ".")
	payload, err1 := b64.DecodeString(p)
	got, err2 := b64.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(got, mac(key, string(payload))) {
		return Unsubscribe{}, ErrBadToken
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 || !slices.Contains(Channels, parts[1]) {
		return Unsubscribe{}, ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return Unsubscribe{}, ErrBadToken
	}
	u := Unsubscribe{CustomerID: parts[0], Channel: parts[1], Expires: time.Unix(exp, 0).UTC()}
	if !now.Before(u.Expires) {
		return u, ErrExpiredToken
	}
	return u, nil
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("unsubscribe:" + payload))
	return h.Sum(nil)
}

// load reads the key once per process, creating it on first use; two processes racing
// to create it both end up with the one that was stored first. A failed read
// (DynamoDB down) is tried again on the next call.
func (s *Signer) load(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		k, err := s.Store.signingKey(ctx, "unsubscribe")
		if err != nil {
			return nil, err
		}
		s.key = k
	}
	return s.key, nil
}

func (s *Store) signingKey(ctx context.Context, purpose string) ([]byte, error) {
	key := dynamo.Key(keyPK(purpose), keySK)
	read := func() ([]byte, error) {
		out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, dynamo.Unavailable(err, "read signing key")
		}
		if b, ok := out.Item["secret"].(*types.AttributeValueMemberB); ok && len(b.Value) == 32 {
			return b.Value, nil
		}
		return nil, nil
	}
	if k, err := read(); err != nil || k != nil {
		return k, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	item := dynamo.Key(keyPK(purpose), keySK)
	item["secret"] = &types.AttributeValueMemberB{Value: secret}
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if err != nil && !dynamo.ConditionFailed(err) {
		return nil, dynamo.Unavailable(err, "create signing key")
	}
	k, err := read()
	if err == nil && k == nil {
		err = fmt.Errorf("signing key %s missing after creation", purpose)
	}
	return k, err
}

// Key is the random 32-byte key kept for a purpose ("unsubscribe", "webhook"),
// created on first use.
func (s *Store) Key(ctx context.Context, purpose string) ([]byte, error) {
	return s.signingKey(ctx, purpose)
}
