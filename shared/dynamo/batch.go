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
// round trip where GetItem would take one each, and the items of a keys-only index's
// page. Items come back in the order of keys (a page keeps its index's order); a key
// with no item is left out. Keys DynamoDB leaves unprocessed (a throttled table, a
// response over 16 MB) are asked again with the shared backoff, as AWS asks. Keys are
// pk and sk strings, the key of every table in the wiring.
func GetMany(ctx context.Context, db API, table string, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	found := make(map[string]map[string]types.AttributeValue, len(keys))
	for chunk := range slices.Chunk(keys, MaxBatchGetKeys) {
		req := map[string]types.KeysAndAttributes{table: {Keys: chunk, ConsistentRead: aws.Bool(consistent)}}
		err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
			out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return false, err
			}
			for _, it := range out.Responses[table] {
				found[keyText(it)] = it
			}
			req = out.UnprocessedKeys
			return len(req) > 0, nil
		})
		if err != nil {
			return nil, err
		}
	}
	items := make([]map[string]types.AttributeValue, 0, len(found))
	for _, k := range keys {
		if it, ok := found[keyText(k)]; ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// KeysOf are the table keys (pk, sk) of items read from an index.
func KeysOf(items []map[string]types.AttributeValue) []map[string]types.AttributeValue {
	keys := make([]map[string]types.AttributeValue, len(items))
	for i, it := range items {
		keys[i] = map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]}
	}
	return keys
}

// keyText identifies an item or a key by its pk and sk.
func keyText(it map[string]types.AttributeValue) string {
	pk, _ := it["pk"].(*types.AttributeValueMemberS)
	sk, _ := it["sk"].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return ""
	}
	return pk.Value + "\x00" + sk.Value
}
