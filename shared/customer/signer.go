package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/signedlink"
)

// MAC is a version of the unsubscribe key (shared/signedlink).
type MAC = signedlink.MAC

// Signer makes and checks unsubscribe tokens.
//
// A token is a signed link (shared/signedlink), "<key version>.<handle>", where the
// handle is the HMAC-SHA256 of the customer and the channel under the unsubscribe key
// (43 characters, base64url). It shows nothing of the customer: no id, no channel, no
// expiry, only a number saying which key made it. The handle is deterministic, so the
// sender stores no secret to find it again: it asks the key (one GenerateMac per
// message).
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

// Unsubscribe is what a token stands for.
type Unsubscribe struct {
	CustomerID string
	Channel    string
}

// Token is the unsubscribe token of a customer's channel, made with the current key;
// the first time, it records the lookup the public route needs.
func (s *Signer) Token(ctx context.Context, customerID, channel string, now time.Time) (string, error) {
	if !slices.Contains(contact.Channels, channel) || customerID == "" {
		return "", fmt.Errorf("unsubscribe token for channel %q: an unknown channel or no customer", channel)
	}
	link, err := signedlink.Mint(ctx, s.Keys, handleMessage(customerID, channel))
	if err != nil {
		return "", fmt.Errorf("unsubscribe token: %w", err)
	}
	if err := s.Store.recordUnsubscribe(ctx, unsubscribeItem{PK: unsubscribePK(link.Lookup), SK: unsubscribeSK,
		CustomerID: customerID, Channel: channel, Version: link.Key.Version(), CreatedAt: now.UTC()}); err != nil {
		return "", err
	}
	return link.Token, nil
}

// Verify checks a token and tells what it unsubscribes. It changes nothing.
func (s *Signer) Verify(ctx context.Context, token string) (Unsubscribe, error) {
	link, err := signedlink.Parse(s.Keys, token)
	if errors.Is(err, signedlink.ErrExpired) {
		return Unsubscribe{}, ErrExpiredToken
	}
	if err != nil {
		return Unsubscribe{}, ErrBadToken
	}
	it, found, err := s.Store.unsubscribeLookup(ctx, unsubscribePK(link.Lookup))
	if err != nil {
		return Unsubscribe{}, err
	}
	if !found || it.Version != link.Key.Version() || !slices.Contains(contact.Channels, it.Channel) {
		return Unsubscribe{}, ErrBadToken
	}
	valid, err := link.Verify(ctx, handleMessage(it.CustomerID, it.Channel))
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
