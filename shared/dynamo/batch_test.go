package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// throttling passes BatchGetItem to DynamoDB one key at a time, handing the other
// keys back as unprocessed, as a throttled table does.
type throttling struct {
	dynamo.API
	calls int
}

func (t *throttling) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	t.calls++
	first, rest := map[string]types.KeysAndAttributes{}, map[string]types.KeysAndAttributes{}
	for table, ka := range in.RequestItems {
		first[table] = types.KeysAndAttributes{Keys: ka.Keys[:1], ConsistentRead: ka.ConsistentRead}
		if len(ka.Keys) > 1 {
			rest[table] = types.KeysAndAttributes{Keys: ka.Keys[1:], ConsistentRead: ka.ConsistentRead}
		}
	}
	out, err := t.API.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: first}, opts...)
	if err != nil {
		return nil, err
	}
	out.UnprocessedKeys = rest
	return out, nil
}

// TestGetManyReadsEveryItemAcrossBatchesAndUnprocessedKeys: 150 items and 10 keys
// with none, asked at once, come back as the 150 items (two BatchGetItems of at most
// 100 keys); keys left unprocessed are asked again until none is left.
func TestGetManyReadsEveryItemAcrossBatchesAndUnprocessedKeys(t *testing.T) {
	env := testenv.New(t)
	db, table := env.Clients.DynamoDB, env.Names("customers")
	ctx := context.Background()
	var keys []map[string]types.AttributeValue
	for i := range 160 {
		key := dynamo.Key(fmt.Sprintf("BATCH#%03d", i), "X")
		keys = append(keys, key)
		if i >= 150 {
			continue // no item under the last ten keys
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key}); err != nil {
			t.Fatal(err)
		}
	}
	pks := func(items []map[string]types.AttributeValue) []string {
		var out []string
		for _, it := range items {
			out = append(out, it["pk"].(*types.AttributeValueMemberS).Value)
		}
		slices.Sort(out)
		return out
	}
	want := make([]string, 150)
	for i := range want {
		want[i] = fmt.Sprintf("BATCH#%03d", i)
	}

	items, err := dynamo.GetMany(ctx, db, table, keys, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := pks(items); !slices.Equal(got, want) {
		t.Fatalf("read %d items %v…, want the 150 written", len(got), got[:min(3, len(got))])
	}

	slow := &throttling{API: db}
	items, err = dynamo.GetMany(ctx, slow, table, keys[:5], false)
	if err != nil {
		t.Fatal(err)
	}
	if got := pks(items); !slices.Equal(got, want[:5]) || slow.calls != 5 {
		t.Fatalf("with one key processed per call: read %v in %d calls, want %v in 5", got, slow.calls, want[:5])
	}

	if items, err := dynamo.GetMany(ctx, slow, table, nil, true); err != nil || len(items) != 0 || slow.calls != 5 {
		t.Fatalf("no keys: %d items, %v, %d calls in all; want none, no call", len(items), err, slow.calls)
	}
}

// GetMany gives the items of more keys than one BatchGetItem takes in the order the
// keys were asked (a keys-only index's page keeps its order), leaving out a key with
// no item.
func TestGetManyKeepsTheOrderOfKeys(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	db, table := env.Clients.DynamoDB, env.Names("customers")
	var keys []map[string]types.AttributeValue
	for i := range 150 {
		key := dynamo.Key(fmt.Sprintf("GETALL#%03d", i), "X")
		item := map[string]types.AttributeValue{"pk": key["pk"], "sk": key["sk"], "n": dynamo.N(int64(i))}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	slices.Reverse(keys)
	asked := append(keys[:75:75], append([]map[string]types.AttributeValue{dynamo.Key("GETALL#none", "X")}, keys[75:]...)...)

	items, err := dynamo.GetMany(ctx, db, table, asked, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 150 {
		t.Fatalf("%d items, want 150", len(items))
	}
	for i, it := range items {
		if got, want := it["n"].(*types.AttributeValueMemberN).Value, fmt.Sprint(149-i); got != want {
			t.Fatalf("item %d is n=%s, want n=%s", i, got, want)
		}
	}
}
