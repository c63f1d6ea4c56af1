package followup

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// Outbox is the channel that delivers into a table instead of to people: the local
// runner's email and SMS, readable at GET /dev/outbox. Delivery is a conditional put
// keyed by the follow-up id, so a message lands at most once however often it is sent.
type Outbox struct {
	DB    dynamo.API
	Table string
	// Keep is how long outbox entries live (TTL).
	Keep time.Duration
}

type outboxItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Message
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

// Deliver records the message once.
func (o *Outbox) Deliver(ctx context.Context, m Message) error {
	it, err := attributevalue.MarshalMap(outboxItem{PK: outboxPK, SK: m.ID, Message: m, ExpiresAt: m.SentAt.Add(o.Keep).Unix()})
	if err != nil {
		return err
	}
	_, err = o.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(o.Table), Item: it, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if dynamo.ConditionFailed(err) {
		return nil // delivered before: once is the point
	}
	if err != nil {
		return fmt.Errorf("outbox deliver %s: %w", m.ID, err)
	}
	return nil
}

// List returns up to limit messages, newest first.
func (o *Outbox) List(ctx context.Context, limit int) ([]Message, error) {
	out, err := o.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(o.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(outboxPK)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("outbox list: %w", err)
	}
	var items []outboxItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, err
	}
	msgs := make([]Message, len(items))
	for i, it := range items {
		msgs[i] = it.Message
	}
	return msgs, nil
}
