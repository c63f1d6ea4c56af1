package loyalty_test

// Merging and erasing accounts against DynamoDB Local (merge_test.go, erase_test.go):
// points move through the ledger, chunk by chunk, and every account equals its ledger
// after every transaction, also when a run is cut short and run again.

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// flaky is a client whose transactions fail after a number of them: a crash.
type flaky struct {
	dynamo.API
	left atomic.Int32
}

var errCut = errors.New("cut short")

func (f *flaky) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if f.left.Add(-1) < 0 {
		return nil, errCut
	}
	return f.API.TransactWriteItems(ctx, in, opts...)
}

func (f *fixture) total(t *testing.T, cid string) int {
	t.Helper()
	a := f.account(t, cid)
	return a.Balance + a.Pending
}

func (f *fixture) partition(t *testing.T, cid string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(f.svc.Store.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("ACCT#" + cid)}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}
