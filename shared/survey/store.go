package survey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// ErrNotFound means there is no such survey or invitation.
var ErrNotFound = errors.New("not found")

// Store keeps surveys, invitations and responses in the surveys table.
type Store struct {
	DB    dynamo.API
	Table string
}

type keyed[T any] struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	// ExpiresAt is the TTL (epoch seconds); zero means the item does not expire.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
	Value     T     `dynamodbav:"value"`
}

func (s *Store) put(ctx context.Context, pk, sk string, v any) error {
	item, err := attributevalue.MarshalMap(keyed[any]{PK: pk, SK: sk, Value: v})
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item})
	return err
}

func get[T any](ctx context.Context, s *Store, pk, sk string) (T, error) {
	var zero T
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return zero, dynamo.Unavailable(err, "read "+pk)
	}
	if out.Item == nil {
		return zero, ErrNotFound
	}
	var k keyed[T]
	if err := attributevalue.UnmarshalMap(out.Item, &k); err != nil {
		return zero, fmt.Errorf("decode %s: %w", pk, err)
	}
	return k.Value, nil
}

// PutSurvey stores a definition (seeding and, later, the staff routes).
func (s *Store) PutSurvey(ctx context.Context, sv Survey) error {
	return s.put(ctx, surveyPK(sv.ID), definitionSK, sv)
}

// Survey reads the current definition.
func (s *Store) Survey(ctx context.Context, id string) (Survey, error) {
	return get[Survey](ctx, s, surveyPK(id), definitionSK)
}

// PutInvitation stores an invitation.
func (s *Store) PutInvitation(ctx context.Context, inv Invitation) error {
	if inv.Status == "" {
		inv.Status = "open"
	}
	return s.put(ctx, invitationPK(inv.Token), invitationSK, inv)
}

// Invitation reads an invitation by token.
func (s *Store) Invitation(ctx context.Context, token string) (Invitation, error) {
	return get[Invitation](ctx, s, invitationPK(token), invitationSK)
}

// Responses lists a survey's responses (tests recount from them).
func (s *Store) Responses(ctx context.Context, surveyID string) ([]Response, error) {
	var all []Response
	p := dynamodb.NewQueryPaginator(s.DB.(dynamodb.QueryAPIClient), &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :resp)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(surveyPK(surveyID)), ":resp": dynamo.S("RESP#"),
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		var items []keyed[Response]
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			all = append(all, it.Value)
		}
	}
	return all, nil
}

// Reasons a response could not be saved.
var (
	errInvitationTaken = errors.New("invitation used or expired")
	errLockLost        = errors.New("idempotency claim lost")
)

// SaveResponse writes the response, uses its invitation (if any) and writes the extra
// items (follow-ups, the idempotency record) in one transaction: all or nothing.
func (s *Store) SaveResponse(ctx context.Context, r Response, now time.Time, extra []types.TransactWriteItem) error {
	item, err := attributevalue.MarshalMap(keyed[Response]{PK: surveyPK(r.SurveyID), SK: responseSK(r.ID), Value: r})
	if err != nil {
		return err
	}
	var tx []types.TransactWriteItem
	if r.Invitation != "" {
		use, err := s.useInvitation(r, now)
		if err != nil {
			return err
		}
		tx = append(tx, use)
	}
	tx = append(tx, types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}})
	tx = append(tx, extra...)
	if len(tx) == 1 {
		// A lone response needs no transaction, which would cost twice the capacity.
		put := tx[0].Put
		_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression})
		if err != nil {
			return dynamo.Unavailable(err, "save response")
		}
		return nil
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if err == nil {
		return nil
	}
	reasons := dynamo.CancellationReasons(err)
	if reasons == nil {
		return dynamo.Unavailable(err, "save response")
	}
	if r.Invitation != "" && reasons[0] == "ConditionalCheckFailed" {
		return errInvitationTaken
	}
	if last := reasons[len(reasons)-1]; last == "ConditionalCheckFailed" && len(extra) > 0 {
		return errLockLost
	}
	return dynamo.Unavailable(err, "save response")
}

func (s *Store) useInvitation(r Response, now time.Time) (types.TransactWriteItem, error) {
	u := expression.Set(expression.Name("value.status"), expression.Value("used")).
		Set(expression.Name("value.responseId"), expression.Value(r.ID))
	cond := expression.Name("value.status").Equal(expression.Value("open")).
		And(expression.Name("value.expiresAt").GreaterThan(expression.Value(now.Unix())))
	ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.Table), Key: dynamo.Key(invitationPK(r.Invitation), invitationSK),
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
	}}, nil
}
