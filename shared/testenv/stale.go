package testenv

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// StaleIndex stands for a keys-only index read a moment before its items changed,
// which DynamoDB Local cannot show (its indexes are never behind): a query answers
// with Keys, the keys the index still holds, and a read by key (BatchGetItem) with
// Records, the items as they are now, from whatever table is asked. Any other call
// panics: the code under test makes none.
type StaleIndex struct {
	dynamo.API
	Keys, Records []map[string]types.AttributeValue
}

// Query answers with the keys the index still holds.
func (s StaleIndex) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{Items: s.Keys}, nil
}

// BatchGetItem answers with the items as they are now.
func (s StaleIndex) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out := map[string][]map[string]types.AttributeValue{}
	for table := range in.RequestItems {
		out[table] = s.Records
	}
	return &dynamodb.BatchGetItemOutput{Responses: out}, nil
}
