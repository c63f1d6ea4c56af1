package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// stacks answers DescribeStacks with one stack's outputs, or that it does not exist.
type stacks struct{ outputs []cftypes.Output }

func (s stacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if s.outputs == nil {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + aws.ToString(in.StackName) + " does not exist"}
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{{StackName: in.StackName, Outputs: s.outputs}}}, nil
}

// before is the wiring table as a stage of the earlier release has it.
func before(t *testing.T, name string) wiring.Table {
	out, ok := testenv.Before(name)
	if !ok {
		t.Fatalf("table %s renames no index", name)
	}
	return out
}

// keys are an index's key schema and the attribute definitions it needs.
func keys(ix wiring.Index) ([]types.KeySchemaElement, []types.AttributeDefinition) {
	var schema []types.KeySchemaElement
	var attrs []types.AttributeDefinition
	for _, k := range []struct {
		key  *wiring.Key
		kind types.KeyType
	}{{&ix.PartitionKey, types.KeyTypeHash}, {ix.SortKey, types.KeyTypeRange}} {
		if k.key != nil {
			schema = append(schema, types.KeySchemaElement{AttributeName: aws.String(k.key.Name), KeyType: k.kind})
			attrs = append(attrs, types.AttributeDefinition{AttributeName: aws.String(k.key.Name), AttributeType: types.ScalarAttributeType(k.key.Type)})
		}
	}
	return schema, attrs
}

func projection(ix wiring.Index) *types.Projection {
	return &types.Projection{ProjectionType: types.ProjectionType(ix.Projection.ProjectionType()), NonKeyAttributes: ix.Projection.NonKey}
}

// cloudFormation makes each table's planned step on DynamoDB Local as a stack update
// would: the one index created or deleted, waiting until it is done.
func cloudFormation(ctx context.Context, db *dynamodb.Client, names dynamo.Names, path string) error {
	d, err := indexplan.Read(path)
	if err != nil {
		return err
	}
	plan, _, err := indexplan.Plan(wiring.Tables, d)
	if err != nil {
		return err
	}
	for name, step := range plan {
		verb, index, _ := strings.Cut(step.Change, " ")
		if _, ok := d[name]; !ok || verb == "" {
			continue
		}
		update := types.GlobalSecondaryIndexUpdate{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(index)}}
		var attrs []types.AttributeDefinition
		if verb == "create" {
			def, _ := wiring.TableByName(name)
			ix, _ := def.Index(index)
			schema, defs := keys(ix)
			attrs = defs
			update = types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String(index), KeySchema: schema, Projection: projection(ix)}}
		}
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(names(name)), AttributeDefinitions: attrs,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{update}}); err != nil {
			return err
		}
	}
	return nil
}

// A stage of the earlier release reaches the wiring's indexes in as many stack updates
// as its busiest table needs, each update one index change per table: followups
// creates dueIds, byCustomerKeys and byLocationKeys, then deletes byCustomer,
// byLocation and due; customers creates byNameKeys, then deletes byName. A table the stack adopted (tableNames) is left as it is. It
// runs on its own DynamoDB Local: index backfills queue behind every other test's
// tables on the shared one.
func TestADeployTakesTheIndexChangesOneUpdateAtATime(t *testing.T) {
	ctx := t.Context()
	em, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Stop() })
	clients, err := cloud.Local(ctx, em.DynamoDBEndpoint, em.SQSEndpoint, testenv.Region)
	if err != nil {
		t.Fatal(err)
	}
	db := clients.DynamoDB
	names := dynamo.Prefixed("deploy-" + id.Token(4) + "-")
	old := []wiring.Table{before(t, "followups"), before(t, "customers"), before(t, "complaints")}
	if err := dynamo.CreateTables(ctx, db, names, old); err != nil {
		t.Fatal(err)
	}
	var outputs []cftypes.Output
	for _, tbl := range old {
		desc := "DynamoDB table " + tbl.Name
		if tbl.Name == "complaints" {
			desc += " " + indexplan.AdoptedNote
		}
		outputs = append(outputs, cftypes.Output{OutputKey: aws.String(indexplan.OutputKey(tbl.Name)), OutputValue: aws.String(names(tbl.Name)), Description: aws.String(desc)})
	}
	var log strings.Builder
	r := reader{stacks: stacks{outputs: outputs}, tables: db, poll: 50 * time.Millisecond, log: &log}
	path := t.TempDir() + "/indexes.json"
	runs := 0
	err = steps(ctx, r, "Rapport-test", path, false, func() error {
		runs++
		return cloudFormation(ctx, db, names, path)
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if runs != 6 {
		t.Errorf("%d runs, want 6\n%s", runs, log.String())
	}
	for _, want := range []string{
		"step 1: customers: create byNameKeys; followups: create dueIds\n",
		"step 2: customers: delete byName; followups: create byCustomerKeys\n",
		"step 3: followups: create byLocationKeys\n",
		"step 4: followups: delete byCustomer\n",
		"step 5: followups: delete byLocation\n",
		"step 6: followups: delete due\n",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	for _, tbl := range old {
		desc, err := r.active(ctx, names(tbl.Name)) // the last update done
		if err != nil {
			t.Fatal(err)
		}
		def, _ := wiring.TableByName(tbl.Name)
		if tbl.Name == "complaints" {
			def = tbl // adopted: untouched
		}
		if got, want := indexNames(dynamo.Indexes(desc)), indexNames(def.Indexes); got != want {
			t.Errorf("%s: indexes %s, want %s", tbl.Name, got, want)
		}
	}

	// Run again at the wiring: one run, no index change.
	log.Reset()
	runs = 0
	if err := steps(ctx, r, "Rapport-test", path, false, func() error { runs++; return nil }); err != nil || runs != 1 || !strings.Contains(log.String(), "step 1: no index change") {
		t.Errorf("at the wiring: %d runs, %v\n%s", runs, err, log.String())
	}
}

func indexNames(ixs []wiring.Index) string {
	var out []string
	for _, ix := range ixs {
		out = append(out, ix.Name)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// A stage that does not exist yet is deployed once, every table new; a run that did not
// make its change (a stack update that failed to apply it) stops the deploy instead of
// running again and again; -once runs once; the last run's new index is waited for
// until it is readable; a failed command stops it.
func TestADeployStopsWhereItShould(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/indexes.json"
	var log strings.Builder
	runs := 0
	count := func() error { runs++; return nil }
	if err := steps(ctx, reader{stacks: stacks{}, log: &log}, "Rapport-new", path, false, count); err != nil || runs != 1 {
		t.Fatalf("a new stage: %d runs, %v", runs, err)
	}
	if d, err := indexplan.Read(path); err != nil || len(d) != 0 {
		t.Fatalf("a new stage's tables: %v, %v; want none", d, err)
	}

	// A stack whose followups table lacks dueIds and never gets it.
	followups := before(t, "followups")
	tables := &fakeTables{defs: map[string]wiring.Table{"t-followups": followups}}
	r := reader{stacks: stacks{outputs: []cftypes.Output{{OutputKey: aws.String(indexplan.OutputKey("followups")), OutputValue: aws.String("t-followups")}}},
		tables: tables, poll: time.Millisecond, log: &log}
	runs = 0
	err := steps(ctx, r, "Rapport-stuck", path, false, count)
	if err == nil || !strings.Contains(err.Error(), "did not make its index change") || runs != 1 {
		t.Fatalf("a change never made: %d runs, %v", runs, err)
	}
	runs = 0
	if err := steps(ctx, r, "Rapport-stuck", path, true, count); err != nil || runs != 1 {
		t.Fatalf("-once: %d runs, %v", runs, err)
	}

	// At the wiring, its index still filling after the last update: the deploy ends
	// when it is readable, not before.
	done, _ := wiring.TableByName("followups")
	tables.defs["t-followups"] = done
	tables.filling = 0
	runs = 0
	if err := steps(ctx, r, "Rapport-done", path, false, func() error { runs++; tables.filling = 3; return nil }); err != nil || runs != 1 || tables.filling != 0 {
		t.Fatalf("the last update's index filling: %d runs, %d describes still to fill, %v", runs, tables.filling, err)
	}
	if !strings.Contains(log.String(), "t-followups: index ") || !strings.Contains(log.String(), " CREATING; waiting") {
		t.Errorf("no word of the wait:\n%s", log.String())
	}
	tables.defs["t-followups"] = followups

	failed := errors.New("cdk failed")
	if err := steps(ctx, r, "Rapport-stuck", path, false, func() error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("a failed command: %v", err)
	}
}

// fakeTables describes tables from their wiring definitions, every index ACTIVE but
// for the first filling describes of each.
type fakeTables struct {
	defs    map[string]wiring.Table
	filling int
}

func (f *fakeTables) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	def, ok := f.defs[aws.ToString(in.TableName)]
	if !ok {
		return nil, errors.New("no such table")
	}
	status := types.IndexStatusActive
	if f.filling > 0 {
		f.filling--
		status = types.IndexStatusCreating
	}
	desc := &types.TableDescription{TableName: in.TableName, TableStatus: types.TableStatusActive}
	for _, ix := range def.Indexes {
		schema, attrs := keys(ix)
		desc.AttributeDefinitions = append(desc.AttributeDefinitions, attrs...)
		desc.GlobalSecondaryIndexes = append(desc.GlobalSecondaryIndexes, types.GlobalSecondaryIndexDescription{IndexName: aws.String(ix.Name), KeySchema: schema,
			IndexStatus: status, Projection: projection(ix)})
	}
	return &dynamodb.DescribeTableOutput{Table: desc}, nil
}
