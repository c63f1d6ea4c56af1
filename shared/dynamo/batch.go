package dynamo

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/retry"
)

// MaxBatchGetKeys is DynamoDB's limit on the keys of one BatchGetItem.
const MaxBatchGetKeys = 100

// GetMany reads the items of keys from one table, a BatchGetItem per 100 keys, strongly
// consistent when consistent is set: the reads of several independent items in one
// round trip where GetItem would take one each. Items come back in no particular
// order; a key with no item is simply absent. Keys DynamoDB leaves unprocessed (a
// throttled table, a response over 16 MB) are asked again with the shared backoff,
// as AWS asks.
func GetMany(ctx context.Context, db API, table string, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for chunk := range slices.Chunk(keys, MaxBatchGetKeys) {
		req := map[string]types.KeysAndAttributes{table: {Keys: chunk, ConsistentRead: aws.Bool(consistent)}}
		err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
			out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return false, err
			}
			items = append(items, out.Responses[table]...)
			req = out.UnprocessedKeys
			return len(req) > 0, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}
