package dynamo_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// TestTxTellsARefusalInItsContributorsWords: two stores contribute to one
// transaction; the one whose condition fails is named by its own error, and nothing
// of either is written.
func TestTxTellsARefusalInItsContributorsWords(t *testing.T) {
	env := testenv.New(t)
	db, table := env.Clients.DynamoDB, env.Names("customers")
	put := func(pk string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: dynamo.Key(pk, "X"),
			ConditionExpression: aws.String("attribute_not_exists(pk)")}}
	}
	errTaken := errors.New("the key is taken")
	errSeen := errors.New("the response was recorded before")

	var first dynamo.Tx
	first.Add(errSeen, put("A#1"))
	first.Add(errTaken, put("B#1"), put("B#2"))
	if err := first.Commit(t.Context(), db, "test"); err != nil {
		t.Fatal(err)
	}
	if first.Len() != 3 || len(first.Items()) != 3 {
		t.Fatalf("Len %d, Items %d; want 3", first.Len(), len(first.Items()))
	}

	var again dynamo.Tx
	again.Add(errSeen, put("A#2"))
	again.Add(errTaken, put("B#3"), put("B#2")) // B#2 exists
	if err := again.Commit(t.Context(), db, "test"); !errors.Is(err, errTaken) {
		t.Fatalf("commit: %v; want the contributor's own error", err)
	}
	for _, pk := range []string{"A#2", "B#3"} {
		out, err := db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: dynamo.Key(pk, "X")})
		if err != nil || out.Item != nil {
			t.Fatalf("%s written by a refused transaction (%v)", pk, err)
		}
	}

	var unnamed dynamo.Tx
	unnamed.Add(nil, put("A#1"))
	if err := unnamed.Commit(t.Context(), db, "test"); !dynamo.ConditionFailed(err) {
		t.Fatalf("commit: %v; want a condition failure", err)
	}
}

func TestTxRefusesMoreThanOneTransactionHolds(t *testing.T) {
	var tx dynamo.Tx
	for range dynamo.MaxTxItems + 1 {
		tx.Add(nil, types.TransactWriteItem{})
	}
	if err := tx.Commit(t.Context(), nil, "test"); !errors.Is(err, dynamo.ErrTxTooLarge) {
		t.Fatalf("commit: %v", err)
	}
	var empty dynamo.Tx
	if err := empty.Commit(t.Context(), nil, "test"); err != nil {
		t.Fatalf("an empty transaction: %v", err)
	}
}
