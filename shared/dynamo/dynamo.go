// Package dynamo holds what every DynamoDB store shares: the client interface, error
// classification, and creating tables from the wiring table's definitions.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// API is the part of the DynamoDB client the stores use.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// ConditionFailed reports whether a write was refused by its condition, alone or as
// one of a transaction's items.
func ConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	for _, code := range CancellationReasons(err) {
		if code == "ConditionalCheckFailed" {
			return true
		}
	}
	return false
}

// CancellationReasons are the per-item codes of a cancelled transaction, in item
// order ("None" for items that were fine); nil for other errors.
func CancellationReasons(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	codes := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		codes[i] = aws.ToString(r.Code)
	}
	return codes
}

// Unavailable wraps a DynamoDB failure as a 503 for callers.
func Unavailable(err error, what string) error {
	return problem.Unavailablef(err, "the database is unavailable (%s); retry shortly", what)
}

// Names maps a wiring table name to its physical name.
type Names func(table string) string

// Prefixed names tables "<prefix><name>", as make run and the tests do.
func Prefixed(prefix string) Names {
	return func(table string) string { return prefix + table }
}

// CreateTables creates the tables (if missing) exactly as wiring defines them and waits
// until they are active. Local and test use only: the CDK stack creates them in AWS.
func CreateTables(ctx context.Context, db *dynamodb.Client, names Names, tables []wiring.Table) error {
	for _, t := range tables {
		in := createInput(names(t.Name), t)
		_, err := db.CreateTable(ctx, in)
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("create table %s: %w", *in.TableName, err)
		}
		w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", *in.TableName, err)
		}
		if err != nil { // the table was there: give it the indexes added since
			if err := addIndexes(ctx, db, in); err != nil {
				return err
			}
		}
		if t.TTLAttribute != "" && err == nil {
			_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               in.TableName,
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
			})
			if err != nil {
				return fmt.Errorf("ttl on %s: %w", *in.TableName, err)
			}
		}
	}
	return nil
}

// addIndexes creates the global secondary indexes an existing table lacks, one at a
// time as DynamoDB requires, waiting for each (local data kept across releases).
func addIndexes(ctx context.Context, db *dynamodb.Client, in *dynamodb.CreateTableInput) error {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
	if err != nil {
		return fmt.Errorf("describe table %s: %w", *in.TableName, err)
	}
	have := map[string]bool{}
	for _, ix := range out.Table.GlobalSecondaryIndexes {
		have[aws.ToString(ix.IndexName)] = true
	}
	for _, ix := range in.GlobalSecondaryIndexes {
		if have[aws.ToString(ix.IndexName)] {
			continue
		}
		_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: in.TableName, AttributeDefinitions: in.AttributeDefinitions,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection}}}})
		if err != nil {
			return fmt.Errorf("add index %s to %s: %w", aws.ToString(ix.IndexName), *in.TableName, err)
		}
		for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
			d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
			if err != nil {
				return fmt.Errorf("describe table %s: %w", *in.TableName, err)
			}
			if indexActive(d.Table, aws.ToString(ix.IndexName)) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("index %s of %s not active after five minutes", aws.ToString(ix.IndexName), *in.TableName)
			}
		}
	}
	return nil
}

func indexActive(t *types.TableDescription, name string) bool {
	for _, ix := range t.GlobalSecondaryIndexes {
		if aws.ToString(ix.IndexName) == name {
			return ix.IndexStatus == types.IndexStatusActive
		}
	}
	return false
}

func createInput(name string, t wiring.Table) *dynamodb.CreateTableInput {
	attrs := map[string]wiring.KeyType{}
	keySchema := func(pk wiring.Key, sk *wiring.Key) []types.KeySchemaElement {
		attrs[pk.Name] = pk.Type
		ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
		if sk != nil {
			attrs[sk.Name] = sk.Type
			ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
		}
		return ks
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.PartitionKey, t.SortKey),
	}
	for _, ix := range t.Indexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keySchema(ix.PartitionKey, ix.SortKey),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	for n, typ := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(n), AttributeType: types.ScalarAttributeType(typ),
		})
	}
	return in
}
