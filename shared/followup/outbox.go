package followup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
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

// OutboxKeep is how long outbox entries live.
const OutboxKeep = 30 * 24 * time.Hour

// NewOutbox is the outbox in table, keeping messages OutboxKeep.
func NewOutbox(db dynamo.API, table string) *Outbox {
	return &Outbox{DB: db, Table: table, Keep: OutboxKeep}
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

// List returns up to limit messages, the latest sent first (ties: by id, descending).
// It reads the whole outbox, which is one partition that exists only where messages
// go to it (local, dev) and keeps Keep: its keys are follow-up ids, which are in no
// time order (OccasionID).
func (o *Outbox) List(ctx context.Context, limit int) ([]Message, error) {
	var msgs []Message
	p := dynamodb.NewQueryPaginator(o.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(o.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(outboxPK)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("outbox list: %w", err)
		}
		var items []outboxItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			msgs = append(msgs, it.Message)
		}
	}
	slices.SortFunc(msgs, func(a, b Message) int {
		return cmp.Or(b.SentAt.Compare(a.SentAt), strings.Compare(b.ID, a.ID))
	})
	return msgs[:max(0, min(limit, len(msgs)))], nil
}
