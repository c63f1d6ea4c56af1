package customer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
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

// Signer makes and checks unsubscribe tokens.
//
// A token is "<key version>.<handle>", where the handle is the HMAC-SHA256 of the
// customer and the channel under the unsubscribe key (43 characters, base64url). It
// shows nothing of the customer: no id, no channel, no expiry, only a number saying
// which key made it. The handle is deterministic, so the sender stores no secret to
// find it again: it asks the key (one GenerateMac per message).
//
// The public route must turn a handle back into a customer, so the handle's SHA-256
// keys a lookup item (UNSUB#<hash> → customer, channel, version), written once per
// customer, channel and key version with a pointer in the customer's partition that
// erasure follows. The table holds the hash, not the handle: the dozen roles that read
// the customers table, and its backups, cannot rebuild a link from it, and only the
// sender's role can make one (kms:GenerateMac). Verifying reads the lookup and asks the
// key (VerifyMac) whether the handle is that customer's and channel's tag, so an item
// planted or altered in the table does not verify either.
//
// Cost per marketing message: one GenerateMac and one GetItem (0.5 RCU); the first
// message per customer, channel and key version also writes the two items (one
// transaction, 4 WCU). Per click on a link (GET or POST): one consistent GetItem (1 RCU)
// and one VerifyMac; the POST then writes the consent (one transaction). Links do not
// expire: a link works while its key version is kept (see wiring.SigningKeys), and one
// of a retired version says so (410).
type Signer struct {
	Store *Store
	// Keys are the unsubscribe key's kept versions, the current (signing) one first.
	Keys []MAC
}

var (
	// ErrBadToken means a token was not made by this system, or was altered.
	ErrBadToken = errors.New("not a valid unsubscribe link")
	// ErrExpiredToken means a token's key version has been retired.
	ErrExpiredToken = errors.New("this unsubscribe link has expired")
)

var b64 = base64.RawURLEncoding

// Unsubscribe is what a token stands for.
type Unsubscribe struct {
	CustomerID string
	Channel    string
}

// handleBytes is the size of an HMAC-SHA256 tag, all of which VerifyMac needs.
const handleBytes = sha256.Size

// Token is the unsubscribe token of a customer's channel, made with the current key;
// the first time, it records the lookup the public route needs.
func (s *Signer) Token(ctx context.Context, customerID, channel string, now time.Time) (string, error) {
	if len(s.Keys) == 0 {
		return "", errors.New("unsubscribe tokens: no key")
	}
	if !slices.Contains(contact.Channels, channel) || customerID == "" {
		return "", fmt.Errorf("unsubscribe token for channel %q: an unknown channel or no customer", channel)
	}
	key := s.Keys[0]
	handle, err := key.Sum(ctx, handleMessage(customerID, channel))
	if err != nil {
		return "", fmt.Errorf("unsubscribe token: %w", err)
	}
	if err := s.Store.recordUnsubscribe(ctx, unsubscribeItem{PK: unsubscribePK(handle), SK: unsubscribeSK,
		CustomerID: customerID, Channel: channel, Version: key.Version(), CreatedAt: now.UTC()}); err != nil {
		return "", err
	}
	return strconv.Itoa(key.Version()) + "." + b64.EncodeToString(handle), nil
}

// Verify checks a token and tells what it unsubscribes. It changes nothing.
func (s *Signer) Verify(ctx context.Context, token string) (Unsubscribe, error) {
	v, h, ok := strings.Cut(token, ".")
	version, err := strconv.Atoi(v)
	handle, herr := b64.DecodeString(h)
	if !ok || err != nil || version < 1 || v != strconv.Itoa(version) || herr != nil || len(handle) != handleBytes {
		return Unsubscribe{}, ErrBadToken
	}
	i := slices.IndexFunc(s.Keys, func(k MAC) bool { return k.Version() == version })
	if i < 0 {
		if slices.ContainsFunc(s.Keys, func(k MAC) bool { return k.Version() > version }) {
			return Unsubscribe{}, ErrExpiredToken
		}
		return Unsubscribe{}, ErrBadToken
	}
	it, found, err := s.Store.unsubscribeLookup(ctx, unsubscribePK(handle))
	if err != nil {
		return Unsubscribe{}, err
	}
	if !found || it.Version != version || !slices.Contains(contact.Channels, it.Channel) {
		return Unsubscribe{}, ErrBadToken
	}
	valid, err := s.Keys[i].Verify(ctx, handleMessage(it.CustomerID, it.Channel), handle)
	if err != nil {
		return Unsubscribe{}, fmt.Errorf("verify unsubscribe token: %w", err)
	}
	if !valid {
		return Unsubscribe{}, ErrBadToken
	}
	return Unsubscribe{CustomerID: it.CustomerID, Channel: it.Channel}, nil
}

// handleMessage is what a handle is the tag of; NUL separators keep "a" + "b\x00c"
// apart from "a\x00b" + "c" (ids are never NUL).
func handleMessage(customerID, channel string) []byte {
	return []byte("rapport/unsubscribe/v1\x00" + customerID + "\x00" + channel)
}

// unsubscribeItem is a link's lookup: the customer and channel of a handle's hash.
type unsubscribeItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	CustomerID string    `dynamodbav:"customerId"`
	Channel    string    `dynamodbav:"channel"`
	Version    int       `dynamodbav:"version"`
	CreatedAt  time.Time `dynamodbav:"createdAt"`
}

// recordUnsubscribe writes a handle's lookup and its pointer in the customer's
// partition, unless the lookup is there already. Both are the same whoever writes
// them (the handle is deterministic), so two senders racing write the same items.
func (s *Store) recordUnsubscribe(ctx context.Context, it unsubscribeItem) error {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(it.PK, it.SK),
		ProjectionExpression: aws.String("pk")})
	if err != nil {
		return dynamo.Unavailable(err, "read unsubscribe link")
	}
	if len(out.Item) > 0 {
		return nil
	}
	lookup, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	pointer := dynamo.Key(customerPK(it.CustomerID), unsubscribePointerSK(it.Version, it.Channel))
	pointer["lookup"] = dynamo.S(it.PK)
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.Table), Item: lookup}},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: pointer}},
	}})
	if err != nil {
		return dynamo.Unavailable(err, "record unsubscribe link")
	}
	return nil
}

func (s *Store) unsubscribeLookup(ctx context.Context, pk string) (unsubscribeItem, bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(pk, unsubscribeSK),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return unsubscribeItem{}, false, dynamo.Unavailable(err, "read unsubscribe link")
	}
	if len(out.Item) == 0 {
		return unsubscribeItem{}, false, nil
	}
	var it unsubscribeItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return unsubscribeItem{}, false, err
	}
	return it, true, nil
}
