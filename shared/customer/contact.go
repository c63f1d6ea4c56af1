package customer

import (
	"context"
	"errors"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/nyaruka/phonenumbers"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// DefaultRegion is assumed for phone numbers written without a country code: a
// national number such as 138 0013 8000 is read as mainland China's.
const DefaultRegion = "CN"

// ErrBadPhone and ErrBadEmail mean a contact cannot be normalised.
var (
	ErrBadPhone = errors.New("not a phone number")
	ErrBadEmail = errors.New("not an email address")
)

// NormalizePhone writes a phone number in E.164 (+8613800138000) as libphonenumber
// reads it: "+44 (0)20 7946 0958", "+44 20 7946 0958" and "0044 20 7946 0958" are one
// number, and a national number gets DefaultRegion's country code. Only digits, a
// leading +, and spaces, dashes, dots, slashes and brackets are accepted (no letters:
// a name searched for is never read as a vanity number), and the number must be valid
// in libphonenumber's metadata, not just of a possible length, so that a mistyped
// number does not join two customers under one made-up contact.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrBadPhone
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == '+' && i == 0 || strings.ContainsRune(" -.()/", r)) {
			return "", ErrBadPhone
		}
	}
	n, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", ErrBadPhone
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// NormalizeEmail lower-cases an address and checks its form.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", ErrBadEmail
	}
	return s, nil
}

// ContactIndex are the items that find a customer by normalised phone and email;
// profiles write them when created or changed.
func (s *Store) ContactIndex(customerID, phone, email string) []types.TransactWriteItem {
	var out []types.TransactWriteItem
	for _, pk := range contactKeys(phone, email) {
		item := dynamo.Key(pk, contactSK)
		item["customerId"] = dynamo.S(customerID)
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: item}})
	}
	return out
}

func contactKeys(phone, email string) []string {
	var pks []string
	if p, err := NormalizePhone(phone); err == nil && phone != "" {
		pks = append(pks, phonePK(p))
	}
	if e, err := NormalizeEmail(email); err == nil && email != "" {
		pks = append(pks, emailPK(e))
	}
	return pks
}

// FindByContact is the customer with this phone, or else this email; "" when none.
func (s *Store) FindByContact(ctx context.Context, phone, email string) (string, error) {
	for _, pk := range contactKeys(phone, email) {
		out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(pk, contactSK)})
		if err != nil {
			return "", dynamo.Unavailable(err, "find customer by contact")
		}
		if v, ok := out.Item["customerId"].(*types.AttributeValueMemberS); ok {
			return v.Value, nil
		}
	}
	return "", nil
}
