// Package customer holds what Rapport knows about each customer: today, consent per
// channel and the marketing frequency cap, and the signed unsubscribe links.
package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Consent is a channel's opt-in or opt-out, with when and how it was given.
type Consent struct {
	Channel string    `dynamodbav:"channel" json:"channel"`
	Granted bool      `dynamodbav:"granted" json:"granted"`
	At      time.Time `dynamodbav:"at" json:"at"`
	// Source says how: "web-form", "front-desk", "unsubscribe-link", "import", ...
	Source string `dynamodbav:"source" json:"source"`
	// By is the staff member or client that recorded it, if any.
	By string `dynamodbav:"by,omitempty" json:"by,omitempty"`
}

// Store keeps customers in the customers table.
type Store struct {
	DB    dynamo.API
	Table string
	// Locations is the registry profiles and visits name their locations in.
	Locations Locations
}

type consentItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Consent
	CustomerID string `dynamodbav:"customerId"`
	// AtMs orders changes: a late-arriving older change never replaces a newer one.
	AtMs int64 `dynamodbav:"atMs"`
}

// Consents are a customer's current consents by channel (absent: never asked).
func (s *Store) Consents(ctx context.Context, customerID string) (map[string]Consent, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :c)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(customerPK(customerID)), ":c": dynamo.S("CONSENT#"),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, dynamo.Unavailable(err, "read consent")
	}
	var items []consentItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, err
	}
	m := map[string]Consent{}
	for _, it := range items {
		m[it.Channel] = it.Consent
	}
	return m, nil
}

// ValidateConsent checks a change before it is recorded.
func ValidateConsent(c Consent) error {
	var errs []problem.FieldError
	if !slices.Contains(contact.Channels, c.Channel) {
		errs = append(errs, problem.FieldError{Field: "channel", Message: "must be email, sms or webhook"})
	}
	if strings.TrimSpace(c.Source) == "" || len(c.Source) > 64 {
		errs = append(errs, problem.FieldError{Field: "source", Message: "is required (how the customer said so), at most 64 characters"})
	}
	return problem.Fields(errs)
}

// SetConsent records a change: the channel's current consent and a log entry that is
// never rewritten, in one transaction. An older change than the current one is kept
// in the log but does not replace it.
func (s *Store) SetConsent(ctx context.Context, customerID string, c Consent) error {
	_, err := s.recordConsent(ctx, customerID, c, "attribute_not_exists(pk) OR atMs <= :ms", nil)
	return err
}

// OptOut turns a channel's consent off, as an unsubscribe link does, once: when the
// channel is off already nothing is written, so a second click or a mail client's
// retry leaves one opt-out in the log, not one per request. It tells whether the
// current consent changed. Like SetConsent, an opt-out older than the current consent
// is logged only.
func (s *Store) OptOut(ctx context.Context, customerID string, c Consent) (bool, error) {
	c.Granted = false
	return s.recordConsent(ctx, customerID, c, "attribute_not_exists(pk) OR (granted = :on AND atMs <= :ms)",
		func(current map[string]types.AttributeValue) bool {
			off, ok := current["granted"].(*types.AttributeValueMemberBOOL)
			return ok && !off.Value
		})
}

// recordConsent writes the channel's current consent under cond (with :ms, the
// change's time, and :on, true) and its log entry, in one transaction. When cond
// fails, skip (if given) decides from the current item whether the change is a no-op;
// otherwise a newer change is current and the change is logged only.
func (s *Store) recordConsent(ctx context.Context, customerID string, c Consent, cond string, skip func(map[string]types.AttributeValue) bool) (bool, error) {
	if err := ValidateConsent(c); err != nil {
		return false, err
	}
	at := c.At.UTC().Format("2006-01-02T15:04:05.000000000Z") // fixed width: sorts in time order
	cur, err := attributevalue.MarshalMap(consentItem{PK: customerPK(customerID), SK: consentSK(c.Channel), Consent: c, CustomerID: customerID, AtMs: c.At.UnixMilli()})
	if err != nil {
		return false, err
	}
	log, err := attributevalue.MarshalMap(consentItem{PK: customerPK(customerID), SK: consentLogSK(at, c.Channel), Consent: c, CustomerID: customerID, AtMs: c.At.UnixMilli()})
	if err != nil {
		return false, err
	}
	vals := map[string]types.AttributeValue{":ms": dynamo.N(c.At.UnixMilli())}
	if strings.Contains(cond, ":on") {
		vals[":on"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.Table), Item: cur, ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: log, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}})
	if err == nil {
		return true, nil
	}
	if reasons := dynamo.CancellationReasons(err); len(reasons) > 0 && reasons[0] == "ConditionalCheckFailed" {
		if skip != nil {
			out, gerr := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table),
				Key: dynamo.Key(customerPK(customerID), consentSK(c.Channel)), ConsistentRead: aws.Bool(true)})
			if gerr != nil {
				return false, dynamo.Unavailable(gerr, "read consent")
			}
			if skip(out.Item) {
				return false, nil
			}
		}
		// A newer change is current: log this one only.
		_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: log, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	}
	if dynamo.ConditionFailed(err) {
		return false, nil // this very change was recorded before
	}
	if err != nil {
		return false, dynamo.Unavailable(err, "record consent")
	}
	return false, nil
}

// ErrCapped means the marketing slot is taken: a marketing message went out recently.
var ErrCapped = errors.New("marketing frequency cap")

// TakeMarketingSlot claims the customer's marketing slot at now if the last marketing
// message went out at least window ago; it returns when the last one went otherwise.
func (s *Store) TakeMarketingSlot(ctx context.Context, customerID string, now time.Time, window time.Duration) (time.Time, error) {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(customerID), capSK),
		UpdateExpression:    aws.String("SET lastAt = :now"),
		ConditionExpression: aws.String("attribute_not_exists(lastAt) OR lastAt <= :since"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": dynamo.N(now.UnixMilli()), ":since": dynamo.N(now.Add(-window).UnixMilli()),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		var old struct {
			LastAt int64 `dynamodbav:"lastAt"`
		}
		_ = attributevalue.UnmarshalMap(ccf.Item, &old)
		return time.UnixMilli(old.LastAt).UTC(), ErrCapped
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("take marketing slot: %w", err)
	}
	return time.Time{}, nil
}

// ReleaseMarketingSlot gives back a slot taken at `at` when the message was not sent.
func (s *Store) ReleaseMarketingSlot(ctx context.Context, customerID string, at time.Time) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(customerID), capSK),
		UpdateExpression:          aws.String("REMOVE lastAt"),
		ConditionExpression:       aws.String("lastAt = :at"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": dynamo.N(at.UnixMilli())},
	})
	if dynamo.ConditionFailed(err) {
		return nil
	}
	return err
}

// Sources of an opt-out recorded by the unsubscribe link (shared/customer/unsubscribe):
// its page's button, or a mail client's one-click post.
const (
	SourceUnsubscribePage     = "unsubscribe-link"
	SourceUnsubscribeOneClick = "unsubscribe-one-click"
)
