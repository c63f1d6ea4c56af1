package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// The pricer, against DynamoDB Local, prices each call from the items it really
// touched: the figures are worked by hand from the published rules (infra/cost).
func TestPricerPricesCallsByThePublishedRules(t *testing.T) {
	ddb, sqsURL := testenv.Endpoints(t)
	clients, err := cloud.Local(t.Context(), ddb, sqsURL, testenv.Region)
	if err != nil {
		t.Fatal(err)
	}
	db := clients.DynamoDB
	table := "price-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	_, err = db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("gpk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("gpk"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := newPricer(db)
	priced := func(name string, call func(ctx context.Context) error) cost.Units {
		t.Helper()
		ctx, m := cloud.WithMeter(t.Context())
		b := &bill{}
		m.Probe = p.probe(b)
		if err := call(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.err != nil {
			t.Fatalf("%s: pricing: %v", name, b.err)
		}
		return b.units
	}
	key := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s(pk), "sk": s("A")}
	}
	for _, c := range []struct {
		name string
		call func(ctx context.Context) error
		want cost.Units
	}{
		{"a put of a new item that the keys-only index holds: 1 + 1 index write", func(ctx context.Context) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
				Item: map[string]types.AttributeValue{"pk": s("p1"), "sk": s("A"), "gpk": s("g1"), "note": s("x")}})
			return err
		}, cost.Units{Write: 2}},
		{"an update of an unprojected attribute to 2,000 bytes: 2 (the larger image), no index write", func(ctx context.Context) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("p1"),
				UpdateExpression: aws.String("SET note = :n"), ExpressionAttributeValues: map[string]types.AttributeValue{":n": s(strings.Repeat("n", 2000))}})
			return err
		}, cost.Units{Write: 2}},
		{"an update moving the index key: 2 + 2 index writes (delete old, put new)", func(ctx context.Context) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("p1"),
				UpdateExpression: aws.String("SET gpk = :g"), ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("g2")}})
			return err
		}, cost.Units{Write: 4}},
		{"one small item in a transaction: 2 (DynamoDB Local says 4)", func(ctx context.Context) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String(table), Item: key("t0")}},
			}})
			return err
		}, cost.Units{Write: 2}},
		{"ten small items in a transaction: 20 (DynamoDB Local says 4)", func(ctx context.Context) error {
			var items []types.TransactWriteItem
			for i := range 10 {
				items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: key("t" + strconv.Itoa(i+1))}})
			}
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
			return err
		}, cost.Units{Write: 20}},
		{"a condition check beside a put: 2 read units and 2 write units", func(ctx context.Context) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: key("t0"), ConditionExpression: aws.String("attribute_exists(pk)")}},
				{Put: &types.Put{TableName: aws.String(table), Item: key("t11")}},
			}})
			return err
		}, cost.Units{Read: 2, Write: 2}},
		{"an eventually consistent read of the 2 KB item: 0.5", func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key("p1"), ProjectionExpression: aws.String("pk")})
			return err
		}, cost.Units{Read: 0.5}},
		{"a strongly consistent read of a missing item: 1", func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key("none"), ConsistentRead: aws.Bool(true)})
			return err
		}, cost.Units{Read: 1}},
		{"a query whose filter keeps nothing still pays for what it read", func(ctx context.Context) error {
			// Twenty items of 411 bytes under one partition (pk 3, sk 5, pad 403): 8,220
			// bytes evaluated, ⌈8,220 / 4,096⌉ = 3 units strongly consistent, whatever the
			// filter keeps.
			for i := range 20 {
				if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table),
					Item: map[string]types.AttributeValue{"pk": s("q"), "sk": s(strconv.Itoa(100 + i)), "pad": s(strings.Repeat("p", 400))}}); err != nil {
					return err
				}
			}
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
				KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("#x = :x"),
				ExpressionAttributeNames:  map[string]string{"#x": "pad"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("q"), ":x": s("no")}})
			return err
		}, cost.Units{Read: 3}},
		{"a delete of the 2 KB item that leaves the index: 2 + 1", func(ctx context.Context) error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key("p1")})
			return err
		}, cost.Units{Write: 3}},
	} {
		if got := priced(c.name, c.call); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
