package customer

import (
	"context"
	"errors"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// DefaultCountryCode is assumed for phone numbers written without one: an eleven-digit
// number starting with 1 is a mainland China mobile.
const DefaultCountryCode = "86"

// ErrBadPhone and ErrBadEmail mean a contact cannot be normalised.
var (
	ErrBadPhone = errors.New("not a phone number")
	ErrBadEmail = errors.New("not an email address")
)

// NormalizePhone writes a phone number in E.164 (+8613800138000): spaces, dashes, dots
// and brackets are dropped, 00 becomes +, a national mobile number gets the default
// country code, and a trunk prefix written "(0)" after the country code is left out
// ("+44 (0)20 7946 0958" is "+44 20 7946 0958"). Letters are refused, so a name
// searched for is never read as a number.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "(0)"); i > 0 && (s[0] == '+' || strings.HasPrefix(s, "00")) {
		s = s[:i] + s[i+3:]
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case strings.ContainsRune(" -.()/", r):
		default:
			return "", ErrBadPhone
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case len(n) == 11 && n[0] == '1':
		n = "+" + DefaultCountryCode + n
	default:
		return "", ErrBadPhone
	}
	if d := len(n) - 1; d < 8 || d > 15 || n[1] == '0' {
		return "", ErrBadPhone
	}
	return n, nil
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
