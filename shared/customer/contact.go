package customer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
)

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
	if p, err := contact.NormalizePhone(phone); err == nil && phone != "" {
		pks = append(pks, phonePK(p))
	}
	if e, err := contact.NormalizeEmail(email); err == nil && email != "" {
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
