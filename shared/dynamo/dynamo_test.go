package dynamo_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// A table made by an earlier release gets the indexes added since, and those whose
// projection changed, so make run keeps working on the data it kept. It runs on its own DynamoDB Local: index backfills queue
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

	// A later release projects byA's keys only and renames byB for a narrower
	// projection: the local table follows, and keeps its items in both.
	item := map[string]types.AttributeValue{"pk": dynamo.S("P"), "sk": dynamo.S("S"), "aPk": dynamo.S("A"),
		"bPk": dynamo.S("B"), "bSk": dynamo.S("1"), "x": dynamo.S("kept"), "y": dynamo.S("dropped")}
	if _, err := env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(names("things")), Item: item}); err != nil {
		t.Fatal(err)
	}
	narrow := full
	narrow.Indexes = []wiring.Index{
		{Name: "byA", PartitionKey: full.Indexes[0].PartitionKey, Projection: wiring.Projection{Type: wiring.ProjectKeysOnly}},
		{Name: "byBx", PartitionKey: full.Indexes[1].PartitionKey, SortKey: full.Indexes[1].SortKey,
			Projection: wiring.Projection{Type: wiring.ProjectInclude, NonKey: []string{"x"}}, Replaces: "byB"},
	}
	if err := dynamo.CreateTables(ctx, env.Clients.DynamoDB, names, []wiring.Table{narrow}); err != nil {
		t.Fatal(err)
	}
	out, err = env.Clients.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names("things"))})
	if err != nil {
		t.Fatal(err)
	}
	projections := map[string]string{}
	for _, ix := range out.Table.GlobalSecondaryIndexes {
		projections[aws.ToString(ix.IndexName)] = fmt.Sprint(ix.Projection.ProjectionType, " ", ix.Projection.NonKeyAttributes)
	}
	if want := map[string]string{"byA": "KEYS_ONLY []", "byBx": "INCLUDE [x]"}; !maps.Equal(projections, want) {
		t.Fatalf("indexes %v, want %v", projections, want)
	}
	for ix, want := range map[string][]string{"byA": {"aPk", "pk", "sk"}, "byBx": {"bPk", "bSk", "pk", "sk", "x"}} {
		q, err := env.Clients.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(names("things")), IndexName: aws.String(ix),
			KeyConditionExpression: aws.String("#k = :v"), ExpressionAttributeNames: map[string]string{"#k": want[0]},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": item[want[0]]}})
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Items) != 1 {
			t.Fatalf("%s holds %d items, want 1", ix, len(q.Items))
		}
		if got := slices.Sorted(maps.Keys(q.Items[0])); !slices.Equal(got, want) {
			t.Errorf("%s entry has %v, want %v", ix, got, want)
		}
	}
}

// A deploy plans its index changes from what DescribeTable says a table has: read back,
// every wiring table's indexes are what the wiring defines, keys, key types and
// projection alike.
func TestIndexesReadBackAsTheWiringDefinesThem(t *testing.T) {
	env := testenv.New(t)
	ctx := t.Context()
	names := dynamo.Prefixed("described-" + id.Token(4) + "-")
	if err := dynamo.CreateTables(ctx, env.Clients.DynamoDB, names, wiring.Tables); err != nil {
		t.Fatal(err)
	}
	for _, def := range wiring.Tables {
		out, err := env.Clients.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names(def.Name))})
		if err != nil {
			t.Fatal(err)
		}
		got := dynamo.Indexes(out.Table)
		if len(got) != len(def.Indexes) {
			t.Fatalf("%s: %d indexes read back, want %d", def.Name, len(got), len(def.Indexes))
		}
		for _, want := range def.Indexes {
			i := slices.IndexFunc(got, func(ix wiring.Index) bool { return ix.Name == want.Name })
			if i < 0 {
				t.Errorf("%s: index %s not read back", def.Name, want.Name)
				continue
			}
			g := got[i]
			if g.PartitionKey != want.PartitionKey || (g.SortKey == nil) != (want.SortKey == nil) ||
				(g.SortKey != nil && *g.SortKey != *want.SortKey) ||
				g.Projection.ProjectionType() != want.Projection.ProjectionType() ||
				!slices.Equal(sortedCopy(g.Projection.NonKey), sortedCopy(want.Projection.NonKey)) {
				t.Errorf("%s: index %s read back as %+v, want %+v", def.Name, want.Name, g, want)
			}
		}
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
