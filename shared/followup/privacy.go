package followup

// Personal data in follow-ups: a customer's follow-ups move to the survivor of a merge;
// on erasure (and, for a complaint's messages, at the end of its retention) the ones
// not yet sent are cancelled and every one loses its address, subject, body and
// variables; the outbox (local and dev only) loses the delivered copies.
//
// Access patterns:
//
//	a customer's follow-ups            Query byCustomerKeys CUST#<id>, then BatchGetItem
//	the follow-up of an occasion       GetItem FU#<OccasionID(key)>; when absent, GetItem
//	                                   DEDUPE#<key>, then FU#<id>
//	a delivered copy                   DeleteItem OUTBOX / <followupId>
//	delivered copies to an address     Query OUTBOX, filtered by "to" (one partition,
//	                                   local and dev only, kept 30 days)

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// CustomerFollowups lists every follow-up to a customer (byCustomerKeys), newest first.
func (s *Store) CustomerFollowups(ctx context.Context, customerID string) ([]Followup, error) {
	var all []Followup
	var cursor map[string]types.AttributeValue
	for {
		fs, next, err := s.ForCustomer(ctx, customerID, 200, cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
		if next == nil {
			return all, nil
		}
		cursor = next
	}
}

// Reassign moves a follow-up to another customer (the survivor of a merge), with its
// byCustomerKeys key; false when it is not from's.
func (s *Store) Reassign(ctx context.Context, id, from, to string) (bool, error) {
	u := expression.Set(expression.Name("recipient.id"), expression.Value(to)).
		Set(expression.Name("customerPk"), expression.Value("CUST#"+to))
	return s.update(ctx, id, u, expression.Name("recipient.id").Equal(expression.Value(from)))
}

// Erase cancels a customer's follow-up if it has not been sent and removes what it
// says and where it goes: address, subject, body and variables; its recipient becomes
// the pseudonym and it leaves the customer's index. false when it is not cid's.
func (s *Store) Erase(ctx context.Context, id, cid, pseudonym string, now time.Time) (bool, error) {
	u := redaction(now, false).Set(expression.Name("recipient.id"), expression.Value(pseudonym)).
		Remove(expression.Name("customerPk")).Remove(expression.Name("customerSk"))
	return s.redact(ctx, id, u, expression.Name("recipient.id").Equal(expression.Value(cid)), now)
}

// RedactOccasion does the same to the follow-up a dedupe key claimed (a complaint's
// messages to the complainant, a survey loop's alerts quoting a comment); staff
// recipients keep their address. It returns the follow-up's id ("" when the occasion
// had none).
func (s *Store) RedactOccasion(ctx context.Context, dedupeKey string, keepStaff bool, now time.Time) (string, error) {
	it, ok, err := s.occasion(ctx, dedupeKey)
	if err != nil || !ok {
		return "", err
	}
	f := it.Followup
	u := redaction(now, keepStaff && f.Recipient.Type == "staff")
	_, err = s.redact(ctx, f.ID, u, expression.AttributeExists(expression.Name("pk")), now)
	return f.ID, err
}

// redaction is the update that removes a follow-up's words (and address).
func redaction(now time.Time, keepAddress bool) expression.UpdateBuilder {
	u := expression.Set(expression.Name("subject"), expression.Value("")).
		Set(expression.Name("body"), expression.Value("")).
		Set(expression.Name("redactedAt"), expression.Value(now)).
		Remove(expression.Name("vars"))
	if !keepAddress {
		u = u.Set(expression.Name("recipient.address"), expression.Value(""))
	}
	return u
}

// redact applies u, cancelling the follow-up too while it is still waiting (or being
// sent: the sender then cannot record its outcome, and its copy is removed after).
func (s *Store) redact(ctx context.Context, id string, u expression.UpdateBuilder, cond expression.ConditionBuilder, now time.Time) (bool, error) {
	waiting := []expression.OperandBuilder{expression.Value(Queued), expression.Value(Failed), expression.Value(Sending)}
	cancel := u.Set(expression.Name("status"), expression.Value(Cancelled)).
		Set(expression.Name("cancelledAt"), expression.Value(now)).
		Remove(expression.Name("duePk")).Remove(expression.Name("dueSk")).
		Remove(expression.Name("leaseOwner")).Remove(expression.Name("leaseUntil"))
	ok, err := s.update(ctx, id, cancel, cond.And(expression.Name("status").In(expression.Value(Scheduled), waiting...)))
	if err != nil || ok {
		return ok, err
	}
	return s.update(ctx, id, u, cond)
}

// DeleteDelivered removes the outbox copies of follow-ups; it returns how many there were.
func (s *Store) DeleteDelivered(ctx context.Context, ids []string) (int, error) {
	n := 0
	for _, id := range ids {
		out, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(outboxPK, id),
			ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			return n, dynamo.Unavailable(err, "delete outbox message")
		}
		if out.Attributes != nil {
			n++
		}
	}
	return n, nil
}

// DeleteDeliveredTo removes the outbox copies of messages sent to any of the addresses,
// whichever follow-up sent them. The outbox is one partition that exists only where
// messages go to it (local, dev) and keeps 30 days.
func (s *Store) DeleteDeliveredTo(ctx context.Context, addresses []string) (int, error) {
	addresses = slices.DeleteFunc(slices.Clone(addresses), func(a string) bool { return a == "" })
	if len(addresses) == 0 {
		return 0, nil
	}
	slices.Sort(addresses)
	addresses = slices.Compact(addresses)
	vals := make([]expression.OperandBuilder, len(addresses))
	for i, a := range addresses {
		vals[i] = expression.Value(a)
	}
	ex, err := expression.NewBuilder().
		WithKeyCondition(expression.Key("pk").Equal(expression.Value(outboxPK))).
		WithFilter(expression.Name("to").In(vals[0], vals[1:]...)).
		WithProjection(expression.NamesList(expression.Name("sk"))).Build()
	if err != nil {
		return 0, err
	}
	var ids []string
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{TableName: aws.String(s.Table),
		KeyConditionExpression: ex.KeyCondition(), FilterExpression: ex.Filter(), ProjectionExpression: ex.Projection(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, dynamo.Unavailable(err, "read outbox")
		}
		var keys []struct {
			SK string `dynamodbav:"sk"`
		}
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &keys); err != nil {
			return 0, err
		}
		for _, k := range keys {
			ids = append(ids, k.SK)
		}
	}
	return s.DeleteDelivered(ctx, ids)
}
