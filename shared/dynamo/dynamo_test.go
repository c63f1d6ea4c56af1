package dynamo_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// A table made by an earlier release gets the indexes added since, so make run keeps
// working on the data it kept. It runs on its own DynamoDB Local: index backfills queue
// behind every other test's tables on the shared one.
func TestCreateTablesAddsMissingIndexes(t *testing.T) {
	ctx := context.Background()
	em, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Stop() })
	env := testenv.NewAt(t, em.DynamoDBEndpoint, em.SQSEndpoint)
	names := dynamo.Prefixed("upgrade-" + id.Token(4) + "-")
	full := wiring.Table{Name: "things", PartitionKey: wiring.Key{Name: "pk", Type: wiring.String}, SortKey: &wiring.Key{Name: "sk", Type: wiring.String},
		Indexes: []wiring.Index{
			{Name: "byA", PartitionKey: wiring.Key{Name: "aPk", Type: wiring.String}},
			{Name: "byB", PartitionKey: wiring.Key{Name: "bPk", Type: wiring.String}, SortKey: &wiring.Key{Name: "bSk", Type: wiring.String}},
		}}
	old := full
	old.Indexes = full.Indexes[:1]
	if err := dynamo.CreateTables(ctx, env.Clients.DynamoDB, names, []wiring.Table{old}); err != nil {
		t.Fatal(err)
	}
	if err := dynamo.CreateTables(ctx, env.Clients.DynamoDB, names, []wiring.Table{full}); err != nil {
		t.Fatal(err)
	}
	out, err := env.Clients.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names("things"))})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, ix := range out.Table.GlobalSecondaryIndexes {
		got[aws.ToString(ix.IndexName)] = true
	}
	if !got["byA"] || !got["byB"] || len(got) != 2 {
		t.Fatalf("indexes %v, want byA and byB", got)
	}
}
