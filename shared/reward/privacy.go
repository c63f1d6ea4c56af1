package reward

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// The rewards table's part in a person's rights (shared/privacy drives them): a
// customer's vouchers are found through byCustomer, their issue claims from each
// voucher's source, and their links' lookups from the pointers under each voucher's
// code (no key needed). Each step is conditioned on the record still being the
// customer's, so a rerun after a crash finishes what was left and does nothing twice.

// maxAttempts bounds the re-reads of a voucher changed meanwhile (a redemption racing
// a merge or an erasure).
const maxAttempts = 10

// CustomerVouchers reads all of a customer's vouchers, newest first.
func (s *Store) CustomerVouchers(ctx context.Context, cid string) ([]Voucher, error) {
	items, err := dynamo.QueryAll[voucherItem](ctx, s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("byCustomer"),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S(customerPK(cid))},
		ScanIndexForward:          aws.Bool(false),
	}, "read a customer's vouchers")
	out := make([]Voucher, len(items))
	for i, it := range items {
		out[i] = it.Voucher
	}
	return out, err
}

// Reassign moves v from the customer from (a merged duplicate) to the customer to, the
// survivor: first its source's claim is copied to the survivor, unless the survivor
// has a claim of that source already (then both had one before the merge, and the
// merged person keeps the two vouchers), so the source cannot issue the merged person
// another; then the voucher, with its place in byCustomer. The duplicate's claim stays:
// an issue to its id still gets its voucher back. False: the voucher was not from's.
func (s *Store) Reassign(ctx context.Context, v Voucher, from, to string) (bool, error) {
	claim, err := attributevalue.MarshalMap(issueItem{PK: issuePK(v.Source, to), SK: issueSK, Code: v.Code, CustomerID: to})
	if err != nil {
		return false, err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: claim,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var held *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &held) {
		return false, dynamo.Unavailable(err, "copy voucher claim")
	}
	return s.rewrite(ctx, v, from, func(next *Voucher) { next.CustomerID = to })
}

// Erase leaves the voucher v of the customer cid under alias, the pseudonym of the
// erasure: the claims of its source naming it under any of owners (the person's ids)
// go, then the voucher is rewritten under alias, without the free texts staff wrote
// of it. Its figures (value, source, locations, dates, states) stay, so the report's
// counters and the timers see it as before. False: the voucher was not cid's.
func (s *Store) Erase(ctx context.Context, v Voucher, cid, alias string, owners []string) (bool, error) {
	for _, owner := range owners {
		_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table),
			Key:                       dynamo.Key(issuePK(v.Source, owner), issueSK),
			ConditionExpression:       aws.String("code = :code"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":code": dynamo.S(v.Code)}})
		var other *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &other) {
			return false, dynamo.Unavailable(err, "delete voucher claim")
		}
	}
	return s.rewrite(ctx, v, cid, func(next *Voucher) {
		next.CustomerID, next.Reason = alias, ""
		for _, r := range []*Redemption{next.Redemption, next.Cancelled} {
			if r != nil {
				r.Reason = ""
			}
		}
		if next.Reversal != nil {
			next.Reversal.Redemption.Reason = ""
		}
	})
}

// rewrite puts v changed by change, if it is still cid's, at the next version (so a
// change decided on the voucher before cannot write it back): a voucher changed
// meanwhile is read again and changed again.
func (s *Store) rewrite(ctx context.Context, v Voucher, cid string, change func(*Voucher)) (bool, error) {
	for range maxAttempts {
		if v.CustomerID != cid {
			return false, nil
		}
		next := v
		if v.Redemption != nil {
			r := *v.Redemption
			next.Redemption = &r
		}
		if v.Cancelled != nil {
			c := *v.Cancelled
			next.Cancelled = &c
		}
		if v.Reversal != nil {
			r := *v.Reversal
			next.Reversal = &r
		}
		change(&next)
		next.Version = v.Version + 1
		item, err := attributevalue.MarshalMap(s.item(next))
		if err != nil {
			return false, err
		}
		_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item,
			ConditionExpression: aws.String("version = :v AND customerId = :c"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":v": dynamo.N(int64(v.Version)), ":c": dynamo.S(cid)}})
		var changed *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			return true, nil
		case !errors.As(err, &changed):
			return false, dynamo.Unavailable(err, "rewrite voucher")
		}
		if v, err = s.Voucher(ctx, v.Code); errors.Is(err, ErrNoVoucher) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	return false, fmt.Errorf("voucher %s: changed %d times meanwhile", v.Code, maxAttempts)
}

// lookups are the keys of the lookups of a voucher's links, of every key version,
// from the pointers Links.Token writes beside them under the voucher's code.
func (s *Store) lookups(ctx context.Context, code string) ([]map[string]types.AttributeValue, error) {
	type pointer struct {
		SK string `dynamodbav:"sk"`
	}
	ps, err := dynamo.QueryAll[pointer](ctx, s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S(linksPK(code))},
		ConsistentRead:            aws.Bool(true),
	}, "read a voucher's links")
	keys := make([]map[string]types.AttributeValue, len(ps))
	for i, p := range ps {
		keys[i] = dynamo.Key(p.SK, linkSK)
	}
	return keys, err
}

// ForgetLinks deletes the lookups of the links to a voucher's page (they hold the
// customer's locale and time zone), then their pointers: those links then open
// nothing, as an altered link. It returns how many lookups there were; a rerun after
// a crash finds the pointers left and finishes.
func (s *Store) ForgetLinks(ctx context.Context, code string) (int, error) {
	keys, err := s.lookups(ctx, code)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, key := range keys {
		out, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: key,
			ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			return n, dynamo.Unavailable(err, "delete voucher link")
		}
		if len(out.Attributes) > 0 {
			n++
		}
		pk, _ := key["pk"].(*types.AttributeValueMemberS)
		if _, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(linksPK(code), pk.Value)}); err != nil {
			return n, dynamo.Unavailable(err, "delete voucher link")
		}
	}
	return n, nil
}

// Relink turns the lookups of a voucher's links from the customer from to the
// customer to (a merge), so the links sent to the duplicate open the voucher with the
// survivor's others. It returns how many it turned.
func (s *Store) Relink(ctx context.Context, code, from, to string) (int, error) {
	keys, err := s.lookups(ctx, code)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, key := range keys {
		_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.Table), Key: key,
			UpdateExpression:          aws.String("SET customerId = :to"),
			ConditionExpression:       aws.String("customerId = :from"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":from": dynamo.S(from), ":to": dynamo.S(to)}})
		var other *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			n++
		case !errors.As(err, &other):
			return n, dynamo.Unavailable(err, "relink voucher")
		}
	}
	return n, nil
}
