package reward

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/signedlink"
)

// MAC is a version of the key voucher links are made with (shared/signedlink).
type MAC = signedlink.MAC

// Links make and open the links to a customer's voucher page, signed links
// (shared/signedlink) as the unsubscribe links are (shared/customer/signer.go), with
// the same key, whose messages are told apart by their prefix.
//
// A link's token is "<key version>.<handle>", the handle being the HMAC-SHA256 of the
// voucher's code under the key (43 characters, base64url): it shows nothing of the
// voucher or the customer, cannot be made without the key, and is the same each time,
// so the delivery and the reminder carry the same link. The page must turn a handle
// back into a voucher, so the handle's SHA-256 keys a lookup item (LINK#<hash>: the
// code, the customer's locale and time zone), written with the message that carries
// it; the table holds the hash, not the handle, so its readers and backups cannot make
// a link. Opening a link reads the lookup and asks the key (VerifyMac) whether the
// handle is its code's tag, so a lookup planted or altered in the table opens nothing.
//
// Links do not expire with their voucher (the page says it expired): a link works
// while its key version is kept (wiring.SigningKeys); one of a retired version is
// refused as expired.
type Links struct {
	Store *Store
	// Keys are the key's kept versions, the current (signing) one first.
	Keys []MAC
}

var (
	// ErrBadLink means a token was not made by this system, or was altered.
	ErrBadLink = errors.New("not a valid voucher link")
	// ErrExpiredLink means a token's key version has been retired.
	ErrExpiredLink = errors.New("this voucher link has expired")
)

// Link is what a link's lookup holds.
type Link struct {
	Code       string `dynamodbav:"code"`
	CustomerID string `dynamodbav:"customerId"`
	// Locale and TimeZone are the customer's when the link was sent: the page's
	// language unless the reader picks the other, and the zone its dates are in.
	Locale   string `dynamodbav:"locale,omitempty"`
	TimeZone string `dynamodbav:"timeZone,omitempty"`
	Version  int    `dynamodbav:"version"`
}

type linkItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Link
}

const linkSK = "LINK"

// linkPK keys a link's lookup by the hash of its handle (signedlink.Link.Lookup).
func linkPK(lookup string) string { return "LINK#" + lookup }

// linkMessage is what a handle is the tag of; the prefix keeps it apart from every
// other use of the key.
func linkMessage(code string) []byte { return []byte("rapport/voucher-page/v1\x00" + code) }

// Token is the token of l's voucher page, made with the current key, and the
// transaction items that record its lookup and, under the voucher's code, where that
// lookup is (the same items each time: put them with the message that carries the
// link). The pointer lets privacy find every lookup of a voucher, of any key version,
// without the key.
func (ls *Links) Token(ctx context.Context, l Link) (string, []types.TransactWriteItem, error) {
	link, err := signedlink.Mint(ctx, ls.Keys, linkMessage(l.Code))
	if err != nil {
		return "", nil, fmt.Errorf("voucher link: %w", err)
	}
	l.Version = link.Key.Version()
	pk := linkPK(link.Lookup)
	item, err := attributevalue.MarshalMap(linkItem{PK: pk, SK: linkSK, Link: l})
	if err != nil {
		return "", nil, err
	}
	table := aws.String(ls.Store.Table)
	puts := []types.TransactWriteItem{
		{Put: &types.Put{TableName: table, Item: item}},
		{Put: &types.Put{TableName: table, Item: dynamo.Key(linksPK(l.Code), pk)}},
	}
	return link.Token, puts, nil
}

// linksPK is the partition of the pointers to a voucher's link lookups: one item per
// lookup, its sort key the lookup's pk.
func linksPK(code string) string { return "LINKS#" + code }

// Open checks a token and tells what it shows. It changes nothing.
func (ls *Links) Open(ctx context.Context, token string) (Link, error) {
	link, err := signedlink.Parse(ls.Keys, token)
	if errors.Is(err, signedlink.ErrExpired) {
		return Link{}, ErrExpiredLink
	}
	if err != nil {
		return Link{}, ErrBadLink
	}
	var it linkItem
	found, err := dynamo.GetVersioned(ctx, ls.Store.DB, ls.Store.Table, linkPK(link.Lookup), linkSK, &it, "voucher link")
	if err != nil {
		return Link{}, err
	}
	if !found || it.Version != link.Key.Version() {
		return Link{}, ErrBadLink
	}
	valid, err := link.Verify(ctx, linkMessage(it.Code))
	if err != nil {
		return Link{}, fmt.Errorf("verify voucher link: %w", err)
	}
	if !valid {
		return Link{}, ErrBadLink
	}
	return it.Link, nil
}

// NewLinks are the voucher page's links under the key the reference names (the
// UNSUBSCRIBE_KEY variable: KMS key ARNs in AWS, key files locally). An empty
// reference (a variable missing, which the build reports) gives links without keys.
func NewLinks(rewards *Store, ref string, d app.Deps) (*Links, error) {
	ls := &Links{Store: rewards}
	if ref == "" {
		return ls, nil
	}
	ring, err := d.MACRing(ref)
	if err != nil {
		return nil, err
	}
	for _, k := range ring {
		ls.Keys = append(ls.Keys, k)
	}
	return ls, nil
}
